/**
 * The ranking and embedding losses, composed of ordinary ops exactly as ATen 1.13 composes them (Loss.cpp,
 * Distance.cpp) or as torch.nn.functional does in Python, so their graphs hold PyTorch's nodes.
 */
import { RuntimeError } from "../errors";
import { sub } from "../ops/arith";
import { formatShape } from "../shape";
import { where } from "../ops/masked";
import { operand } from "../ops/operands";
import { addScalar, subScalar } from "../ops/scalar_overloads";
import { zerosLike } from "../create";
import type { Tensor } from "../tensor";
import { type LossOptions, applyReduction, pythonReductionOf, reductionOf, torchSize } from "./loss_common";
import { clampMin } from "../ops/binary_math";
import { logsigmoid } from "./activation_more";

export interface MarginOptions extends LossOptions {
  margin?: number;
}

/** ATen's `scalar - tensor` (SubBackward0, with the scalar as a constant first operand). */
function scalarMinus(s: number, t: Tensor): Tensor {
  return operand(s).sub(t);
}

/** F.margin_ranking_loss: max(0, −y·(x1 − x2) + margin). */
export function marginRankingLoss(input1: Tensor, input2: Tensor, target: Tensor, options: MarginOptions = {}): Tensor {
  const reduction = reductionOf(options);
  if (input1.ndim !== input2.ndim || input1.ndim !== target.ndim) {
    throw new RuntimeError(
      `margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: ${torchSize(input1.shape)}, input2: ${torchSize(input2.shape)}, target: ${torchSize(target.shape)} `,
    );
  }
  const output = clampMin(addScalar(target.neg().mul(input1.sub(input2)), options.margin ?? 0), 0);
  return applyReduction(output, reduction);
}

/** F.hinge_embedding_loss: x where y = 1, max(0, margin − x) where y = −1 (both where y is neither). */
export function hingeEmbeddingLoss(input: Tensor, target: Tensor, options: MarginOptions = {}): Tensor {
  const reduction = reductionOf(options);
  const zeros = zerosLike(input);
  const marginClamp = clampMin(scalarMinus(options.margin ?? 1, input), 0);
  const output = where(target.ne(1), marginClamp, zeros).add(where(target.ne(-1), input, zeros));
  return applyReduction(output, reduction);
}

const EPSILON = 1e-12;

/** F.cosine_embedding_loss: 1 − cos(x1, x2) where y = 1, max(0, cos − margin) where y = −1. */
export function cosineEmbeddingLoss(input1: Tensor, input2: Tensor, target: Tensor, options: MarginOptions = {}): Tensor {
  const reduction = reductionOf(options);
  const dim = target.ndim;
  if (dim !== 0 && dim !== 1) throw new RuntimeError("0D or 1D target tensor expected, multi-target not supported");
  const sizes = `${formatShape(input1.shape)} and ${formatShape(input2.shape)}`;
  if (dim === 1 && input1.ndim !== 2) throw new RuntimeError(`1D target tensor expects 2D input tensors, but found inputs with sizes ${sizes}.`);
  if (dim === 0 && input1.ndim !== 1) throw new RuntimeError(`0D target tensor expects 1D input tensors, but found inputs with sizes ${sizes}.`);
  const prodSum = input1.mul(input2).sum(dim);
  const magSquare1 = addScalar(input1.mul(input1).sum(dim), EPSILON);
  const magSquare2 = addScalar(input2.mul(input2).sum(dim), EPSILON);
  const cos = prodSum.div(magSquare1.mul(magSquare2).sqrt());
  const zeros = zerosLike(cos);
  const pos = scalarMinus(1, cos);
  const neg = clampMin(subScalar(cos, options.margin ?? 0), 0);
  const output = where(target.eq(1), pos, zeros).add(where(target.eq(-1), neg, zeros));
  return applyReduction(output, reduction);
}

/** ATen's pairwise_distance (F.pairwise_distance lives with the distance layers): ‖x1 − x2 + eps‖_p over the last dim. */
function pairwiseDistance(x1: Tensor, x2: Tensor, { p, eps }: { p: number; eps: number }): Tensor {
  const innermost = Math.max(x1.ndim, x2.ndim) - 1;
  return addScalar(x1.sub(x2), eps).norm(p, innermost, false);
}

export interface TripletMarginOptions extends MarginOptions {
  p?: number;
  eps?: number;
  swap?: boolean;
}

/** F.triplet_margin_loss: max(0, margin + d(a, p) − d(a, n)), the negative's distance the nearer of d(a, n) and d(p, n)
 * with `swap`. */
export function tripletMarginLoss(anchor: Tensor, positive: Tensor, negative: Tensor, options: TripletMarginOptions = {}): Tensor {
  const reduction = reductionOf(options);
  if (anchor.ndim !== positive.ndim || positive.ndim !== negative.ndim) {
    throw new RuntimeError(`All inputs should have same dimension but got ${anchor.ndim}D, ${positive.ndim}D and ${negative.ndim}D inputs.`);
  }
  const distance = { p: options.p ?? 2, eps: options.eps ?? 1e-6 };
  const distPos = pairwiseDistance(anchor, positive, distance);
  let distNeg = pairwiseDistance(anchor, negative, distance);
  if (options.swap) distNeg = distNeg.minimum(pairwiseDistance(positive, negative, distance));
  const output = clampMin(addScalar(distPos, options.margin ?? 1).sub(distNeg), 0);
  return applyReduction(output, reduction);
}

export interface MultilabelSoftMarginOptions extends LossOptions {
  weight?: Tensor | null;
}

/** F.multilabel_soft_margin_loss, as torch.nn.functional writes it: the mean over classes of the two log-sigmoids. */
export function multilabelSoftMarginLoss(input: Tensor, target: Tensor, options: MultilabelSoftMarginOptions = {}): Tensor {
  let loss = target.mul(logsigmoid(input)).add(sub(1, target).mul(logsigmoid(input.neg()))).neg();
  if (options.weight) loss = loss.mul(options.weight);
  const classDim = input.ndim - 1;
  loss = loss.sum(classDim).div(input.shape[classDim]);
  return applyReduction(loss, pythonReductionOf(options));
}

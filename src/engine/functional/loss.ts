/** Loss functions, each as PyTorch builds it: its own node where PyTorch has one, composed where PyTorch composes. */
import { castScalar, isFloating } from "../dtype";
import { RuntimeError, ValueError } from "../errors";
import { apply, composite, defineOp } from "../ops/op";
import { empty } from "../ops/operands";
import { broadcastShapes, sameShape } from "../shape";
import type { Tensor } from "../tensor";
import { type LossOptions, type Reduction, applyReduction, broadcastPair, reductionOf, sizeWarning, torchSize } from "./loss_common";

export type { LossOptions, Reduction } from "./loss_common";
export { crossEntropy, nllLoss } from "./loss_nll";
export type { CrossEntropyOptions, NllOptions } from "./loss_nll";

/**
 * mse_loss as PyTorch's kernels compute it in the input's precision: the squared differences, then their mean; and
 * backward as `norm · (input − target) · grad` with norm = 2/N rounded to the dtype first, in that order.
 */
const mseLossOp = defineOp<Reduction>({
  name: "mseLoss",
  gradFnName: "MseLossBackward0",
  forward: ([input, target], reduction) =>
    composite(() => {
      const squared = input.sub(target).pow(2);
      return reduction === "none" ? squared : reduction === "sum" ? squared.sum() : squared.mean();
    }),
  backward: ({ inputs: [input, target], attrs: reduction, needsInputGrad }, g) => {
    const shape = broadcastShapes(input.shape, target.shape);
    const count = shape.reduce((a, b) => a * b, 1);
    const norm = castScalar(input.dtype, reduction === "mean" ? 2 / count : 2);
    const gradInput = input.sub(target).mul(norm).mul(g);
    return [needsInputGrad[0] ? gradInput : null, needsInputGrad[1] ? gradInput.neg() : null];
  },
  saves: { inputs: [0, 1] },
});

/** F.mse_loss: warns when the shapes differ, then broadcasts them (torch.broadcast_tensors) as PyTorch does. */
export function mseLoss(input: Tensor, target: Tensor, options?: LossOptions): Tensor {
  sizeWarning(input, target);
  const reduction = reductionOf(options);
  const [a, b] = broadcastPair(input, target);
  return apply(mseLossOp, [a, b], reduction);
}

/** F.l1_loss: PyTorch 1.13 composes it, (input − target).abs() then the reduction. */
export function l1Loss(input: Tensor, target: Tensor, options?: LossOptions): Tensor {
  sizeWarning(input, target);
  const reduction = reductionOf(options);
  const [a, b] = broadcastPair(input, target);
  return applyReduction(a.sub(b).abs(), reduction);
}

export interface BCEOptions extends LossOptions {
  /** A rescaling weight for each element, broadcast to the input's shape. */
  weight?: Tensor | null;
}

interface BceAttrs {
  reduction: Reduction;
  weight: Tensor | null;
}

const EPSILON = 1e-12;

/** BCE on probabilities; PyTorch clamps each log at -100 so that p = 0 or 1 gives a finite loss. */
const bceOp = defineOp<BceAttrs>({
  name: "binaryCrossEntropy",
  gradFnName: "BinaryCrossEntropyBackward0",
  forward: ([p, y], { reduction, weight }) => {
    const out = empty(p.shape.slice(), p.dtype);
    const pd = p._data;
    const yd = y._data;
    const od = out._data;
    for (let i = 0; i < pd.length; i++) {
      if (!(pd[i] >= 0 && pd[i] <= 1)) throw new RuntimeError("all elements of input should be between 0 and 1");
      od[i] = (yd[i] - 1) * Math.max(Math.log(1 - pd[i]), -100) - yd[i] * Math.max(Math.log(pd[i]), -100);
    }
    if (weight) {
      const wd = weight._data;
      for (let i = 0; i < od.length; i++) od[i] *= wd[i];
    }
    return reduction === "none" ? out : composite(() => applyReduction(out, reduction));
  },
  backward: ({ inputs: [p, y], attrs: { reduction, weight }, needsInputGrad: [dp, dy] }, g) => {
    // d/dp = g·(p − y) / max((1 − p)·p, ε), d/dy = −g·logit(p); both times the weight, over N for the mean.
    const scale = (t: Tensor) => {
      const weighted = weight ? t.mul(weight) : t;
      return reduction === "mean" ? weighted.div(p.numel()) : weighted;
    };
    return [
      dp ? scale(g.mul(p.sub(y)).div(p.neg().add(1).mul(p).clamp(castScalar(p.dtype, EPSILON), null))) : null,
      dy ? scale(p.div(p.neg().add(1)).log().neg().mul(g)) : null,
    ];
  },
  saves: { inputs: [0, 1] },
});

export function binaryCrossEntropy(input: Tensor, target: Tensor, options: BCEOptions = {}): Tensor {
  const reduction = reductionOf(options);
  if (!sameShape(input.shape, target.shape)) {
    throw new ValueError(`Using a target size (${torchSize(target.shape)}) that is different to the input size (${torchSize(input.shape)}) is deprecated. Please ensure they have the same size.`);
  }
  if (!isFloating(input.dtype) || !isFloating(target.dtype)) throw new RuntimeError(`"binary_cross_entropy" not implemented for 'Long'`);
  const weight = options.weight ? options.weight.expand(broadcastShapes(target.shape, options.weight.shape)) : null;
  return apply(bceOp, [input, target], { reduction, weight: weight ? weight.detach() : null });
}

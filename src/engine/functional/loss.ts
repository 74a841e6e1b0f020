/** Loss functions, each as PyTorch builds it: its own node where PyTorch has one, composed where PyTorch composes. */
import { castScalar, isFloating } from "../dtype";
import { RuntimeError } from "../errors";
import { apply, composite, defineOp } from "../ops/op";
import { empty } from "../ops/operands";
import { warn } from "../recorder";
import { broadcastShapes, formatShape, sameShape } from "../shape";
import type { Tensor } from "../tensor";
import { logSoftmax } from "./activation";

export type Reduction = "mean" | "sum" | "none";

export interface LossOptions {
  reduction?: Reduction;
}

function reductionOf(options: LossOptions | undefined, where: string): Reduction {
  const r = options?.reduction ?? "mean";
  if (r !== "mean" && r !== "sum" && r !== "none") throw new RuntimeError(`${where}: ${String(r)} is not a valid value for reduction`);
  return r;
}

function reduce(t: Tensor, reduction: Reduction): Tensor {
  return reduction === "mean" ? t.mean() : reduction === "sum" ? t.sum() : t;
}

function sizeWarning(input: Tensor, target: Tensor): void {
  if (!sameShape(input.shape, target.shape)) {
    warn(
      `Using a target size (torch.Size(${formatShape(target.shape)})) that is different to the input size (torch.Size(${formatShape(input.shape)})). ` +
        "This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.",
    );
  }
}

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

export function mseLoss(input: Tensor, target: Tensor, options?: LossOptions): Tensor {
  const reduction = reductionOf(options, "mse_loss");
  sizeWarning(input, target);
  return apply(mseLossOp, [input, target], reduction);
}

export function l1Loss(input: Tensor, target: Tensor, options?: LossOptions): Tensor {
  const reduction = reductionOf(options, "l1_loss");
  sizeWarning(input, target);
  return reduce(input.sub(target).abs(), reduction);
}

export interface NllOptions extends LossOptions {
  ignoreIndex?: number;
}

interface NllAttrs {
  reduction: Reduction;
  ignoreIndex: number;
  target: Tensor;
}

/** Rows of [N, C] (or a single [C]) and the class each row picks. */
function picks(input: Tensor, target: Tensor): { rows: number; classes: number } {
  const rows = input.ndim === 1 ? 1 : input.shape[0];
  const classes = input.shape[input.ndim === 1 ? 0 : 1];
  if (target.numel() !== rows) throw new RuntimeError(`Expected input batch_size (${rows}) to match target batch_size (${target.numel()}).`);
  return { rows, classes };
}

const nllLossOp = defineOp<NllAttrs>({
  name: "nllLoss",
  gradFnName: "NllLossBackward0",
  forward: ([input], { reduction, ignoreIndex, target }) => {
    const { rows, classes } = picks(input, target);
    const x = input._data;
    const t = target._data;
    const losses = empty(input.ndim === 1 ? [] : [rows], input.dtype);
    let total = 0;
    let counted = 0;
    for (let r = 0; r < rows; r++) {
      const c = t[r];
      if (c === ignoreIndex) continue;
      if (c < 0 || c >= classes) throw new RuntimeError(`Target ${c} is out of bounds.`);
      losses._data[r] = -x[r * classes + c];
      total += losses._data[r];
      counted++;
    }
    if (reduction === "none") return losses;
    const out = empty([], input.dtype);
    out._data[0] = reduction === "sum" ? total : total / counted;
    return out;
  },
  backward: ({ inputs: [input], attrs: { reduction, ignoreIndex, target } }, g) => {
    const { rows, classes } = picks(input, target);
    const mask = empty(input.shape.slice(), input.dtype);
    let counted = 0;
    for (let r = 0; r < rows; r++) if (target._data[r] !== ignoreIndex) counted++;
    const scale = reduction === "mean" ? -1 / counted : -1;
    for (let r = 0; r < rows; r++) {
      const c = target._data[r];
      if (c !== ignoreIndex) mask._data[r * classes + c] = scale;
    }
    const grad = reduction === "none" ? (input.ndim === 1 ? g : g.unsqueeze(1)) : g;
    return [mask.mul(grad)];
  },
});

export function nllLoss(input: Tensor, target: Tensor, options?: NllOptions): Tensor {
  if (target.dtype !== "int64") throw new RuntimeError(`expected scalar type Long but found ${target.dtype === "float32" ? "Float" : target.dtype}`);
  if (input.ndim < 1 || input.ndim > 2) throw new RuntimeError(`input tensor should be 1D or 2D (got ${input.ndim}D)`);
  return apply(nllLossOp, [input], { reduction: reductionOf(options, "nll_loss"), ignoreIndex: options?.ignoreIndex ?? -100, target });
}

/** Class indices (int64) or class probabilities (float), as torch.nn.functional.cross_entropy. */
export function crossEntropy(input: Tensor, target: Tensor, options?: NllOptions): Tensor {
  const classDim = input.ndim === 1 ? 0 : 1;
  const logp = logSoftmax(input, classDim);
  if (target.dtype === "int64") return nllLoss(logp, target, options);
  if (!isFloating(target.dtype) || !sameShape(target.shape, input.shape)) {
    throw new RuntimeError("cross_entropy: target must hold class indices (int64) or class probabilities of the input's shape");
  }
  const perRow = logp.mul(target).sum(classDim).neg();
  return reduce(perRow, reductionOf(options, "cross_entropy"));
}

/** BCE on probabilities; PyTorch clamps each log at -100 so that p = 0 or 1 gives a finite loss. */
const bceOp = defineOp<Reduction>({
  name: "binaryCrossEntropy",
  gradFnName: "BinaryCrossEntropyBackward0",
  forward: ([p, y], reduction) => {
    const out = empty(p.shape.slice(), p.dtype);
    const pd = p._data;
    const yd = y._data;
    for (let i = 0; i < pd.length; i++) {
      if (pd[i] < 0 || pd[i] > 1) throw new RuntimeError("all elements of input should be between 0 and 1");
      const yi = yd.length === 1 ? yd[0] : yd[i];
      out._data[i] = -(yi * Math.max(Math.log(pd[i]), -100) + (1 - yi) * Math.max(Math.log(1 - pd[i]), -100));
    }
    return reduction === "none" ? out : composite(() => (reduction === "sum" ? out.sum() : out.mean()));
  },
  backward: ({ inputs: [p, y], attrs: reduction }, g) => {
    const EPS = 1e-12;
    const grad = p.sub(y).div(p.mul(p.neg().add(1)).clamp(EPS, null)).mul(g);
    return [reduction === "mean" ? grad.div(p.numel()) : grad, null];
  },
  saves: { inputs: [0, 1] },
});

export function binaryCrossEntropy(input: Tensor, target: Tensor, options?: LossOptions): Tensor {
  if (!sameShape(input.shape, target.shape)) {
    throw new RuntimeError(`Using a target size (torch.Size(${formatShape(target.shape)})) that is different to the input size (torch.Size(${formatShape(input.shape)})) is deprecated. Please ensure they have the same size.`);
  }
  return apply(bceOp, [input, target], reductionOf(options, "binary_cross_entropy"));
}

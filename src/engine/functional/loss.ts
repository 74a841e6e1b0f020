/** Loss functions, each as PyTorch builds it: its own node where PyTorch has one, composed where PyTorch composes. */
import { castScalar, isFloating } from "../dtype";
import { RuntimeError } from "../errors";
import { zeroWhere } from "../ops/arith";
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

/** ATen's utils::CeilLog2. */
function ceilLog2(x: number): number {
  return x <= 2 ? 1 : Math.floor(Math.log2(x - 1)) + 1;
}

/**
 * The batch sum of nll_loss as ATen's nll_loss_out_frame forms it: picked values subtracted into the first of 8
 * partial sums, and after each row the low partial sums cascaded up while the row index is a multiple of 16^j
 * (2^(4j) for batches below 2^32), then the 8 partial sums added in order. In the tensor's float type.
 */
function nllBatchSum(picked: (r: number) => number | null, rows: number, float32: boolean): { total: number; counted: number } {
  const partial = float32 ? new Float32Array(8) : new Float64Array(8);
  const levelPower = Math.max(4, Math.floor(ceilLog2(rows) / 8));
  const levelMask = 2 ** levelPower - 1;
  let counted = 0;
  for (let r = 0; r < rows; r++) {
    const v = picked(r);
    if (v === null) continue;
    counted++;
    partial[0] -= v;
    for (let j = 0; j + 1 < 8; j++) {
      if ((r & (levelMask << (j * levelPower))) !== 0) break;
      partial[j + 1] += partial[j];
      partial[j] = 0;
    }
  }
  const acc = float32 ? new Float32Array(1) : new Float64Array(1);
  for (let j = 0; j < 8; j++) acc[0] += partial[j];
  return { total: acc[0], counted };
}

const nllLossOp = defineOp<NllAttrs>({
  name: "nllLoss",
  gradFnName: "NllLossBackward0",
  forward: ([input], { reduction, ignoreIndex, target }) => {
    const { rows, classes } = picks(input, target);
    const x = input._data;
    const t = target._data;
    const pick = (r: number): number | null => {
      const c = t[r];
      if (c === ignoreIndex) return null;
      if (c < 0 || c >= classes) throw new RuntimeError(`Target ${c} is out of bounds.`);
      return x[r * classes + c];
    };
    if (reduction === "none") {
      const losses = empty(input.ndim === 1 ? [] : [rows], input.dtype);
      for (let r = 0; r < rows; r++) {
        const v = pick(r);
        losses._data[r] = v === null ? 0 : -v;
      }
      return losses;
    }
    const { total, counted } = nllBatchSum(pick, rows, input.dtype === "float32");
    const out = empty([], input.dtype);
    // mean divides by the number of counted rows, as a float (0/0 = NaN when every row is ignored).
    out._data[0] = reduction === "sum" ? total : total / castScalar(input.dtype, counted);
    return out;
  },
  backward: ({ inputs: [input], attrs: { reduction, ignoreIndex, target } }, g) => {
    const { rows, classes } = picks(input, target);
    const mask = empty(input.shape.slice(), input.dtype);
    let counted = 0;
    for (let r = 0; r < rows; r++) if (target._data[r] !== ignoreIndex) counted++;
    for (let r = 0; r < rows; r++) {
      const c = target._data[r];
      if (c !== ignoreIndex) mask._data[r * classes + c] = 1;
    }
    // nll_loss_backward: −grad (mean: −(grad / total_weight)) at each row's target.
    const scaled = reduction === "none" ? (input.ndim === 1 ? g : g.unsqueeze(1)) : reduction === "mean" ? g.div(castScalar(input.dtype, counted)) : g;
    // grad_input starts as zeros: a selection, not a product, so off-target entries are +0.
    return [zeroWhere(mask.mul(scaled.neg()), mask.eq(0))];
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

/**
 * The losses PyTorch 1.13 computes with a kernel of their own (BinaryCrossEntropyWithLogitsBackward0,
 * HuberLossBackward0, SmoothL1LossBackward0, SoftMarginLossBackward0, MultiMarginLossBackward0) and those it composes
 * of ordinary ops in ATen or in Python (kl_div, poisson_nll_loss, gaussian_nll_loss), each with the graph PyTorch
 * leaves.
 */
import { isGradEnabled, noGrad } from "../autograd/grad_mode";
import { castScalar } from "../dtype";
import { RuntimeError, ValueError } from "../errors";
import { warn } from "../recorder";
import { apply, composite, defineOp } from "../ops/op";
import { where } from "../ops/masked";
import { empty } from "../ops/operands";
import { addScalar, mulScalar } from "../ops/scalar_overloads";
import { sameShape } from "../shape";
import type { Tensor } from "../tensor";
import { type LossOptions, type Reduction, applyReduction, broadcastPair, pythonReductionOf, reductionOf, sizeWarning, torchSize } from "./loss_common";
import { xlogy } from "../ops/binary_math";
import { logsigmoid } from "./activation_more";

/** The unreduced loss of a pointwise kernel, then ATen's reduction of it (computed, not recorded). */
function reduced(out: Tensor, reduction: Reduction): Tensor {
  return reduction === "none" ? out : composite(() => applyReduction(out, reduction));
}

function pointwise(a: Tensor, b: Tensor, f: (x: number, y: number, i: number) => number): Tensor {
  const out = empty(a.shape.slice(), a.dtype);
  const ad = a._data;
  const bd = b._data;
  const od = out._data;
  for (let i = 0; i < ad.length; i++) od[i] = f(ad[i], bd[i], i);
  return out;
}

/** The gradient's scale for a reduction: 1/N for the mean (rounded to the dtype, as the kernels' norm is). */
function norm(x: Tensor, reduction: Reduction): number {
  return castScalar(x.dtype, reduction === "mean" ? 1 / x.numel() : 1);
}

/** PyTorch's refusal of an input its derivative formula leaves out (derivatives.yaml's non_differentiable). */
function notDifferentiable(fn: string, argument: string, t: Tensor): void {
  if (t.requiresGrad && isGradEnabled()) {
    throw new RuntimeError(`The function '${fn}' is not differentiable with respect to argument '${argument}'. This input cannot have requires_grad True.`);
  }
}

// ---- binary_cross_entropy_with_logits ----

export interface BCEWithLogitsOptions extends LossOptions {
  weight?: Tensor | null;
  /** A weight of positive examples, broadcast along the last dim (one per class). */
  posWeight?: Tensor | null;
}

interface LogitsAttrs {
  reduction: Reduction;
  weight: Tensor | null;
  posWeight: Tensor | null;
}

const bceWithLogitsOp = defineOp<LogitsAttrs>({
  name: "binaryCrossEntropyWithLogits",
  gradFnName: "BinaryCrossEntropyWithLogitsBackward0",
  forward: ([x, y], { reduction, weight, posWeight }) => {
    // (1 − y)·x + lw·(log(e^−m + e^(−x−m)) + m), m = max(−x, 0): stable for large |x|; lw = 1 + (pw − 1)·y.
    const pw = posWeight ? posWeight.expand(x.shape)._data : null;
    const w = weight ? weight.expand(x.shape)._data : null;
    const out = pointwise(x, y, (xi, yi, i) => {
      const m = Math.max(-xi, 0);
      const logWeight = pw ? (pw[i] - 1) * yi + 1 : 1;
      const loss = (1 - yi) * xi + logWeight * (Math.log(Math.exp(-m) + Math.exp(-xi - m)) + m);
      return w ? loss * w[i] : loss;
    });
    return reduced(out, reduction);
  },
  backward: ({ inputs: [x, y], attrs: { reduction, weight, posWeight }, needsInputGrad: [dx, dy] }, g) => {
    const finish = (t: Tensor) => {
      const weighted = weight ? t.mul(weight) : t;
      return reduction === "mean" ? weighted.div(x.numel()) : weighted;
    };
    let gx: Tensor | null = null;
    if (dx) {
      if (posWeight) {
        const t = posWeight.mul(y);
        gx = t.add(1).sub(y).mul(x.sigmoid()).sub(t).mul(g);
      } else gx = x.sigmoid().sub(y).mul(g);
    }
    let gy: Tensor | null = null;
    if (dy) gy = posWeight ? logsigmoid(x.neg()).sub(logsigmoid(x).mul(posWeight)).mul(g) : x.neg().mul(g);
    return [gx ? finish(gx) : null, gy ? finish(gy) : null];
  },
  saves: { inputs: [0, 1] },
});

export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, options: BCEWithLogitsOptions = {}): Tensor {
  const reduction = reductionOf(options);
  if (!sameShape(input.shape, target.shape)) {
    throw new ValueError(`Target size (${torchSize(target.shape)}) must be the same as input size (${torchSize(input.shape)})`);
  }
  const detached = (t: Tensor | null | undefined) => (t ? t.detach() : null);
  return apply(bceWithLogitsOp, [input, target], { reduction, weight: detached(options.weight), posWeight: detached(options.posWeight) });
}

// ---- huber_loss, smooth_l1_loss ----

export interface HuberOptions extends LossOptions {
  delta?: number;
}

export interface SmoothL1Options extends LossOptions {
  beta?: number;
}

interface ThresholdAttrs {
  reduction: Reduction;
  threshold: number;
}

/** Huber and smooth L1: quadratic below the threshold, linear above; their gradients differ only by a factor. */
function thresholdLossOp(name: string, gradFnName: string, huber: boolean) {
  return defineOp<ThresholdAttrs>({
    name,
    gradFnName,
    forward: ([a, b], { reduction, threshold: t }) => {
      const out = pointwise(a, b, (x, y) => {
        const z = Math.abs(x - y);
        if (huber) return z < t ? 0.5 * z * z : t * (z - 0.5 * t);
        if (t === 0) return z;
        return z < t ? (0.5 * z * z) / t : z - 0.5 * t;
      });
      return reduced(out, reduction);
    },
    backward: ({ inputs: [a, b], attrs: { reduction, threshold: t }, needsInputGrad: [da, db] }, g) => {
      const d = a.sub(b);
      const n = norm(a, reduction);
      // Below the threshold the loss is quadratic: its slope d (Huber) or d/t (smooth L1); above it, ±t or ±1.
      const outer = huber ? d.sign().mul(t) : d.sign();
      const grad = t === 0 ? outer : where(d.abs().gt(t), outer, huber ? d : d.div(t));
      const scaled = grad.mul(n).mul(g);
      return [da ? scaled : null, db ? scaled.neg() : null];
    },
    saves: { inputs: [0, 1] },
  });
}

const huberOp = thresholdLossOp("huberLoss", "HuberLossBackward0", true);
const smoothL1Op = thresholdLossOp("smoothL1Loss", "SmoothL1LossBackward0", false);

export function huberLoss(input: Tensor, target: Tensor, options: HuberOptions = {}): Tensor {
  sizeWarning(input, target);
  const delta = options.delta ?? 1;
  const reduction = reductionOf(options);
  if (!(delta > 0)) throw new RuntimeError("huber_loss does not support non-positive values for delta.");
  return apply(huberOp, broadcastPair(input, target), { reduction, threshold: delta });
}

export function smoothL1Loss(input: Tensor, target: Tensor, options: SmoothL1Options = {}): Tensor {
  sizeWarning(input, target);
  const beta = options.beta ?? 1;
  const reduction = reductionOf(options);
  if (!(beta >= 0)) throw new RuntimeError("smooth_l1_loss does not support negative values for beta.");
  return apply(smoothL1Op, broadcastPair(input, target), { reduction, threshold: beta });
}

// ---- soft_margin_loss ----

const softMarginOp = defineOp<Reduction>({
  name: "softMarginLoss",
  gradFnName: "SoftMarginLossBackward0",
  forward: ([x, y], reduction) => reduced(pointwise(x, y, (xi, yi) => Math.log1p(Math.exp(-xi * yi))), reduction),
  // d/dx log(1 + e^(−xy)) = −y·z/(1 + z), z = e^(−xy). The target gets none (PyTorch refuses one that requires grad).
  backward: ({ inputs: [x, y], attrs: reduction }, g) => {
    const z = y.neg().mul(x).exp();
    return [z.div(z.add(1)).mul(-norm(x, reduction)).mul(g).mul(y), null];
  },
  saves: { inputs: [0, 1] },
});

export function softMarginLoss(input: Tensor, target: Tensor, options?: LossOptions): Tensor {
  const reduction = reductionOf(options);
  notDifferentiable("soft_margin_loss", "target", target);
  return apply(softMarginOp, broadcastPair(input, target), reduction);
}

// ---- multi_margin_loss ----

export interface MultiMarginOptions extends LossOptions {
  p?: 1 | 2;
  margin?: number;
  weight?: Tensor | null;
}

interface MultiMarginAttrs {
  reduction: Reduction;
  p: 1 | 2;
  margin: number;
  weight: Tensor | null;
  target: Tensor;
}

/** The rows of a [N, C] (or [C]) input and, per row, the hinge terms max(0, margin − x[y] + x[j]) for j ≠ y. */
function marginRows(x: Tensor, { target }: MultiMarginAttrs): { rows: number; classes: number } {
  const classes = x.ndim === 0 ? 1 : x.shape[x.ndim - 1];
  const rows = x.ndim === 2 ? x.shape[0] : 1;
  for (let r = 0; r < rows; r++) {
    const y = target._data[r];
    if (!(y >= 0 && y < classes)) throw new RuntimeError("target out of range");
  }
  return { rows, classes };
}

const multiMarginOp = defineOp<MultiMarginAttrs>({
  name: "multiMarginLoss",
  gradFnName: "MultiMarginLossBackward0",
  forward: ([x], attrs) => {
    const { rows, classes } = marginRows(x, attrs);
    const { p, margin, weight, reduction, target } = attrs;
    const xd = x._data;
    const out = empty(reduction === "none" && target.ndim > 0 ? [rows] : [], x.dtype);
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const y = target._data[r];
      let sum = 0;
      for (let j = 0; j < classes; j++) {
        if (j === y) continue;
        const z = margin - xd[r * classes + y] + xd[r * classes + j];
        if (z > 0) sum += (p === 1 ? z : z * z) * (weight ? weight._data[y] : 1);
      }
      sum /= classes;
      if (reduction === "none") out._data[r] = sum;
      else total += sum;
    }
    if (reduction !== "none") out._data[0] = reduction === "mean" ? total / rows : total;
    return out;
  },
  backward: ({ inputs: [x], attrs }, g) => {
    const { rows, classes } = marginRows(x, attrs);
    const { p, margin, weight, reduction, target } = attrs;
    const slopes = empty(x.shape.slice(), x.dtype);
    const xd = x._data;
    const scale = reduction === "mean" ? 1 / (rows * classes) : 1 / classes;
    for (let r = 0; r < rows; r++) {
      const y = target._data[r];
      const w = weight ? weight._data[y] : 1;
      for (let j = 0; j < classes; j++) {
        if (j === y) continue;
        const z = margin - xd[r * classes + y] + xd[r * classes + j];
        if (z <= 0) continue;
        const h = (p === 1 ? scale : 2 * scale * z) * w;
        slopes._data[r * classes + y] -= h;
        slopes._data[r * classes + j] = h;
      }
    }
    const perRow = reduction === "none" && target.ndim > 0 && x.ndim === 2 ? g.unsqueeze(1) : g;
    return [slopes.mul(perRow)];
  },
  saves: { inputs: [0] },
});

export function multiMarginLoss(input: Tensor, target: Tensor, options: MultiMarginOptions = {}): Tensor {
  const reduction = reductionOf(options);
  const p = options.p ?? 1;
  if (p !== 1 && p !== 2) throw new ValueError("only p == 1 and p == 2 supported");
  const weight = options.weight ?? null;
  if (weight && weight.ndim !== 1) throw new ValueError("weight must be one-dimensional");
  const emptyRow = (input.ndim === 2 && input.shape[1] === 0) || (input.ndim === 1 && input.shape[0] === 0) || input.ndim > 2;
  if (emptyRow) throw new RuntimeError(`Expected non-empty vector or matrix with optional 0-dim batch size, but got: [${input.shape.join(", ")}]`);
  const rows = input.ndim === 2 ? input.shape[0] : 1;
  if (target.ndim > 1 || target.numel() !== rows) throw new RuntimeError(`inconsistent target size, got: [${target.shape.join(", ")}]`);
  return apply(multiMarginOp, [input], { reduction, p, margin: options.margin ?? 1, weight: weight ? weight.detach() : null, target });
}

// ---- kl_div ----

export interface KLDivOptions {
  reduction?: Reduction | "batchmean";
  /** The target holds log-probabilities. */
  logTarget?: boolean;
}

/** F.kl_div: target·(log target − input) (xlogy(target, target) − target·input), or e^t·(t − input) for log targets. */
export function klDiv(input: Tensor, target: Tensor, options: KLDivOptions = {}): Tensor {
  const r = options.reduction ?? "mean";
  if (r === "mean") {
    warn(
      "reduction: 'mean' divides the total loss by both the batch size and the support size." +
        "'batchmean' divides only by the batch size, and aligns with the KL div math definition." +
        "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
    );
  }
  const reduction = r === "batchmean" ? "sum" : reductionOf({ reduction: r });
  const output = options.logTarget ? target.exp().mul(target.sub(input)) : xlogy(target, target).sub(target.mul(input));
  const out = applyReduction(output, reduction);
  return r === "batchmean" && input.ndim !== 0 ? out.div(input.shape[0]) : out;
}

// ---- poisson_nll_loss, gaussian_nll_loss ----

export interface PoissonNLLOptions extends LossOptions {
  logInput?: boolean;
  full?: boolean;
  eps?: number;
}

/** F.poisson_nll_loss: e^input − target·input (or input − target·log(input + eps)), plus Stirling's term if full. */
export function poissonNllLoss(input: Tensor, target: Tensor, options: PoissonNLLOptions = {}): Tensor {
  const reduction = pythonReductionOf(options);
  const logInput = options.logInput ?? true;
  let loss = logInput ? input.exp().sub(target.mul(input)) : input.sub(target.mul(addScalar(input, options.eps ?? 1e-8).log()));
  if (options.full) {
    const stirling = target.mul(target.log()).sub(target).add(mulScalar(mulScalar(target, 2 * Math.PI).log(), 0.5));
    loss = loss.add(stirling.maskedFill(target.le(1), 0));
  }
  return applyReduction(loss, reduction);
}

export interface GaussianNLLOptions extends LossOptions {
  full?: boolean;
  eps?: number;
}

/** F.gaussian_nll_loss: ½·(log var + (input − target)²/var), var clamped to eps (without a gradient). */
export function gaussianNllLoss(input: Tensor, target: Tensor, variance: Tensor, options: GaussianNLLOptions = {}): Tensor {
  let v = variance;
  if (!sameShape(v.shape, input.shape)) {
    const lead = input.shape.slice(0, -1);
    if (sameShape(lead, v.shape)) v = v.unsqueeze(-1);
    else if (!(sameShape(lead, v.shape.slice(0, -1)) && v.shape[v.ndim - 1] === 1)) throw new ValueError("var is of incorrect size");
  }
  const reduction = pythonReductionOf(options);
  if (v._data.some((x) => x < 0)) throw new ValueError("var has negative entry/entries");
  v = v.clone();
  const eps = options.eps ?? 1e-6;
  noGrad(() => v.clamp_(eps, null));
  let loss = v.log().add(input.sub(target).pow(2).div(v)).mul(0.5);
  if (options.full) loss = loss.add(0.5 * Math.log(2 * Math.PI));
  return applyReduction(loss, reduction);
}

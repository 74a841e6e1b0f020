/**
 * nll_loss and cross_entropy as PyTorch 1.13 builds them: nll_loss_nd picks NllLossBackward0 for 1-D and 2-D input,
 * NllLoss2DBackward0 for 4-D, and views any other rank as 4-D; cross_entropy is log_softmax then nll_loss, with label
 * smoothing and probability targets composed of ordinary ops exactly as ATen composes them.
 */
import { castScalar, isFloating, type DType } from "../dtype";
import { IndexError, RuntimeError, ValueError } from "../errors";
import { apply, defineOp } from "../ops/op";
import { empty } from "../ops/operands";
import { addScalar, divScalar, mulScalar } from "../ops/scalar_overloads";
import { formatShape, sameShape } from "../shape";
import type { Tensor } from "../tensor";
import { logSoftmax } from "./activation";
import { type LossOptions, type Reduction, reductionOf } from "./loss_common";

export interface NllOptions extends LossOptions {
  /** A rescaling weight per class (a 1-D tensor of C elements). */
  weight?: Tensor | null;
  /** Targets equal to it count for nothing (PyTorch's default: -100). */
  ignoreIndex?: number;
}

export interface CrossEntropyOptions extends NllOptions {
  /** Mixes the targets with the uniform distribution: 0 (none) to 1. */
  labelSmoothing?: number;
}

interface NllAttrs {
  reduction: Reduction;
  ignoreIndex: number;
  target: Tensor;
  weight: Tensor | null;
  /** Input read as [batch, classes, positions]. */
  batch: number;
  classes: number;
  positions: number;
  /** The shape of the unreduced loss. */
  outShape: number[];
}

/** ATen's nll_loss kernels: the picked log-probabilities negated and weighted, summed with its cascade of partial
 * sums (eight levels of 2^k elements), rounded to the dtype at every step as the kernel's scalar_t arithmetic is. */
function nllForward(input: Tensor, a: NllAttrs): { out: Tensor; totalWeight: number } {
  const { batch, classes, positions, ignoreIndex, reduction, weight } = a;
  const round = roundingOf(input.dtype);
  const x = input._data;
  const t = a.target._data;
  const w = weight ? weight._data : null;
  const count = batch * positions;
  const levels = 8;
  const levelPower = Math.max(4, Math.floor(ceilLog2(count) / levels));
  const levelMask = (1 << levelPower) - 1;
  const lossSums = new Array<number>(levels).fill(0);
  const weightSums = new Array<number>(levels).fill(0);
  const none = reduction === "none" ? empty(a.outShape, input.dtype) : null;
  let ignored = 0;
  for (let i = 0; i < count; i++) {
    const c = t[i];
    if (c === ignoreIndex) {
      ignored++;
      continue;
    }
    if (c < 0 || c >= classes) throw new IndexError(`Target ${c} is out of bounds.`);
    const n = Math.floor(i / positions);
    const value = x[(n * classes + c) * positions + (i % positions)];
    const wc = w ? w[c] : 1;
    if (none) {
      none._data[i] = -value * wc;
      continue;
    }
    lossSums[0] = round(lossSums[0] - round(value * wc));
    if (w) weightSums[0] = round(weightSums[0] + wc);
    for (let j = 0; j + 1 < levels; j++) {
      if ((i & (levelMask * 2 ** (j * levelPower))) !== 0) break;
      lossSums[j + 1] = round(lossSums[j + 1] + lossSums[j]);
      weightSums[j + 1] = round(weightSums[j + 1] + weightSums[j]);
      lossSums[j] = 0;
      weightSums[j] = 0;
    }
  }
  const totalWeight = w ? weightSums.reduce((s, v) => round(s + v), 0) : count - ignored;
  if (none) return { out: none, totalWeight };
  const total = lossSums.reduce((s, v) => round(s + v), 0);
  const out = empty([], input.dtype);
  out._data[0] = reduction === "mean" ? total / totalWeight : total;
  return { out, totalWeight };
}

function ceilLog2(n: number): number {
  return n <= 1 ? 0 : Math.ceil(Math.log2(n));
}

function roundingOf(dtype: DType): (v: number) => number {
  return dtype === "float32" ? Math.fround : (v) => v;
}

/** The gradient: −weight[target]·grad at each picked position (grad over the total weight for the mean). */
function nllBackward(input: Tensor, a: NllAttrs, g: Tensor): Tensor {
  const { batch, classes, positions, ignoreIndex, reduction, weight } = a;
  const picks = empty(input.shape.slice(), input.dtype);
  const t = a.target._data;
  const w = weight ? weight._data : null;
  for (let i = 0; i < batch * positions; i++) {
    const c = t[i];
    if (c === ignoreIndex) continue;
    const n = Math.floor(i / positions);
    picks._data[(n * classes + c) * positions + (i % positions)] = w ? w[c] : 1;
  }
  if (reduction === "none") {
    // Each element's own gradient, placed on the class dim (1-D input has none).
    const perElement = input.ndim === 1 ? g : g.reshape([batch, 1, ...(input.ndim > 2 ? a.outShape.slice(1) : [])]);
    return picks.mul(perElement.neg());
  }
  if (reduction === "sum") return picks.mul(g.neg());
  const totalWeight = nllForward(input, { ...a, reduction: "sum" }).totalWeight;
  // PyTorch skips the write when nothing was counted: the gradient stays zero rather than 0·∞.
  if (totalWeight === 0) return picks;
  return picks.mul(g.div(castScalar(input.dtype, totalWeight)).neg());
}

function nllOp(gradFnName: string) {
  return defineOp<NllAttrs>({
    name: gradFnName === "NllLossBackward0" ? "nllLoss" : "nllLoss2d",
    gradFnName,
    forward: ([input], attrs) => nllForward(input, attrs).out,
    backward: ({ inputs: [input], attrs }, g) => [nllBackward(input, attrs, g)],
  });
}

const nllLossOp = nllOp("NllLossBackward0");
const nllLoss2dOp = nllOp("NllLoss2DBackward0");

function longTarget(target: Tensor): void {
  if (target.dtype !== "int64") {
    const name = { float32: "Float", float64: "Double", bool: "Bool", int64: "Long" }[target.dtype];
    throw new RuntimeError(`expected scalar type Long but found ${name}`);
  }
}

function checkWeight(weight: Tensor | null, classes: number, twoD: boolean): void {
  if (!weight) return;
  if (twoD && (weight.ndim !== 1 || weight.numel() !== classes)) {
    throw new RuntimeError(`weight tensor should be defined either for all ${classes} classes or no classes but got weight tensor of shape: ${formatShape(weight.shape)}`);
  }
  if (!twoD && weight.numel() !== classes) throw new RuntimeError("weight tensor should be defined either for all or no classes");
}

/** at::nll_loss: input [C] or [N, C]. */
function nllLoss1d2d(input: Tensor, target: Tensor, weight: Tensor | null, reduction: Reduction, ignoreIndex: number): Tensor {
  if (target.ndim > 1) throw new RuntimeError("0D or 1D target tensor expected, multi-target not supported");
  const noBatch = input.ndim === 1 && target.ndim === 0;
  if (!noBatch && input.shape[0] !== target.shape[0]) {
    throw new ValueError(`Expected input batch_size (${input.shape[0]}) to match target batch_size (${target.shape[0]}).`);
  }
  const classes = input.shape[input.ndim - 1];
  checkWeight(weight, classes, true);
  longTarget(target);
  const batch = input.ndim === 1 ? 1 : input.shape[0];
  const outShape = input.ndim === 1 ? [] : [batch];
  return apply(nllLossOp, [input], { reduction, ignoreIndex, target, weight, batch, classes, positions: 1, outShape });
}

/** at::nll_loss2d: input [N, C, H, W], target [N, H, W]. */
function nllLoss2d(input: Tensor, target: Tensor, weight: Tensor | null, reduction: Reduction, ignoreIndex: number): Tensor {
  if (target.ndim !== 3) throw new RuntimeError(`only batches of spatial targets supported (3D tensors) but got targets of dimension: ${target.ndim}`);
  const [n, c, h, w] = input.shape;
  checkWeight(weight, c, false);
  if (n !== target.shape[0] || h !== target.shape[1] || w !== target.shape[2]) {
    throw new RuntimeError(`size mismatch (got input: ${formatShape(input.shape)} , target: ${formatShape(target.shape)}`);
  }
  longTarget(target);
  return apply(nllLoss2dOp, [input], { reduction, ignoreIndex, target, weight, batch: n, classes: c, positions: h * w, outShape: [n, h, w] });
}

/** ATen's nll_loss_nd: the rank picks the kernel; ranks 3 and above 4 are viewed as [N, C, 1, rest]. */
function nllLossNd(input: Tensor, target: Tensor, weight: Tensor | null, reduction: Reduction, ignoreIndex: number): Tensor {
  if (input.ndim < 1) throw new ValueError(`Expected 1 or more dimensions (got ${input.ndim})`);
  if (input.ndim !== 1 && input.shape[0] !== target.shape[0]) {
    throw new ValueError(`Expected input batch_size (${input.shape[0]}) to match target batch_size (${target.shape[0]}).`);
  }
  if (input.ndim <= 2) return nllLoss1d2d(input, target, weight, reduction, ignoreIndex);
  if (input.ndim === 4) return nllLoss2d(input, target, weight, reduction, ignoreIndex);
  const [n, c] = input.shape;
  const outSize = [n, ...input.shape.slice(2)];
  if (!sameShape(target.shape.slice(1), input.shape.slice(2))) {
    throw new RuntimeError(`Expected target size ${formatShape(outSize)}, got ${formatShape(target.shape)}`);
  }
  const flatInput = input.contiguous().view(input.numel() > 0 ? [n, c, 1, -1] : [n, c, 0, 0]);
  const flatTarget = target.contiguous().view(target.numel() > 0 ? [n, 1, -1] : [n, 0, 0]);
  const out = nllLoss2d(flatInput, flatTarget, weight, reduction, ignoreIndex);
  return reduction === "none" ? out.view(outSize) : out;
}

export function nllLoss(input: Tensor, target: Tensor, options: NllOptions = {}): Tensor {
  const reduction = reductionOf(options);
  return nllLossNd(input, target, options.weight ?? null, reduction, options.ignoreIndex ?? -100);
}

/** The weight viewed to broadcast along the class dim of `input` ([1, C, 1, ...]). */
function weightAlongClasses(weight: Tensor, input: Tensor, classDim: number): Tensor {
  return weight.view(input.shape.map((_, i) => (i === classDim ? weight.shape[0] : 1)));
}

/** Probability targets: −Σ target · log_softmax(input), over the class dim; the mean divides by the positions (N·d…). */
function crossEntropyProbabilities(input: Tensor, target: Tensor, weight: Tensor | null, reduction: Reduction, smoothing: number): Tensor {
  const classDim = input.ndim === 1 ? 0 : 1;
  const classes = input.shape[classDim];
  if (weight && (weight.ndim !== 1 || weight.numel() !== classes)) {
    throw new RuntimeError(`cross_entropy: weight tensor should be defined either for all ${classes} classes or no classes but got weight tensor of shape: ${formatShape(weight.shape)}`);
  }
  const logp = logSoftmax(input, classDim);
  let target_ = target;
  if (smoothing > 0) {
    checkSmoothing(smoothing);
    target_ = addScalar(mulScalar(target, 1 - smoothing), smoothing / classes);
  }
  let product = logp.mul(target_);
  if (weight) product = product.mul(weightAlongClasses(weight, logp, classDim));
  if (reduction === "none") return product.sum(classDim).neg();
  const total = product.sum().neg();
  if (reduction === "sum") return total;
  return divScalar(total, Math.floor(input.numel() / classes));
}

function checkSmoothing(smoothing: number): void {
  if (!(smoothing <= 1)) throw new RuntimeError(`label_smoothing must be between 0.0 and 1.0. Got: ${smoothing}`);
}

/** Class targets with label smoothing: (1 − ε)·nll + ε/C · (the summed −log-probabilities, reduced as nll reduces). */
function crossEntropySmoothed(input: Tensor, target: Tensor, weight: Tensor | null, reduction: Reduction, ignoreIndex: number, smoothing: number): Tensor {
  checkSmoothing(smoothing);
  const classDim = input.ndim === 1 ? 0 : 1;
  const classes = input.shape[classDim];
  const logp = logSoftmax(input, classDim);
  const nll = nllLossNd(logp, target, weight, reduction, ignoreIndex);
  const ignoreMask = target.eq(ignoreIndex);
  const smooth = (weight ? logp.mul(weightAlongClasses(weight, logp, classDim)) : logp).sum(classDim).neg();
  smooth.indexPut_([ignoreMask], 0);
  let reduced: Tensor;
  if (reduction === "mean") {
    if (weight) {
      const kept = target.maskedSelect(ignoreMask.logicalNot()).flatten();
      reduced = smooth.sum().div(weight.gather(0, kept).sum());
    } else {
      reduced = smooth.maskedSelect(ignoreMask.logicalNot()).mean();
    }
  } else reduced = reduction === "sum" ? smooth.sum() : smooth;
  return mulScalar(nll, 1 - smoothing).add(mulScalar(reduced, smoothing / classes));
}

/** F.cross_entropy: class indices (int64) or, when target has the input's shape, class probabilities. */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const reduction = reductionOf(options);
  const weight = options.weight ?? null;
  const ignoreIndex = options.ignoreIndex ?? -100;
  const smoothing = options.labelSmoothing ?? 0;
  if (sameShape(input.shape, target.shape)) {
    if (!isFloating(target.dtype)) {
      throw new RuntimeError(`Expected floating point type for target with class probabilities, got ${target.dtype === "int64" ? "Long" : "Bool"}`);
    }
    if (ignoreIndex >= 0) throw new RuntimeError("ignore_index is not supported for floating point target");
    return crossEntropyProbabilities(input, target, weight, reduction, smoothing);
  }
  if (smoothing > 0) return crossEntropySmoothed(input, target, weight, reduction, ignoreIndex, smoothing);
  const classDim = input.ndim === 1 ? 0 : 1;
  return nllLossNd(logSoftmax(input, classDim), target, weight, reduction, ignoreIndex);
}

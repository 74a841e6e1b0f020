/**
 * Batch normalisation as PyTorch 1.13's CPU kernels compute it: one op (NativeBatchNormBackward0) over input, weight
 * and bias. In training it normalises each channel by the batch's mean and biased variance; F.batchNorm then moves
 * the running statistics towards the batch's (unbiased variance) in place, with the float32 roundings of ATen's
 * batch_norm_cpu_update_stats_template. In evaluation it uses the running statistics.
 *
 * The gradient is computed by a fused kernel; when a graph of the gradient is wanted (createGraph), it is written
 * with differentiable ops instead, so the second derivative exists as in PyTorch.
 */
import { isGradEnabled } from "../autograd/grad_mode";
import { RuntimeError, ValueError } from "../errors";
import { apply, defineOp } from "../ops/op";
import { empty } from "../ops/operands";
import { formatShape } from "../shape";
import { batchNormApply, linearTerms, planeStats, rowStats } from "../kernels/f32/batch_norm_forward";
import { batchNormApplyWasm, batchNormBackwardPlanesWasm, batchNormBackwardStridedWasm } from "../kernels/f32/batch_norm_wasm";
import { batchNormBackwardPlanes, batchNormBackwardRows, batchNormBackwardStrided } from "../kernels/f32/batch_norm_backward";
import { FLOAT32, FLOAT64, type FloatArray, type Precision } from "../kernels/f32/precision";
import { Tensor } from "../tensor";
import { recorder } from "../recorder";
import { checkFloating } from "./layer_args";
import { underOneNode } from "./named_gradient";

interface BatchNormAttrs {
  readonly training: boolean;
  readonly eps: number;
  readonly hasWeight: boolean;
  readonly hasBias: boolean;
  /** Evaluation: the running statistics as they were at the call (a later training step changes the buffers). */
  readonly runningMean: Float64Array | null;
  readonly runningVar: Float64Array | null;
}

/** The per-channel statistics a forward used, found again by its output. */
interface ChannelStats {
  mean: Float64Array;
  invstd: Float64Array;
  /** Σ (x - mean)² per channel (training only), what the running variance is updated from. */
  varSum: Float64Array | null;
  count: number;
}

const statsByOutput = new WeakMap<Tensor, ChannelStats>();

type Round = (v: number) => number;

/** The rounding and fused multiply-add of a tensor's dtype. */
function precisionOf(t: Tensor): Precision {
  return t.dtype === "float32" ? FLOAT32 : FLOAT64;
}

function roundingOf(t: Tensor): Round {
  return t.dtype === "float32" ? Math.fround : (v: number) => v;
}

/** [N, C, S]: the sizes the kernels loop over. */
function layout(x: Tensor): { n: number; c: number; s: number } {
  const n = x.shape[0];
  const c = x.shape[1];
  return { n, c, s: c === 0 || n === 0 ? 0 : x.numel() / (n * c) };
}

/** The batch's statistics (kernels/f32/batch_norm_forward.ts): ATen's contiguous kernel, or for one element per
 * sample and channel ([N, C]) its channels-last one, which it takes there (one thread, as PyTorch on this machine runs
 * it). */
function batchStats(x: Tensor, eps: number): ChannelStats {
  const { n, c, s } = layout(x);
  const stats = { mean: new Float64Array(c), invstd: new Float64Array(c), varSum: new Float64Array(c) };
  const xd = floatValues(x);
  if (s === 1) rowStats(precisionOf(x), xd, n, c, eps, stats);
  else planeStats(precisionOf(x), xd, { n, c, s }, eps, stats);
  return { ...stats, count: n * s };
}

function runningStats(a: BatchNormAttrs, x: Tensor): ChannelStats {
  const r = roundingOf(x);
  const c = x.shape[1];
  const mean = Float64Array.from(a.runningMean!);
  const invstd = new Float64Array(c);
  for (let ch = 0; ch < c; ch++) invstd[ch] = r(1 / r(Math.sqrt(r(a.runningVar![ch] + r(a.eps)))));
  return { mean, invstd, varSum: null, count: layout(x).n * layout(x).s };
}

function batchNormForward(x: Tensor, w: Tensor | null, b: Tensor | null, a: BatchNormAttrs): Tensor {
  const stats = a.training ? batchStats(x, a.eps) : runningStats(a, x);
  const out = empty(x.shape.slice(), x.dtype);
  const p = precisionOf(x);
  const { alpha, beta } = linearTerms(p, stats.mean, stats.invstd, w && floatValues(w), b && floatValues(b));
  const [xd, od] = [floatValues(x), floatValues(out)];
  if (!(xd instanceof Float32Array && od instanceof Float32Array && batchNormApplyWasm(xd, layout(x), alpha, beta, od))) batchNormApply(p, xd, layout(x), alpha, beta, od);
  statsByOutput.set(out, stats);
  return out;
}

function statsFor(output: Tensor, x: Tensor, a: BatchNormAttrs): ChannelStats {
  return statsByOutput.get(output) ?? (a.training ? batchStats(x, a.eps) : runningStats(a, x));
}

/** A floating tensor's values in row-major order as the kernels read them. */
function floatValues(t: Tensor): FloatArray {
  if (!t._contiguous && t.numel() > 0 && t._strides.every((s) => s === 0)) {
    // One value broadcast (the gradient of a sum): filled natively rather than gathered element by element.
    const v = t._storage.data[t._offset];
    return (t.dtype === "float32" ? new Float32Array(t.numel()) : new Float64Array(t.numel())).fill(v);
  }
  const d = t._data;
  return d instanceof Float32Array || d instanceof Float64Array ? d : Float64Array.from(d);
}

/** What the backward normalises by: the forward's batch statistics in training; in evaluation the running mean and
 * invstd = 1/√(running_var + eps) with the sum in double (the forward's invstd is formed in the dtype). */
function backwardChannels(stats: ChannelStats, a: BatchNormAttrs, r: Round): { mean: Float64Array; invstd: Float64Array } {
  if (a.training) return stats;
  return { mean: stats.mean, invstd: Float64Array.from(a.runningVar!, (v) => r(1 / Math.sqrt(v + a.eps))) };
}

/** ATen's batch_norm_backward_cpu_template: its kernels when x and the output gradient are both contiguous (the
 * channels-last one for one element per sample and channel), its TensorIterator loops otherwise. */
function fusedBackward(g: Tensor, x: Tensor, w: Tensor | null, stats: ChannelStats, a: BatchNormAttrs, needs: readonly boolean[]): Array<Tensor | null> {
  const { n, c, s } = layout(x);
  const gx = needs[0] ? empty(x.shape.slice(), x.dtype) : null;
  const gw = needs[1] ? empty([c], x.dtype) : null;
  const gb = needs[2] ? empty([c], x.dtype) : null;
  const xd = floatValues(x);
  const p = precisionOf(x);
  const channels = { ...backwardChannels(stats, a, p.round), weight: w ? floatValues(w) : null };
  const grads = { dx: gx && floatValues(gx), dgamma: gw && floatValues(gw), dbeta: gb && floatValues(gb) };
  const gd = floatValues(g);
  const float32 = xd instanceof Float32Array && gd instanceof Float32Array;
  if (x._contiguous && g._contiguous) {
    if (s === 1) batchNormBackwardRows(p, gd, xd, channels, n, c, a.training, grads);
    else if (!(float32 && batchNormBackwardPlanesWasm(gd, xd, channels, { n, c, s }, a.training, grads))) batchNormBackwardPlanes(p, gd, xd, channels, { n, c, s }, a.training, grads);
  } else {
    const dims = x.shape.map((_, i) => i).filter((i) => i !== 1);
    const sum = g.sum(dims)._data;
    if (!(float32 && batchNormBackwardStridedWasm(gd, xd, channels, sum, { n, c, s }, a.training, grads))) batchNormBackwardStrided(p, gd, xd, channels, sum, { n, c, s }, a.training, grads);
  }
  return [gx, gw, gb];
}

/** The same gradients with differentiable ops (createGraph): training statistics are recomputed from x so that
 * their own dependence on x is differentiated too. */
function compositeBackward(g: Tensor, x: Tensor, w: Tensor | null, a: BatchNormAttrs, needs: readonly boolean[]): Array<Tensor | null> {
  const dims = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const kept = x.shape.map((d, i) => (i === 1 ? d : 1));
  const count = x.numel() / Math.max(1, x.shape[1]);
  let mean: Tensor;
  let invstd: Tensor;
  if (a.training) {
    mean = x.mean(dims, true);
    invstd = x.sub(mean).pow(2).mean(dims, true).add(a.eps).pow(-0.5);
  } else {
    mean = Tensor.fromData(Float64Array.from(a.runningMean!), kept, "float64").to(x.dtype);
    const inv = Float64Array.from(a.runningVar!, (v) => 1 / Math.sqrt(v + a.eps));
    invstd = Tensor.fromData(inv, kept, "float64").to(x.dtype);
  }
  const xhat = x.sub(mean).mul(invstd);
  const scale = w ? invstd.mul(w.reshape(kept)) : invstd;
  let gx: Tensor | null = null;
  if (needs[0]) {
    if (a.training) {
      const gMean = g.sum(dims, true).div(count);
      const projection = xhat.mul(g.mul(xhat).sum(dims, true).div(count));
      gx = g.sub(gMean).sub(projection).mul(scale);
    } else gx = g.mul(scale);
  }
  return [gx, needs[1] ? g.mul(xhat).sum(dims) : null, needs[2] ? g.sum(dims) : null];
}

const batchNormOp = defineOp<BatchNormAttrs>({
  name: "batchNorm",
  gradFnName: "NativeBatchNormBackward0",
  forward: (inputs, a) => batchNormForward(inputs[0], a.hasWeight ? inputs[1] : null, a.hasBias ? inputs[a.hasWeight ? 2 : 1] : null, a),
  backward: ({ inputs, output, attrs: a, needsInputGrad }, g) => {
    const x = inputs[0];
    const w = a.hasWeight ? inputs[1] : null;
    const needs = [needsInputGrad[0], a.hasWeight && needsInputGrad[1], a.hasBias && needsInputGrad[a.hasWeight ? 2 : 1]];
    const [gx, gw, gb] = isGradEnabled()
      ? underOneNode("NativeBatchNormBackwardBackward0", compositeBackward(g, x, w, a, needs))
      : fusedBackward(g, x, w, statsFor(output, x, a), a, needs);
    const grads: Array<Tensor | null> = [gx];
    if (a.hasWeight) grads.push(gw);
    if (a.hasBias) grads.push(gb);
    return grads;
  },
  saves: { inputs: [0] },
});

/** ATen's running-statistics update: mean ← m·batchMean + (1−m)·mean in the buffers' dtype, each product rounded;
 * var ← m·unbiasedVar + (1−m)·var with the unbiased variance a float32 quotient and the sum formed in double. */
function updateRunningStats(stats: ChannelStats, runningMean: Tensor | null, runningVar: Tensor | null, momentum: number): void {
  const like = runningMean ?? runningVar!;
  const r = roundingOf(like);
  const m = r(momentum);
  const keep = r(1 - m);
  const n = stats.count;
  if (runningMean) {
    const rm = runningMean._data.slice();
    for (let c = 0; c < rm.length; c++) rm[c] = r(r(m * stats.mean[c]) + r(keep * rm[c]));
    writeBuffer(runningMean, rm);
  }
  if (runningVar) {
    const rv = runningVar._data.slice();
    for (let c = 0; c < rv.length; c++) {
      const unbiased = r(stats.varSum![c] / r(n - 1));
      // m · unbiased is exact in a double (two float32 factors); the sum is formed in double, then stored.
      rv[c] = r(m * unbiased + r(keep * rv[c]));
    }
    writeBuffer(runningVar, rv);
  }
}

function writeBuffer(t: Tensor, values: ArrayLike<number>): void {
  if (t._contiguous) t._data.set(values);
  else throw new RuntimeError("running statistics must be contiguous");
  t._bumpVersion();
  recorder.current?.onModified(t);
}

export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Normalise by the batch's statistics (and update the running ones), as in PyTorch's training mode. */
  training?: boolean;
  momentum?: number;
  eps?: number;
}

function checkChannelVector(t: Tensor | null | undefined, name: string, c: number): void {
  if (t && t.numel() !== c) throw new RuntimeError(`${name} should contain ${c} elements not ${t.numel()}`);
}

/** @internal batch_norm's op on checked arguments; returns the output and what it normalised by. */
export function batchNormCall(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, o: BatchNormOptions): Tensor {
  const training = o.training ?? false;
  const eps = o.eps ?? 1e-5;
  const w = o.weight ?? null;
  const b = o.bias ?? null;
  const attrs: BatchNormAttrs = {
    training,
    eps,
    hasWeight: w !== null,
    hasBias: b !== null,
    runningMean: training ? null : Float64Array.from(runningMean!._data),
    runningVar: training ? null : Float64Array.from(runningVar!._data),
  };
  const inputs = [x];
  if (w) inputs.push(w);
  if (b) inputs.push(b);
  const out = apply(batchNormOp, inputs, attrs);
  if (training && (runningMean || runningVar) && x.numel() > 0) {
    updateRunningStats(statsByOutput.get(out) ?? batchStats(x, eps), runningMean, runningVar, o.momentum ?? 0.1);
  }
  return out;
}

/** torch.nn.functional.batch_norm over [N, C, *]: per channel, (x − mean)/√(var + eps)·weight + bias. */
export function batchNorm(input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, options: BatchNormOptions = {}): Tensor {
  checkFloating(input, "batch_norm");
  const training = options.training ?? false;
  if (input.ndim < 2) throw new ValueError(`expected 2D or 3D input (got ${input.ndim}D input)`);
  if (training) {
    const perChannel = input.numel() / Math.max(1, input.shape[1]);
    if (perChannel === 1) throw new ValueError(`Expected more than 1 value per channel when training, got input size torch.Size(${formatShape(input.shape)})`);
  } else if (!runningMean || !runningVar) {
    throw new RuntimeError("running_mean and running_var must be defined in evaluation mode");
  }
  const c = input.shape[1];
  checkChannelVector(runningMean, "running_mean", c);
  checkChannelVector(runningVar, "running_var", c);
  checkChannelVector(options.weight, "weight", c);
  checkChannelVector(options.bias, "bias", c);
  return batchNormCall(input, runningMean, runningVar, options);
}

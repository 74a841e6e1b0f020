/**
 * torch.nn.init (PyTorch 1.13): fill a tensor in place, without recording a graph (a parameter that requires grad
 * may be initialised), and return it. The bounds and standard deviations are computed in double as PyTorch's
 * Python computes them, and the samples are drawn as its uniform_ / normal_ draw: after the same manualSeed, the
 * numbers are PyTorch's, bit for bit (orthogonal_ and truncNormal_ to within float rounding: see init_math.ts).
 * Each random function also takes `{ generator }`.
 */
import { ValueError } from "../errors";
import { noGrad } from "../autograd/grad_mode";
import { randomFill } from "../ops/random";
import { fillNormal, fillNormalSerial, fillUniform, type Generator, generatorOf, randperm } from "../random";
import { libmErf } from "../random/libm_erf";
import { pyPow } from "../random/libm_pow";
import { recorder, warn } from "../recorder";
import { Tensor } from "../tensor";
import { commit, writable } from "../optim/state";
import { erfinv, orthonormalColumns } from "./init_math";

export type Nonlinearity =
  | "linear" | "conv1d" | "conv2d" | "conv3d" | "conv_transpose1d" | "conv_transpose2d" | "conv_transpose3d"
  | "sigmoid" | "tanh" | "relu" | "leaky_relu" | "selu";

export interface InitOptions {
  generator?: Generator | null;
}

export interface KaimingOptions extends InitOptions {
  /** The negative slope of the rectifier after this layer (leaky_relu only; default 0). */
  a?: number;
  /** "fan_in" (default) keeps the variance of the forward pass, "fan_out" that of the backward pass. */
  mode?: "fan_in" | "fan_out";
  nonlinearity?: Nonlinearity;
}

type FloatArray = Float32Array | Float64Array;

function checkTensor(t: unknown, where: string): asserts t is Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`${where}: expected a Tensor, but got ${t === null ? "null" : typeof t}`);
}

/** Writes into `t` as `with torch.no_grad(): ...` would: its version goes up, the recorder sees the new values. */
function initInPlace(t: Tensor, where: string, fill: (data: FloatArray) => void): Tensor {
  checkTensor(t, where);
  if (t.dtype !== "float32" && t.dtype !== "float64") throw new TypeError(`${where}: expected a floating point tensor, but got ${t.dtype}`);
  const d = writable(t);
  fill(d);
  commit(t, d);
  if (recorder.current) recorder.current.onModified(t);
  return t;
}

/** The gain PyTorch recommends for a nonlinearity (`calculate_gain`); `param` is leaky_relu's negative slope. */
export function calculateGain(nonlinearity: Nonlinearity, param?: number | null): number {
  const linear = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"];
  if (linear.includes(nonlinearity) || nonlinearity === "sigmoid") return 1;
  if (nonlinearity === "tanh") return 5.0 / 3;
  if (nonlinearity === "relu") return Math.sqrt(2.0);
  if (nonlinearity === "leaky_relu") {
    let slope = 0.01;
    if (param !== undefined && param !== null) {
      if (typeof param !== "number") {
        const shown = typeof param === "boolean" ? (param ? "True" : "False") : String(param);
        throw new ValueError(`negative_slope ${shown} not a valid number`);
      }
      slope = param;
    }
    return Math.sqrt(2.0 / (1 + pyPow(slope, 2)));
  }
  if (nonlinearity === "selu") return 3.0 / 4;
  throw new ValueError(`Unsupported nonlinearity ${String(nonlinearity)}`);
}

/** [fanIn, fanOut]: input and output feature maps times the receptive field (`_calculate_fan_in_and_fan_out`). */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  checkTensor(t, "calculateFanInAndFanOut()");
  if (t.ndim < 2) throw new ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return [t.shape[1] * receptive, t.shape[0] * receptive];
}

function correctFan(t: Tensor, mode: string): number {
  const m = String(mode).toLowerCase();
  if (m !== "fan_in" && m !== "fan_out") throw new ValueError(`Mode ${String(mode)} not supported, please use one of ['fan_in', 'fan_out']`);
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  return m === "fan_in" ? fanIn : fanOut;
}

export function uniform_(t: Tensor, a = 0, b = 1, options?: InitOptions): Tensor {
  checkTensor(t, "uniform_()");
  const gen = generatorOf(options, "uniform_()");
  return noGrad(() => randomFill(t, "uniform_", (d) => fillUniform(d, a, b, gen)));
}

export function normal_(t: Tensor, mean = 0, std = 1, options?: InitOptions): Tensor {
  checkTensor(t, "normal_()");
  const gen = generatorOf(options, "normal_()");
  return noGrad(() => randomFill(t, "normal_", (d, order) => (order ? fillNormalSerial(d, mean, std, gen) : fillNormal(d, mean, std, gen))));
}

/** Normal samples truncated to [a, b], by inverting the CDF as `trunc_normal_` does: uniform on
 * [2 cdf(a) - 1, 2 cdf(b) - 1], erfinv, scale by std sqrt(2), shift by mean, clamp to [a, b]. */
export function truncNormal_(t: Tensor, mean = 0, std = 1, a = -2, b = 2, options?: InitOptions): Tensor {
  const gen = generatorOf(options, "truncNormal_()");
  if (mean < a - 2 * std || mean > b + 2 * std) {
    warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The distribution of values may be incorrect.");
  }
  const cdf = (x: number) => (1 + libmErf(x / Math.sqrt(2))) / 2;
  const l = cdf((a - mean) / std);
  const u = cdf((b - mean) / std);
  uniform_(t, 2 * l - 1, 2 * u - 1, { generator: gen });
  return initInPlace(t, "truncNormal_()", (d) => {
    const single = d instanceof Float32Array;
    const r = single ? Math.fround : (v: number) => v;
    const scale = r(std * Math.sqrt(2));
    const shift = r(mean);
    const lo = r(a);
    const hi = r(b);
    for (let i = 0; i < d.length; i++) {
      // erfinv_ (float32: ATen's float algorithm; float64: its double twin), mul_, add_, clamp_
      const e = erfinv(d[i], single ? "float32" : "float64");
      const v = r(r(e * scale) + shift);
      d[i] = Number.isNaN(v) ? v : Math.min(Math.max(v, lo), hi);
    }
  });
}

export function constant_(t: Tensor, val: number): Tensor {
  if (typeof val !== "number") throw new TypeError(`constant_(): val must be a number, but got ${typeof val}`);
  return initInPlace(t, "constant_()", (d) => d.fill(val));
}

export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}

/** The identity matrix (2-D tensors only). */
export function eye_(t: Tensor): Tensor {
  checkTensor(t, "eye_()");
  if (t.ndim !== 2) throw new ValueError("Only tensors with 2 dimensions are supported");
  const [rows, cols] = t.shape;
  return initInPlace(t, "eye_()", (d) => {
    d.fill(0);
    for (let i = 0; i < Math.min(rows, cols); i++) d[i * cols + i] = 1;
  });
}

/** The Dirac delta for convolution weights (3-, 4- or 5-D): each output channel copies its input channel. */
export function dirac_(t: Tensor, groups = 1): Tensor {
  checkTensor(t, "dirac_()");
  if (![3, 4, 5].includes(t.ndim)) throw new ValueError("Only tensors with 3, 4, or 5 dimensions are supported");
  if (t.shape[0] % groups !== 0) throw new ValueError("dim 0 must be divisible by groups");
  const perGroup = t.shape[0] / groups;
  const minDim = Math.min(perGroup, t.shape[1]);
  const spatial = t.shape.slice(2);
  const inner = spatial.reduce((x, y) => x * y, 1);
  let center = 0;
  for (const s of spatial) center = center * s + Math.floor(s / 2);
  return initInPlace(t, "dirac_()", (d) => {
    d.fill(0);
    for (let g = 0; g < groups; g++) {
      for (let k = 0; k < minDim; k++) d[((g * perGroup + k) * t.shape[1] + k) * inner + center] = 1;
    }
  });
}

export function xavierUniform_(t: Tensor, gain = 1, options?: InitOptions): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const std = gain * Math.sqrt(2.0 / (fanIn + fanOut));
  const a = Math.sqrt(3.0) * std;
  return uniform_(t, -a, a, options);
}

export function xavierNormal_(t: Tensor, gain = 1, options?: InitOptions): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  return normal_(t, 0, gain * Math.sqrt(2.0 / (fanIn + fanOut)), options);
}

function kaimingStd(t: Tensor, o: KaimingOptions): number | null {
  checkTensor(t, "kaiming init");
  if (t.shape.includes(0)) {
    warn("Initializing zero-element tensors is a no-op");
    return null;
  }
  const fan = correctFan(t, o.mode ?? "fan_in");
  return calculateGain(o.nonlinearity ?? "leaky_relu", o.a ?? 0) / Math.sqrt(fan);
}

function kaimingOptions(a: number | KaimingOptions | undefined, mode?: "fan_in" | "fan_out", nonlinearity?: Nonlinearity): KaimingOptions {
  return typeof a === "object" && a !== null ? a : { a, mode, nonlinearity };
}

/** Uniform on ±sqrt(3) gain / sqrt(fan): `kaiming_uniform_(w, a=math.sqrt(5))` is kaimingUniform_(w, {a: Math.sqrt(5)})
 * (or kaimingUniform_(w, Math.sqrt(5))). */
export function kaimingUniform_(t: Tensor, a?: number | KaimingOptions, mode?: "fan_in" | "fan_out", nonlinearity?: Nonlinearity): Tensor {
  const o = kaimingOptions(a, mode, nonlinearity);
  const std = kaimingStd(t, o);
  if (std === null) return t;
  const bound = Math.sqrt(3.0) * std;
  return uniform_(t, -bound, bound, o);
}

/** Normal with std gain / sqrt(fan). */
export function kaimingNormal_(t: Tensor, a?: number | KaimingOptions, mode?: "fan_in" | "fan_out", nonlinearity?: Nonlinearity): Tensor {
  const o = kaimingOptions(a, mode, nonlinearity);
  const std = kaimingStd(t, o);
  if (std === null) return t;
  return normal_(t, 0, std, o);
}

/** A (semi-)orthogonal matrix: the Q of a QR factorisation of a normal sample, times gain. */
export function orthogonal_(t: Tensor, gain = 1, options?: InitOptions): Tensor {
  checkTensor(t, "orthogonal_()");
  if (t.ndim < 2) throw new ValueError("Only tensors with 2 or more dimensions are supported");
  if (t.numel() === 0) return t;
  const gen = generatorOf(options, "orthogonal_()");
  const rows = t.shape[0];
  const cols = t.numel() / rows;
  return initInPlace(t, "orthogonal_()", (d) => {
    const r = d instanceof Float32Array ? Math.fround : (v: number) => v;
    // flattened = tensor.new(rows, cols).normal_(0, 1), transposed when wide
    const flat = d instanceof Float32Array ? new Float32Array(rows * cols) : new Float64Array(rows * cols);
    fillNormal(flat, 0, 1, gen);
    const wide = rows < cols;
    const [m, n] = wide ? [cols, rows] : [rows, cols];
    const a = new Float64Array(m * n);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) a[wide ? j * n + i : i * n + j] = flat[i * cols + j];
    const q = orthonormalColumns(a, m, n);
    const g = r(gain);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) d[i * cols + j] = r(r(wide ? q[j * n + i] : q[i * n + j]) * g);
  });
}

/** A sparse matrix: normal(0, std) values, then in each column ceil(sparsity * rows) rows set to zero, chosen by
 * randperm (2-D tensors only), as `sparse_`. */
export function sparse_(t: Tensor, sparsity: number, std = 0.01, options?: InitOptions): Tensor {
  checkTensor(t, "sparse_()");
  if (t.ndim !== 2) throw new ValueError("Only tensors with 2 dimensions are supported");
  const gen = generatorOf(options, "sparse_()");
  const [rows, cols] = t.shape;
  const zerosPerColumn = Math.ceil(sparsity * rows);
  normal_(t, 0, std, { generator: gen });
  return initInPlace(t, "sparse_()", (d) => {
    for (let c = 0; c < cols; c++) {
      const order = randperm(rows, gen);
      for (let k = 0; k < zerosPerColumn; k++) d[order[k] * cols + c] = 0;
    }
  });
}

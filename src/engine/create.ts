/** Making tensors: from nested arrays, and PyTorch's factories (zeros, ones, arange, rand...). */
import { allocate, castScalar, checkDType, type DataArray, DEFAULT_FLOAT, type DType } from "./dtype";
import { fmaf } from "./kernels/f32/fma";
import { fma } from "./random/fused";
import { RuntimeError } from "./errors";
import { defaultGenerator, fillNormal, fillRandint, fillUniform, type Generator, generatorOf } from "./random";
import { recorder } from "./recorder";
import { checkShape, numelOf } from "./shape";
import { Tensor } from "./tensor";
import { type DeviceLike, requireCpu } from "./device";

export interface TensorOptions {
  requiresGrad?: boolean;
  dtype?: DType;
  /** PyTorch's `device=`: "cpu" (or `device("cpu")`), the only one Gradlens has. */
  device?: DeviceLike;
}

/** Options of the random creators: also the generator to draw from (default: the global one). */
export interface RandomOptions extends TensorOptions {
  generator?: Generator | null;
}

export type NestedData = number | boolean | Tensor | ArrayLike<number> | NestedData[];

/** @internal A new leaf, recorded and with its requiresGrad set. */
export function finish(data: DataArray, shape: number[], dtype: DType, options: TensorOptions): Tensor {
  const t = Tensor.fromData(data, shape, dtype);
  if (options.requiresGrad) t.requiresGrad_(true);
  if (recorder.current) recorder.current.onTensor(t);
  return t;
}

/** @internal Checks a creator's options; `random` creators also take a generator. */
export function optionsOf(options: unknown, where: string, random = false): RandomOptions {
  if (options === undefined || options === null) return {};
  if (typeof options !== "object" || Array.isArray(options)) throw new TypeError(`${where}: options must be an object like {requiresGrad: true}`);
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (key !== "requiresGrad" && key !== "dtype" && key !== "device" && !(random && key === "generator")) {
      throw new TypeError(`${where}: unknown option '${key}' (expected requiresGrad, dtype${random ? ", device or generator" : " or device"})`);
    }
  }
  if (o.device !== undefined) requireCpu(o.device as DeviceLike, where);
  if (random) generatorOf(o as RandomOptions, where);
  if (o.dtype !== undefined) checkDType(o.dtype, where);
  if (o.requiresGrad !== undefined && typeof o.requiresGrad !== "boolean") throw new TypeError(`${where}: requiresGrad must be true or false`);
  return o as TensorOptions;
}

/** `torch.tensor(data)`: numbers and booleans in nested arrays, checked for ragged rows and stray values. */
export function tensor(data: NestedData, options?: TensorOptions): Tensor {
  const opts = optionsOf(options, "tensor()");
  if (data instanceof Tensor) {
    const dtype = opts.dtype ?? data.dtype;
    const out = allocate(dtype, data.numel());
    data._data.forEach((v, i) => (out[i] = castScalar(dtype, v)));
    return finish(out, [...data.shape], dtype, opts);
  }
  const shape = inferShape(data);
  const flat: number[] = [];
  let allBool = true;
  flatten(data, shape, 0, [], flat, (b) => (allBool &&= b));
  const dtype = opts.dtype ?? (allBool && flat.length > 0 ? "bool" : DEFAULT_FLOAT);
  const out = allocate(dtype, flat.length);
  for (let i = 0; i < flat.length; i++) out[i] = castScalar(dtype, flat[i]);
  return finish(out, shape, dtype, opts);
}

function isSequence(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || ArrayBuffer.isView(v);
}

function inferShape(data: unknown): number[] {
  const shape: number[] = [];
  let v = data;
  while (isSequence(v)) {
    shape.push(v.length);
    if (v.length === 0) break;
    v = v[0];
  }
  return shape;
}

function flatten(v: unknown, shape: number[], dim: number, path: number[], out: number[], sawBool: (isBool: boolean) => void): void {
  if (dim === shape.length) {
    if (typeof v === "number") {
      sawBool(false);
      out.push(v);
    } else if (typeof v === "boolean") {
      sawBool(true);
      out.push(v ? 1 : 0);
    } else if (isSequence(v)) {
      throw new RuntimeError(`tensor(): expected a number at ${at(path)} (dim ${dim}), but found a sequence of length ${v.length}: the nested arrays are ragged`);
    } else {
      throw new TypeError(`tensor(): element ${at(path)} is ${v === null ? "null" : v === undefined ? "undefined" : `a ${typeof v}`}${typeof v === "string" ? ` (${JSON.stringify(v)})` : ""}; expected a number or a boolean`);
    }
    return;
  }
  if (!isSequence(v)) {
    throw new RuntimeError(`tensor(): expected a sequence of length ${shape[dim]} at ${at(path)} (dim ${dim}), but found ${typeof v === "number" ? `the number ${v}` : typeof v}: the nested arrays are ragged`);
  }
  if (v.length !== shape[dim]) throw new RuntimeError(`expected sequence of length ${shape[dim]} at dim ${dim} (got ${v.length})`);
  for (let i = 0; i < v.length; i++) flatten(v[i], shape, dim + 1, [...path, i], out, sawBool);
}

function at(path: number[]): string {
  return path.length ? `[${path.join(", ")}]` : "the top level";
}

/** @internal Splits `f(2, 3, {dtype})`, `f([2, 3], {dtype})` into a shape and options. */
export function shapeAndOptions(args: unknown[], where: string, random = false): { shape: number[]; options: RandomOptions } {
  let options: RandomOptions = {};
  let rest = args;
  const last = args[args.length - 1];
  if (last !== null && typeof last === "object" && !Array.isArray(last)) {
    options = optionsOf(last, where, random);
    rest = args.slice(0, -1);
  }
  const raw = rest.length === 1 && Array.isArray(rest[0]) ? (rest[0] as unknown[]) : rest;
  return { shape: checkShape(raw, where), options };
}

type ShapeArgs = Array<number | readonly number[] | TensorOptions>;
/** A shape (spread or as one array), then options that may name a generator. */
export type RandomShapeArgs = Array<number | readonly number[] | RandomOptions>;

function filled(where: string, args: ShapeArgs, value: number): Tensor {
  const { shape, options } = shapeAndOptions(args, where);
  const dtype = options.dtype ?? DEFAULT_FLOAT;
  const data = allocate(dtype, numelOf(shape));
  if (value !== 0) data.fill(castScalar(dtype, value));
  return finish(data, shape, dtype, options);
}

export function zeros(...args: ShapeArgs): Tensor {
  return filled("zeros()", args, 0);
}

export function ones(...args: ShapeArgs): Tensor {
  return filled("ones()", args, 1);
}

export function full(shape: readonly number[], value: number, options?: TensorOptions): Tensor {
  if (typeof value !== "number" && typeof value !== "boolean") throw new TypeError(`full(): fill_value must be a number, but got ${typeof value}`);
  return filled("full()", [shape, options ?? {}], Number(value));
}

export function eye(n: number, m?: number | TensorOptions, options?: TensorOptions): Tensor {
  const cols = typeof m === "number" ? m : n;
  const opts = optionsOf(typeof m === "object" ? m : options, "eye()");
  checkShape([n, cols], "eye()");
  const dtype = opts.dtype ?? DEFAULT_FLOAT;
  const data = allocate(dtype, n * cols);
  for (let i = 0; i < Math.min(n, cols); i++) data[i * cols + i] = 1;
  return finish(data, [n, cols], dtype, opts);
}

export function arange(start: number, end?: number | TensorOptions, step?: number | TensorOptions, options?: TensorOptions): Tensor {
  let opts: TensorOptions = {};
  const nums: number[] = [];
  for (const a of [start, end, step, options]) {
    if (typeof a === "number") nums.push(a);
    else if (a !== undefined) opts = optionsOf(a, "arange()");
  }
  const [from, to, by] = nums.length === 1 ? [0, nums[0], 1] : nums.length === 2 ? [nums[0], nums[1], 1] : nums;
  if (by === 0) throw new RuntimeError("step must be nonzero");
  if (!Number.isFinite(from) || !Number.isFinite(to)) throw new RuntimeError(`unsupported range: ${from} -> ${to}`);
  if ((to - from) / by < 0) throw new RuntimeError("upper bound and larger bound inconsistent with step sign");
  const n = Math.ceil((to - from) / by);
  const dtype = opts.dtype ?? DEFAULT_FLOAT;
  const data = allocate(dtype, n);
  fillArange(data, dtype, from, by);
  return finish(data, [n], dtype, opts);
}

/**
 * start + step·i as ATen's arange kernel computes it: in double (its accumulate type) for float types, vectorised
 * in blocks of 2 vectors, each vector's first element fused (start + step·i as one fma), the others that element
 * plus k·step; leftover elements one fma each; then rounded to the dtype.
 */
function fillArange(data: DataArray, dtype: DType, start: number, step: number): void {
  const n = data.length;
  if (dtype !== "float32" && dtype !== "float64") {
    for (let i = 0; i < n; i++) data[i] = castScalar(dtype, start + i * step);
    return;
  }
  const lanes = dtype === "float32" ? 8 : 4;
  let i = 0;
  for (; i + 2 * lanes <= n; i += 2 * lanes) {
    for (let v = i; v < i + 2 * lanes; v += lanes) {
      const base = castScalar(dtype, fma(step, v, start));
      data[v] = base;
      for (let k = 1; k < lanes; k++) data[v + k] = base + k * step;
    }
  }
  for (; i < n; i++) data[i] = fma(step, i, start);
}

/**
 * Evenly spaced, computed as PyTorch's linspace kernel does: in the dtype, step = (end − start)/(steps − 1); the
 * first half from the start, the second from the end. It is vectorised in blocks of 2 vectors: each vector's
 * first element is start + step·i (or end − step·(steps − 1 − i)) as one fused multiply-add, the others that
 * element plus k·step (not fused); the leftover elements are one fused multiply-add each.
 */
export function linspace(start: number, end: number, steps: number, options?: TensorOptions): Tensor {
  const opts = optionsOf(options, "linspace()");
  checkShape([steps], "linspace()");
  const dtype = opts.dtype ?? DEFAULT_FLOAT;
  const data = allocate(dtype, steps);
  if (steps === 1) data[0] = castScalar(dtype, start);
  else if (steps > 1) fillLinspace(data, dtype, start, end, steps);
  return finish(data, [steps], dtype, opts);
}

function fillLinspace(data: DataArray, dtype: DType, start: number, end: number, steps: number): void {
  if (dtype !== "float32" && dtype !== "float64") {
    // Integer dtypes step in double and truncate.
    const step = (end - start) / (steps - 1);
    const half = Math.floor(steps / 2);
    for (let i = 0; i < steps; i++) data[i] = castScalar(dtype, i < half ? start + step * i : end - step * (steps - i - 1));
    return;
  }
  const r = dtype === "float32" ? Math.fround : (v: number) => v;
  const fused = dtype === "float32" ? fmaf : fma;
  const lanes = dtype === "float32" ? 8 : 4;
  const a = r(start);
  const b = r(end);
  const step = r(r(b - a) / r(steps - 1));
  const half = Math.floor(steps / 2);
  const at = (i: number): number => (i < half ? fused(step, i, a) : fused(-step, steps - i - 1, b));
  let i = 0;
  for (; i + 2 * lanes <= steps; i += 2 * lanes) {
    for (let v = i; v < i + 2 * lanes; v += lanes) {
      // The whole vector follows its first element's half.
      const base = at(v);
      data[v] = base;
      for (let k = 1; k < lanes; k++) data[v + k] = r(base + r(k * step));
    }
  }
  for (; i < steps; i++) data[i] = at(i);
}

/**
 * base^x for x evenly spaced from start to end, as PyTorch's logspace computes it: start and end rounded to the
 * dtype, their difference in the dtype, the step and the exponents in double (first half from the start, second
 * from the end), then the double pow rounded to the dtype.
 */
export function logspace(start: number, end: number, steps: number, base = 10, options?: TensorOptions): Tensor {
  const opts = optionsOf(options, "logspace()");
  checkShape([steps], "logspace()");
  const dtype = opts.dtype ?? DEFAULT_FLOAT;
  const data = allocate(dtype, steps);
  if (steps === 1) data[0] = castScalar(dtype, cPow(base, start));
  else if (steps > 1) {
    const a = castScalar(dtype, start);
    const b = castScalar(dtype, end);
    const step = castScalar(dtype, b - a) / (steps - 1);
    const half = Math.floor(steps / 2);
    for (let i = 0; i < steps; i++) data[i] = castScalar(dtype, cPow(base, i < half ? a + step * i : b - step * (steps - i - 1)));
  }
  return finish(data, [steps], dtype, opts);
}

/** C's pow for the cases Math.pow answers differently (a base of 1, an exponent of 0). */
function cPow(x: number, y: number): number {
  return x === 1 || y === 0 ? 1 : Math.pow(x, y);
}

function random(where: string, args: RandomShapeArgs, fill: (d: Float32Array | Float64Array, gen: Generator) => void): Tensor {
  const { shape, options } = shapeAndOptions(args, where, true);
  const dtype = options.dtype ?? DEFAULT_FLOAT;
  if (dtype !== "float32" && dtype !== "float64") throw new RuntimeError(`"${where.slice(0, -2)}" not implemented for '${dtype === "int64" ? "Long" : "Bool"}'`);
  const data = allocate(dtype, numelOf(shape)) as Float32Array | Float64Array;
  fill(data, generatorOf(options, where));
  return finish(data, shape, dtype, options);
}

/** Uniform on [0, 1), the same numbers as PyTorch's CPU generator gives for the same seed. */
export function rand(...args: RandomShapeArgs): Tensor {
  return random("rand()", args, (d, gen) => fillUniform(d, 0, 1, gen));
}

/** Standard normal, PyTorch's numbers for the same seed. */
export function randn(...args: RandomShapeArgs): Tensor {
  return random("randn()", args, (d, gen) => fillNormal(d, 0, 1, gen));
}

/** Integers in [low, high) (int64 unless told), as `torch.randint(low, high, size)`; `randint(high, size)` starts at 0. */
export function randint(low: number, high: number | readonly number[], shape?: readonly number[] | RandomOptions, options?: RandomOptions): Tensor {
  if (Array.isArray(high)) return randint(0, low, high as readonly number[], shape as RandomOptions | undefined);
  const size = shape as readonly number[];
  const opts = optionsOf(options, "randint()", true);
  checkShape(size, "randint()");
  const top = high as number;
  if (!(top > low)) throw new RuntimeError(`random_ expects 'from' to be less than 'to', but got from=${low} >= to=${top}`);
  const data = allocate("float64", numelOf(size)) as Float64Array;
  fillRandint(data, low, top, generatorOf(opts, "randint()"));
  const dtype = opts.dtype ?? "int64";
  const out = allocate(dtype, data.length);
  out.set(data);
  return finish(out, [...size], dtype, opts);
}

function like(t: Tensor, options: TensorOptions | undefined): ShapeArgs {
  return [t.shape, { dtype: t.dtype, ...optionsOf(options, "like()") }];
}

export function zerosLike(t: Tensor, options?: TensorOptions): Tensor {
  return zeros(...like(t, options));
}

export function onesLike(t: Tensor, options?: TensorOptions): Tensor {
  return ones(...like(t, options));
}

export function fullLike(t: Tensor, value: number, options?: TensorOptions): Tensor {
  return full(t.shape, value, { dtype: t.dtype, ...options });
}

export function randLike(t: Tensor, options?: RandomOptions): Tensor {
  return rand(t.shape, { dtype: t.dtype, ...optionsOf(options, "randLike()", true) });
}

export function randnLike(t: Tensor, options?: RandomOptions): Tensor {
  return randn(t.shape, { dtype: t.dtype, ...optionsOf(options, "randnLike()", true) });
}

/** Seeds the default generator (behind every random function given no generator, and layers' initialisation):
 * reproducible runs. Returns that generator, as `torch.manual_seed` does. */
export function manualSeed(seed: number | bigint): Generator {
  if (typeof seed !== "bigint" && !Number.isInteger(seed)) throw new TypeError(`manualSeed(): seed must be an integer, but got ${seed}`);
  return defaultGenerator.manualSeed(seed);
}

/** Making tensors: from nested arrays, and PyTorch's factories (zeros, ones, arange, rand...). */
import { allocate, castScalar, checkDType, type DataArray, DEFAULT_FLOAT, type DType } from "./dtype";
import { RuntimeError } from "./errors";
import { defaultGenerator, fillNormal, fillRandint, fillUniform, type Generator, generatorOf } from "./random";
import { recorder } from "./recorder";
import { checkShape, numelOf } from "./shape";
import { Tensor } from "./tensor";

export interface TensorOptions {
  requiresGrad?: boolean;
  dtype?: DType;
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
    if (key !== "requiresGrad" && key !== "dtype" && !(random && key === "generator")) {
      throw new TypeError(`${where}: unknown option '${key}' (expected requiresGrad${random ? ", dtype or generator" : " or dtype"})`);
    }
  }
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
  for (let i = 0; i < n; i++) data[i] = castScalar(dtype, from + i * by);
  return finish(data, [n], dtype, opts);
}

/** Evenly spaced, computed as PyTorch does: from the start for the first half, from the end for the rest. */
export function linspace(start: number, end: number, steps: number, options?: TensorOptions): Tensor {
  const opts = optionsOf(options, "linspace()");
  checkShape([steps], "linspace()");
  const dtype = opts.dtype ?? DEFAULT_FLOAT;
  const data = allocate(dtype, steps);
  const round = (v: number) => castScalar(dtype, v);
  if (steps === 1) data[0] = round(start);
  else if (steps > 1) {
    const step = round((round(end) - round(start)) / (steps - 1));
    const half = Math.floor(steps / 2);
    for (let i = 0; i < steps; i++) data[i] = i < half ? round(round(start) + round(step * i)) : round(round(end) - round(step * (steps - i - 1)));
  }
  return finish(data, [steps], dtype, opts);
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

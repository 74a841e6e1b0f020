/**
 * More of PyTorch's random creation: randperm, normal (every overload), bernoulli, multinomial, and empty (which
 * PyTorch leaves uninitialised: here it is zeros). Each draws from the generator given as `{ generator }`, else
 * the default one, exactly as PyTorch 1.13's CPU kernels draw (see src/engine/random/).
 */
import { type DType, DEFAULT_FLOAT, allocate } from "./dtype";
import { RuntimeError } from "./errors";
import { finish, optionsOf, type RandomOptions, shapeAndOptions } from "./create";
import { broadcastCopy } from "./kernels/elementwise";
import {
  defaultGenerator, fillBernoulliScalar, fillBernoulliTensor, fillNormal, type Generator, type GeneratorState,
  generatorOf, multinomialIndices, randperm as randpermValues,
} from "./random";
import { broadcastShapes, numelOf } from "./shape";
import { Tensor } from "./tensor";

/** A random permutation of 0..n-1 (int64 unless told), as `torch.randperm(n)`. */
export function randperm(n: number, options?: RandomOptions): Tensor {
  const opts = optionsOf(options, "randperm()", true);
  const values = randpermValues(n, generatorOf(opts, "randperm()"));
  const dtype = opts.dtype ?? "int64";
  const out = allocate(dtype, n);
  out.set(values);
  return finish(out, [n], dtype, opts);
}

/** An uninitialised tensor in PyTorch; zeros here (its values are undefined either way). */
export function empty(...args: Array<number | readonly number[] | { requiresGrad?: boolean; dtype?: DType }>): Tensor {
  const { shape, options } = shapeAndOptions(args, "empty()");
  const dtype = options.dtype ?? DEFAULT_FLOAT;
  return finish(allocate(dtype, numelOf(shape)), shape, dtype, options);
}

export function emptyLike(t: Tensor, options?: { requiresGrad?: boolean; dtype?: DType }): Tensor {
  return empty(t.shape, { dtype: t.dtype, ...optionsOf(options, "emptyLike()") });
}

function floatValues(t: Tensor, shape: readonly number[], dtype: DType): Float32Array | Float64Array {
  const out = allocate(dtype, numelOf(shape)) as Float32Array | Float64Array;
  const src = t.dtype === dtype ? t._data : Float64Array.from(t._data);
  broadcastCopy(src, t.shape, out, shape as number[]);
  return out;
}

function checkStdTensor(std: Tensor): void {
  for (const v of std._data) if (!(v >= 0)) throw new RuntimeError("normal expects all elements of std >= 0.0");
}

/**
 * Normal samples, as `torch.normal`:
 * - normal(mean, std, size): numbers; a tensor of `size` (as `empty(size).normal_(mean, std)`),
 * - normal(meanTensor, std): one sample per element of the mean (std a number or a tensor; shapes broadcast),
 * - normal(mean, stdTensor): one sample per element of std.
 * Tensor means and stds draw standard normals first, then scale and shift them (`mul_(std).add_(mean)`).
 */
export function normal(mean: number, std: number, size: readonly number[], options?: RandomOptions): Tensor;
export function normal(mean: Tensor | number, std: Tensor | number, options?: RandomOptions): Tensor;
export function normal(mean: Tensor | number, std: Tensor | number, size?: readonly number[] | RandomOptions, options?: RandomOptions): Tensor {
  if (!(mean instanceof Tensor) && !(std instanceof Tensor)) {
    if (!Array.isArray(size)) throw new TypeError("normal(): with a number mean and std, give the size: normal(mean, std, size)");
    const opts = optionsOf(options, "normal()", true);
    const dtype = opts.dtype ?? DEFAULT_FLOAT;
    if (dtype !== "float32" && dtype !== "float64") throw new RuntimeError(`"normal_kernel_cpu" not implemented for '${dtype === "int64" ? "Long" : "Bool"}'`);
    const data = allocate(dtype, numelOf(size as number[])) as Float32Array | Float64Array;
    fillNormal(data, mean, std, generatorOf(opts, "normal()"));
    return finish(data, [...(size as number[])], dtype, opts);
  }
  if (Array.isArray(size)) throw new TypeError("normal(): a size is only given with a number mean and std");
  const opts = optionsOf(size as RandomOptions | undefined, "normal()", true);
  const gen = generatorOf(opts, "normal()");
  const like = (mean instanceof Tensor ? mean : std) as Tensor;
  const dtype = like.dtype;
  if (dtype !== "float32" && dtype !== "float64") throw new RuntimeError(`"normal_kernel_cpu" not implemented for '${dtype === "int64" ? "Long" : "Bool"}'`);
  const r = dtype === "float32" ? Math.fround : (v: number) => v;
  if (std instanceof Tensor) checkStdTensor(std);
  else if (!(std >= 0)) throw new RuntimeError(`normal expects std >= 0.0, but found std ${std}`);
  const shape = mean instanceof Tensor && std instanceof Tensor ? broadcastShapes(mean.shape, std.shape) : like.shape.slice();
  const out = allocate(dtype, numelOf(shape)) as Float32Array | Float64Array;
  if (std instanceof Tensor) {
    // normal_(0, 1), then mul_(std).add_(mean)
    fillNormal(out, 0, 1, gen);
    const s = floatValues(std, shape, dtype);
    for (let i = 0; i < out.length; i++) out[i] = r(out[i] * s[i]);
  } else {
    fillNormal(out, 0, std, gen); // normal_(0, std), then add_(mean)
  }
  if (mean instanceof Tensor) {
    const m = floatValues(mean, shape, dtype);
    for (let i = 0; i < out.length; i++) out[i] = r(out[i] + m[i]);
  } else {
    const m = r(mean);
    for (let i = 0; i < out.length; i++) out[i] = r(out[i] + m);
  }
  return finish(out, shape, dtype, { requiresGrad: opts.requiresGrad });
}

/** 0 or 1 for each element, 1 with the probability the element holds (or with probability `p` when given), in
 * the input's dtype, as `torch.bernoulli`. */
export function bernoulli(input: Tensor, p?: number | RandomOptions, options?: RandomOptions): Tensor {
  if (!(input instanceof Tensor)) throw new TypeError(`bernoulli(): argument 'input' must be Tensor, not ${typeof input}`);
  const opts = optionsOf(typeof p === "object" ? p : options, "bernoulli()", true);
  const gen = generatorOf(opts, "bernoulli()");
  const out = allocate(input.dtype, input.numel());
  if (typeof p === "number") fillBernoulliScalar(out, p, gen);
  else {
    if (input.dtype !== "float32" && input.dtype !== "float64") throw new RuntimeError(`"bernoulli_tensor_cpu_p_" not implemented for '${input.dtype === "int64" ? "Long" : "Bool"}'`);
    fillBernoulliTensor(out, input._data as Float32Array | Float64Array, gen);
  }
  return finish(out, input.shape.slice(), input.dtype, {});
}

export interface MultinomialOptions {
  /** Draw with replacement (default false: each index at most once per row). */
  replacement?: boolean;
  generator?: Generator | null;
}

/** Indices drawn from each row of `input` (unnormalised probabilities), as `torch.multinomial(input, numSamples,
 * replacement)`: int64, of shape [numSamples] for a vector, [rows, numSamples] for a matrix. */
export function multinomial(input: Tensor, numSamples: number, replacement?: boolean | MultinomialOptions, options?: MultinomialOptions): Tensor {
  if (!(input instanceof Tensor)) throw new TypeError(`multinomial(): argument 'input' must be Tensor, not ${typeof input}`);
  const o: MultinomialOptions = typeof replacement === "object" && replacement !== null ? replacement : { ...options, replacement: replacement ?? options?.replacement };
  for (const key of Object.keys(o)) {
    if (key !== "replacement" && key !== "generator") throw new TypeError(`multinomial(): unknown option '${key}' (expected replacement or generator)`);
  }
  const withReplacement = o.replacement ?? false;
  const gen = generatorOf(o, "multinomial()");
  if (input.ndim < 1 || input.ndim > 2) throw new RuntimeError("prob_dist must be 1 or 2 dim");
  if (input.dtype !== "float32" && input.dtype !== "float64") {
    throw new RuntimeError(`multinomial only supports floating-point dtypes for input, got: ${input.dtype === "int64" ? "Long" : "Bool"}`);
  }
  if (!Number.isInteger(numSamples)) throw new TypeError(`multinomial(): num_samples must be an integer, but got ${numSamples}`);
  if (numSamples <= 0) throw new RuntimeError("cannot sample n_sample <= 0 samples");
  const categories = input.shape[input.ndim - 1];
  if (!withReplacement && numSamples > categories) throw new RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement");
  if (categories > 2 ** 24) throw new RuntimeError("number of categories cannot exceed 2^24");
  const rows = input.ndim === 2 ? input.shape[0] : 1;
  const shape = input.ndim === 2 ? [rows, numSamples] : [numSamples];
  if (rows * numSamples === 0) return finish(allocate("int64", 0), shape, "int64", {});
  const values = multinomialIndices(input._data as Float32Array | Float64Array, rows, categories, numSamples, withReplacement, gen);
  const out = allocate("int64", values.length);
  out.set(values);
  return finish(out, shape, "int64", {});
}

/** The default generator's seed (`torch.initial_seed()`). */
export function initialSeed(): bigint {
  return defaultGenerator.initialSeed();
}

/** Seeds the default generator non-deterministically and returns the seed (`torch.seed()`). */
export function seed(): bigint {
  return defaultGenerator.seed();
}

/** The default generator's state (`torch.get_rng_state()`), to restore with setRngState. */
export function getRngState(): GeneratorState {
  return defaultGenerator.getState();
}

export function setRngState(state: GeneratorState): void {
  defaultGenerator.setState(state);
}

/** `torch.default_generator`: the generator every random function uses when given none. */
export { defaultGenerator, type Generator };

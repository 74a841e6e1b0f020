/**
 * Random numbers that are PyTorch 1.13's, bit for bit, on the CPU: after `manualSeed(n)`, rand, randn, randint,
 * randperm, uniform_ and normal_ (and so nn.Linear's initialisation) give exactly the values
 * `torch.manual_seed(n)` followed by the same calls gives, in float32 and float64.
 *
 * PyTorch itself seeds its default generator at random in each new process, so unseeded PyTorch numbers cannot be
 * matched. This engine's default generator starts at, and `resetDefaultGenerator()` (call it before each snippet
 * run) returns to, the state of a fresh `torch.Generator()` (seed 67280421310721): unseeded snippets are
 * reproducible, and give what `torch.rand(3, generator=torch.Generator())` gives.
 *
 * "Bit for bit" means as PyTorch runs on x86-64 with its AVX2 or AVX512 CPU kernels (what it picks on any x86 CPU
 * of the last decade) and glibc, checked against both. Those kernels are compiled with FMA contraction, so
 * `x * (to - from) + from` and `v * std + mean` are fused; randn in float32 with 16 or more elements uses the AVX2
 * kernel's own float32 log/sin/cos; normal draws in float64 use glibc's log/sin/cos. PyTorch's non-vectorised
 * kernel (ATEN_CPU_CAPABILITY=default) differs in the last bit there, and so may other C libraries (macOS's).
 * rand on [0, 1), randint and randperm are exact arithmetic on the MT19937 stream and the same everywhere.
 *
 * Every function takes the generator to draw from (a `new Generator()` the user seeded, as PyTorch's
 * `generator=`), the default one when none is given.
 */
import { fillBernoulliScalarWith, fillBernoulliTensorWith, fillExponentialWith, multinomialWith, randomInt64With } from "./distributions";
import { DEFAULT_SEED, Generator } from "./generator";
import { fillRandintWith, randpermWith } from "./integer";
import { fillNormalSerialWith, fillNormalWith } from "./normal";
import { fillUniformWith } from "./uniform";

export { DEFAULT_SEED, Generator, type GeneratorState } from "./generator";
export { kaimingUniformBound, linearInitBounds } from "./init_bounds";

export const defaultGenerator: Generator = new Generator(DEFAULT_SEED);

/** Back to the start state: seed 67280421310721, nothing cached. */
export function resetDefaultGenerator(): void {
  defaultGenerator.manualSeed(DEFAULT_SEED);
}

/** uniform_(from, to) / rand on a contiguous float32 or float64 tensor's data. */
export function fillUniform(out: Float32Array | Float64Array, from: number, to: number, gen: Generator = defaultGenerator): void {
  fillUniformWith(out, from, to, gen);
}

/** normal_(mean, std) / randn on a contiguous tensor's data (PyTorch vectorises from 16 elements on). */
export function fillNormal(out: Float32Array | Float64Array, mean: number, std: number, gen: Generator = defaultGenerator): void {
  fillNormalWith(out, mean, std, gen);
}

/** normal_(mean, std) on a tensor that is not contiguous: PyTorch draws one scalar per element in iteration
 * order, whatever the size. Gather the elements in that order into `out`, fill, and scatter them back. */
export function fillNormalSerial(out: Float32Array | Float64Array, mean: number, std: number, gen: Generator = defaultGenerator): void {
  fillNormalSerialWith(out, mean, std, gen);
}

/** randint(low, high) / random_(low, high) into int64 values held in a Float64Array. */
export function fillRandint(out: Float64Array, low: number, high: number, gen: Generator = defaultGenerator): void {
  fillRandintWith(out, low, high, gen);
}

/** randperm(n): int64 values held in a Float64Array. */
export function randperm(n: number, gen: Generator = defaultGenerator): Float64Array {
  return randpermWith(n, gen);
}

/** A random function's `{ generator }` option: the generator given, else the default one. */
export function generatorOf(options: { generator?: Generator | null } | null | undefined, where = "random function"): Generator {
  const g = options?.generator;
  if (g === undefined || g === null) return defaultGenerator;
  if (!(g instanceof Generator)) {
    throw new TypeError(`${where}: argument 'generator' must be torch.Generator, not ${typeof g === "object" ? (g as object).constructor?.name ?? "object" : typeof g}`);
  }
  return g;
}

/** exponential_(lambd) on a contiguous float tensor's data. */
export function fillExponential(out: Float32Array | Float64Array, lambd: number, gen: Generator = defaultGenerator): void {
  fillExponentialWith(out, lambd, gen);
}

/** bernoulli_(p) with a number p: 1 with probability p (dropout's mask is bernoulli_(1 - p)). */
export function fillBernoulliScalar(out: { length: number; [i: number]: number }, p: number, gen: Generator = defaultGenerator): void {
  fillBernoulliScalarWith(out, p, gen);
}

/** bernoulli(probs): 1 with probability probs[i], drawn in the probabilities' dtype. */
export function fillBernoulliTensor(out: { length: number; [i: number]: number }, probs: Float32Array | Float64Array, gen: Generator = defaultGenerator): void {
  fillBernoulliTensorWith(out, probs, gen);
}

/** multinomial: `samples` indices per row of `probs` (rows x categories), int64 values in a Float64Array. */
export function multinomialIndices(
  probs: Float32Array | Float64Array, rows: number, categories: number, samples: number, replacement: boolean, gen: Generator = defaultGenerator,
): Float64Array {
  return multinomialWith(probs, rows, categories, samples, replacement, gen);
}

/** `torch.empty((), dtype=torch.int64).random_()`: what DataLoader draws its seeds with. */
export function randomInt64(gen: Generator = defaultGenerator): bigint {
  return randomInt64With(gen);
}

/**
 * The noise `F.dropout(x, p, training=True)` multiplies x by, as PyTorch 1.13 makes it on the CPU:
 * `empty_like(x).bernoulli_(1 - p)` then `div_(1 - p)`, in x's dtype. p = 0 and p = 1 draw nothing (PyTorch returns
 * x itself, or x times zero), and the noise is all ones or all zeros. Dropout is then `x * noise`, element-wise.
 */
export function fillDropoutNoise(out: Float32Array | Float64Array, p: number, gen: Generator = defaultGenerator): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
  if (p === 0 || p === 1) {
    out.fill(p === 0 ? 1 : 0);
    return;
  }
  fillBernoulliScalarWith(out, 1 - p, gen);
  const keep = out instanceof Float32Array ? Math.fround(1 - p) : 1 - p;
  for (let i = 0; i < out.length; i++) out[i] = out instanceof Float32Array ? Math.fround(out[i] / keep) : out[i] / keep;
}

/**
 * torch.utils.data's samplers (PyTorch 1.13): the order in which a DataLoader visits a dataset. Each is a lazy
 * iterable, as Python's generator-based `__iter__`: the random ones draw nothing until iteration starts.
 * RandomSampler draws exactly as PyTorch's: with no generator, a 64-bit seed from the default generator seeds a
 * fresh one, which then draws the permutation.
 */
import { ValueError } from "../../errors";
import { defaultGenerator, Generator, multinomialIndices, randomInt64, randperm } from "../../random";
import { fillRandint } from "../../random";
import type { Tensor } from "../../tensor";

export interface Sized {
  readonly length: number;
}

/** An iterable of indices (or of batches of indices) with a length. */
export abstract class Sampler<T = number> {
  abstract [Symbol.iterator](): Iterator<T>;
  abstract get length(): number;
}

/** 0, 1, ..., length - 1. */
export class SequentialSampler extends Sampler<number> {
  constructor(readonly dataSource: Sized) {
    super();
  }

  *[Symbol.iterator](): Iterator<number> {
    for (let i = 0; i < this.dataSource.length; i++) yield i;
  }

  get length(): number {
    return this.dataSource.length;
  }
}

export interface RandomSamplerOptions {
  replacement?: boolean;
  numSamples?: number;
  generator?: Generator | null;
}

/** A random permutation of the indices (or numSamples indices drawn with replacement). */
export class RandomSampler extends Sampler<number> {
  readonly replacement: boolean;
  readonly generator: Generator | null;
  private readonly numSamplesGiven: number | undefined;

  constructor(readonly dataSource: Sized, options: RandomSamplerOptions = {}) {
    super();
    this.replacement = options.replacement ?? false;
    this.numSamplesGiven = options.numSamples;
    this.generator = options.generator ?? null;
    if (typeof this.replacement !== "boolean") throw new TypeError(`replacement should be a boolean value, but got replacement=${String(this.replacement)}`);
    const n = this.numSamples;
    if (!Number.isInteger(n) || n <= 0) throw new ValueError(`num_samples should be a positive integer value, but got num_samples=${n}`);
  }

  get numSamples(): number {
    return this.numSamplesGiven ?? this.dataSource.length;
  }

  *[Symbol.iterator](): Iterator<number> {
    const n = this.dataSource.length;
    // Without a generator: seed = torch.empty((), dtype=torch.int64).random_().item(); Generator().manual_seed(seed)
    const gen = this.generator ?? new Generator(randomInt64(defaultGenerator));
    const total = this.numSamples;
    if (this.replacement) {
      const draw = (count: number) => {
        const out = new Float64Array(count);
        if (count > 0) fillRandint(out, 0, n, gen);
        return out;
      };
      for (let k = 0; k < Math.floor(total / 32); k++) yield* draw(32);
      yield* draw(total % 32);
    } else {
      for (let k = 0; k < Math.floor(total / n); k++) yield* randperm(n, gen);
      yield* randperm(n, gen).subarray(0, total % n);
    }
  }

  get length(): number {
    return this.numSamples;
  }
}

/** The given indices in a random order. */
export class SubsetRandomSampler extends Sampler<number> {
  constructor(
    readonly indices: readonly number[],
    readonly generator: Generator | null = null,
  ) {
    super();
  }

  *[Symbol.iterator](): Iterator<number> {
    for (const i of randperm(this.indices.length, this.generator ?? defaultGenerator)) yield this.indices[i];
  }

  get length(): number {
    return this.indices.length;
  }
}

/** numSamples indices drawn with probability proportional to `weights` (torch.multinomial). */
export class WeightedRandomSampler extends Sampler<number> {
  readonly weights: Float64Array;

  constructor(
    weights: ArrayLike<number> | Tensor,
    readonly numSamples: number,
    readonly replacement = true,
    readonly generator: Generator | null = null,
  ) {
    super();
    if (!Number.isInteger(numSamples) || numSamples <= 0) throw new ValueError(`num_samples should be a positive integer value, but got num_samples=${numSamples}`);
    const values = "_data" in (weights as object) ? (weights as Tensor)._data : (weights as ArrayLike<number>);
    this.weights = Float64Array.from(values as ArrayLike<number>);
  }

  *[Symbol.iterator](): Iterator<number> {
    yield* multinomialIndices(this.weights, 1, this.weights.length, this.numSamples, this.replacement, this.generator ?? defaultGenerator);
  }

  get length(): number {
    return this.numSamples;
  }
}

/** Groups the indices of another sampler into lists of batchSize (the last one shorter, unless dropLast). */
export class BatchSampler extends Sampler<number[]> {
  constructor(
    readonly sampler: Iterable<number> & Sized,
    readonly batchSize: number,
    readonly dropLast: boolean,
  ) {
    super();
    if (typeof batchSize === "boolean" || !Number.isInteger(batchSize) || batchSize <= 0) {
      throw new ValueError(`batch_size should be a positive integer value, but got batch_size=${String(batchSize)}`);
    }
    if (typeof dropLast !== "boolean") throw new ValueError(`drop_last should be a boolean value, but got drop_last=${String(dropLast)}`);
  }

  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const idx of this.sampler) {
      batch.push(idx);
      if (batch.length === this.batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0 && !this.dropLast) yield batch;
  }

  get length(): number {
    const n = this.sampler.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }
}

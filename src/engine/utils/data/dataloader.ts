/**
 * torch.utils.data.DataLoader (PyTorch 1.13), single-process: batches of samples from a dataset, in order or
 * shuffled, collated into tensors. `for (const [x, y] of loader)` runs one epoch; `loader.length` is the number of
 * batches. Random numbers are drawn as PyTorch draws them: each new iteration first draws a 64-bit base seed (for
 * workers, unused here) from the loader's generator or the default one, then the sampler draws on its first step;
 * so a loop over a DataLoader leaves the generators where PyTorch's loop leaves them.
 */
import { ValueError } from "../../errors";
import { defaultGenerator, type Generator, randomInt64 } from "../../random";
import { type Collated, defaultCollate, defaultConvert } from "./collate";
import { Dataset, IterableDataset } from "./dataset";
import { BatchSampler, RandomSampler, Sampler, SequentialSampler } from "./sampler";

export interface DataLoaderOptions<S, B> {
  /** Samples per batch (default 1); null turns batching off (each sample is yielded as it is). */
  batchSize?: number | null;
  /** Visit the samples in a new random order each epoch (default false). */
  shuffle?: boolean;
  /** The order of the indices, instead of shuffle. */
  sampler?: Sampler<number> | (Iterable<number> & { length: number });
  /** Batches of indices, instead of batchSize, shuffle, sampler and dropLast. */
  batchSampler?: Sampler<number[]> | (Iterable<number[]> & { length: number });
  /** Turns a list of samples into a batch (default: defaultCollate). */
  collateFn?: (samples: S[]) => B;
  /** Leave out the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** The generator shuffling draws from (default: the global one). */
  generator?: Generator | null;
  /** Only 0: snippets run in one worker thread. */
  numWorkers?: number;
}

type AnyDataset<S> = Dataset<S> | IterableDataset<S>;

export class DataLoader<S = unknown, B = Collated<S>> implements Iterable<B> {
  readonly dataset: AnyDataset<S>;
  readonly batchSize: number | null;
  readonly dropLast: boolean;
  readonly generator: Generator | null;
  readonly sampler: (Iterable<number> & { length: number }) | null;
  readonly batchSampler: (Iterable<number[]> & { length: number }) | null;
  readonly collateFn: (samples: S[]) => B;

  constructor(dataset: AnyDataset<S>, options: DataLoaderOptions<S, B> = {}) {
    const o = options;
    if ((o.numWorkers ?? 0) !== 0) throw new ValueError("DataLoader: numWorkers must be 0 (snippets run in one worker thread)");
    this.dataset = dataset;
    let batchSize = o.batchSize === undefined ? 1 : o.batchSize;
    let dropLast = o.dropLast ?? false;
    const shuffle = o.shuffle ?? false;
    let sampler = o.sampler ?? null;
    let batchSampler = o.batchSampler ?? null;
    const iterable = dataset instanceof IterableDataset;
    if (!iterable && !(dataset instanceof Dataset)) {
      const d = dataset as { length?: unknown; get?: unknown };
      if (typeof d?.get !== "function" || typeof d?.length !== "number") throw new TypeError("DataLoader: dataset must be a Dataset (length and get(i)) or an IterableDataset");
    }
    if (iterable) {
      if (o.shuffle) throw new ValueError(`DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle=${o.shuffle ? "True" : "False"}`);
      if (sampler) throw new ValueError("DataLoader with IterableDataset: expected unspecified sampler option, but got sampler=" + String(sampler));
      if (batchSampler) throw new ValueError("DataLoader with IterableDataset: expected unspecified batch_sampler option, but got batch_sampler=" + String(batchSampler));
    }
    if (sampler && shuffle) throw new ValueError("sampler option is mutually exclusive with shuffle");
    if (batchSampler) {
      if (batchSize !== 1 || shuffle || sampler || dropLast) {
        throw new ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last");
      }
      batchSize = null;
      dropLast = false;
    } else if (batchSize === null && dropLast) {
      throw new ValueError("batch_size=None option disables auto-batching and is mutually exclusive with drop_last");
    }
    if (!iterable && !sampler) {
      const data = dataset as Dataset<S>;
      sampler = shuffle ? new RandomSampler(data, { generator: o.generator }) : new SequentialSampler(data);
    }
    if (batchSize !== null && !batchSampler && sampler) batchSampler = new BatchSampler(sampler, batchSize, dropLast);
    if (batchSize !== null) checkBatchSize(batchSize);
    this.batchSize = batchSize;
    this.dropLast = dropLast;
    this.generator = o.generator ?? null;
    this.sampler = sampler;
    this.batchSampler = batchSampler;
    this.collateFn = o.collateFn ?? ((samples: S[]) => defaultCollate(samples) as unknown as B);
  }

  /** The number of batches in an epoch (for an IterableDataset, from its own `length`, which it must have). */
  get length(): number {
    if (this.dataset instanceof IterableDataset) {
      const n = (this.dataset as unknown as { length?: number }).length;
      if (typeof n !== "number") throw new TypeError(`object of type '${this.dataset.constructor.name}' has no len()`);
      if (this.batchSize === null) return n;
      return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
    }
    return (this.batchSampler ?? this.sampler)!.length;
  }

  /** One epoch: the batches, drawn as PyTorch's single-process iterator draws them. */
  [Symbol.iterator](): Iterator<B> {
    // the order matters: the sampler's iterator is made (lazily) before the base seed is drawn, and draws later
    const indices = this.dataset instanceof IterableDataset ? null : (this.batchSampler ?? this.sampler)![Symbol.iterator]();
    randomInt64(this.generator ?? defaultGenerator);
    return this.dataset instanceof IterableDataset ? this.iterateStream(this.dataset) : this.iterateMap(this.dataset as Dataset<S>, indices!);
  }

  private *iterateMap(dataset: Dataset<S>, indices: Iterator<number | number[]>): BatchIterator<B> {
    for (let next = indices.next(); !next.done; next = indices.next()) {
      const index = next.value;
      if (this.batchSize === null && !this.batchSampler) yield defaultConvert(dataset.get(index as number)) as unknown as B;
      else yield this.collateFn((index as number[]).map((i) => dataset.get(i)));
    }
  }

  private *iterateStream(dataset: IterableDataset<S>): BatchIterator<B> {
    const it = dataset[Symbol.iterator]();
    if (this.batchSize === null) {
      for (let next = it.next(); !next.done; next = it.next()) yield defaultConvert(next.value) as unknown as B;
      return;
    }
    for (;;) {
      const batch: S[] = [];
      for (let next = it.next(); !next.done; next = it.next()) {
        batch.push(next.value);
        if (batch.length === this.batchSize) break;
      }
      if (batch.length === 0 || (this.dropLast && batch.length < this.batchSize)) return;
      yield this.collateFn(batch);
      if (batch.length < this.batchSize) return;
    }
  }
}

type BatchIterator<T> = globalThis.Generator<T, void, unknown>;

function checkBatchSize(batchSize: unknown): void {
  if (typeof batchSize !== "number" || !Number.isInteger(batchSize) || batchSize <= 0) {
    throw new ValueError(`batch_size should be a positive integer value, but got batch_size=${String(batchSize)}`);
  }
}

/**
 * torch.utils.data's datasets (PyTorch 1.13): a map-style Dataset has a length and `get(i)` (Python's
 * `dataset[i]`); TensorDataset, Subset and ConcatDataset build on it; an IterableDataset yields its samples.
 */
import { IndexError, ValueError } from "../../errors";
import { type SliceIndex, index as indexTensor } from "../../ops/indexing";
import { empty } from "../../ops/operands";
import { Tensor } from "../../tensor";

/** A map-style dataset: `length` samples, the i-th one by `get(i)`. Subclass it and define both. */
export abstract class Dataset<T = unknown> {
  /** How many samples (Python's `len(dataset)`). */
  abstract get length(): number;
  /** The sample at `index` (Python's `dataset[index]`). */
  abstract get(index: number): T;

  /** Iterates the samples in order, as Python iterates a dataset by index. */
  *[Symbol.iterator](): Iterator<T> {
    for (let i = 0; i < this.length; i++) yield this.get(i);
  }
}

/** A dataset that yields its samples (PyTorch's IterableDataset): define `[Symbol.iterator]`. */
export abstract class IterableDataset<T = unknown> {
  abstract [Symbol.iterator](): Iterator<T>;
}

/** i, or i counted from the end when negative, checked against the length as a tensor's first dimension is. */
export function checkIndex(index: number, length: number): number {
  if (!Number.isInteger(index)) throw new TypeError(`dataset index must be an integer, but got ${index}`);
  const i = index < 0 ? index + length : index;
  if (i < 0 || i >= length) throw new IndexError(`index ${index} is out of bounds for dimension 0 with size ${length}`);
  return i;
}

/** Row i of a tensor (`t[i]`), as a new tensor holding a copy of the values (it does not take part in autograd:
 * data sets hold data, not parameters). */
export function rowOf(t: Tensor, i: number): Tensor {
  const shape = t.shape.slice(1);
  const size = shape.reduce((a, b) => a * b, 1);
  const out = empty(shape, t.dtype);
  out._data.set(t._data.subarray(i * size, (i + 1) * size));
  return out;
}

/** Samples are the rows of the given tensors, all with the same first dimension: `get(i)` is `[t1[i], t2[i], ...]`. */
export class TensorDataset extends Dataset<Tensor[]> {
  readonly tensors: Tensor[];

  constructor(...tensors: Tensor[]) {
    super();
    if (tensors.length === 0) throw new ValueError("TensorDataset needs at least one tensor");
    for (const t of tensors) {
      if (!(t instanceof Tensor)) throw new TypeError(`TensorDataset expects tensors, but got ${t === null ? "null" : typeof t}`);
      if (t.ndim === 0) throw new IndexError("TensorDataset: a 0-dim tensor has no rows to index");
    }
    if (!tensors.every((t) => t.shape[0] === tensors[0].shape[0])) throw new ValueError("Size mismatch between tensors");
    this.tensors = tensors;
  }

  get length(): number {
    return this.tensors[0].shape[0];
  }

  /** `get(i)` is sample i; a slice, `get("2:5")` or `get(Slice(2, 5))` (Python's `dataset[2:5]`), is each tensor's
   * rows in it, as PyTorch's `tuple(tensor[index] for tensor in self.tensors)`: a minibatch without a DataLoader. */
  get(index: number | string | SliceIndex): Tensor[] {
    if (typeof index !== "number") return this.tensors.map((t) => indexTensor(t, index));
    const i = checkIndex(index, this.length);
    return this.tensors.map((t) => rowOf(t, i));
  }
}

/** The samples of `dataset` at `indices`, in that order. */
export class Subset<T = unknown> extends Dataset<T> {
  constructor(
    readonly dataset: Dataset<T>,
    readonly indices: readonly number[],
  ) {
    super();
  }

  get length(): number {
    return this.indices.length;
  }

  get(index: number): T {
    return this.dataset.get(this.indices[checkIndex(index, this.indices.length)]);
  }
}

/** Several datasets one after the other. */
export class ConcatDataset<T = unknown> extends Dataset<T> {
  readonly datasets: Dataset<T>[];
  readonly cumulativeSizes: number[];

  constructor(datasets: Iterable<Dataset<T>>) {
    super();
    this.datasets = [...datasets];
    if (this.datasets.length === 0) throw new ValueError("datasets should not be an empty iterable");
    let total = 0;
    this.cumulativeSizes = this.datasets.map((d) => (total += d.length));
  }

  get length(): number {
    return this.cumulativeSizes[this.cumulativeSizes.length - 1];
  }

  get(index: number): T {
    const i = checkIndex(index, this.length);
    const which = this.cumulativeSizes.findIndex((end) => i < end);
    const start = which === 0 ? 0 : this.cumulativeSizes[which - 1];
    return this.datasets[which].get(i - start);
  }
}

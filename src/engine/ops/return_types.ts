/**
 * PyTorch's named tuples (torch.return_types.max, sort, topk, ...) and plain tuples (var_mean's), as JavaScript
 * values: fields by name (`r.values`, `r.indices`), by position (`r[0]`), destructurable (`const [v, i] = r`), and
 * printed as PyTorch prints them:
 *   torch.return_types.max(
 *   values=tensor([3., 5.]),
 *   indices=tensor([1, 0]))
 */
import type { Tensor } from "../tensor";

const INSPECT = Symbol.for("nodejs.util.inspect.custom");

/** A named tuple of two tensors: `values`/`indices` (max, min, sort, topk, kthvalue, median, mode, cummax...). */
export class ValuesIndices {
  readonly 0: Tensor;
  readonly 1: Tensor;
  readonly length = 2;

  constructor(
    readonly values: Tensor,
    readonly indices: Tensor,
    /** The PyTorch function that made it, as its repr names it: `torch.return_types.<op>`. */
    readonly op: string = "max",
  ) {
    this[0] = values;
    this[1] = indices;
    Object.defineProperty(this, "op", { enumerable: false });
  }

  *[Symbol.iterator](): IterableIterator<Tensor> {
    yield this.values;
    yield this.indices;
  }

  toString(): string {
    return `torch.return_types.${this.op}(\nvalues=${String(this.values)},\nindices=${String(this.indices)})`;
  }

  [INSPECT](): string {
    return this.toString();
  }
}

/** torch.return_types.aminmax(min=..., max=...). */
export class MinMax {
  readonly 0: Tensor;
  readonly 1: Tensor;
  readonly length = 2;

  constructor(
    readonly min: Tensor,
    readonly max: Tensor,
  ) {
    this[0] = min;
    this[1] = max;
  }

  *[Symbol.iterator](): IterableIterator<Tensor> {
    yield this.min;
    yield this.max;
  }

  toString(): string {
    return `torch.return_types.aminmax(\nmin=${String(this.min)},\nmax=${String(this.max)})`;
  }

  [INSPECT](): string {
    return this.toString();
  }
}

/** A plain array of tensors that prints as a Python tuple, `(tensor(...), tensor(...))` (what var_mean returns). */
export function pythonTuple<T extends Tensor[]>(items: T): T {
  const text = (): string => `(${items.map(String).join(", ")}${items.length === 1 ? "," : ""})`;
  Object.defineProperty(items, INSPECT, { value: text, enumerable: false });
  Object.defineProperty(items, "toString", { value: text, enumerable: false });
  return items;
}

/**
 * torch.utils.data's default_collate (PyTorch 1.13): a list of samples becomes one batch, element by element.
 * Tensors are stacked along a new first dimension; numbers become a tensor (int64 for integers, float64 otherwise,
 * as Python's int and float: JavaScript cannot tell 1.0 from 1, so a whole number collates as int64); booleans a
 * bool tensor; strings stay a list; arrays (Python's tuples and lists) and plain objects (dicts) are collated per
 * position or key.
 */
import { allocate, type DType } from "../../dtype";
import { RuntimeError } from "../../errors";
import { empty } from "../../ops/operands";
import { recorder } from "../../recorder";
import { formatShape, sameShape } from "../../shape";
import { Tensor } from "../../tensor";

/** What default collation makes of a batch of samples of type S. */
export type Collated<S> = S extends Tensor | number | boolean
  ? Tensor
  : S extends string
    ? string[]
    : S extends readonly unknown[]
      ? { [K in keyof S]: Collated<S[K]> }
      : S extends object
        ? { [K in keyof S]: Collated<S[K]> }
        : S;

function record(t: Tensor): Tensor {
  if (recorder.current) recorder.current.onTensor(t);
  return t;
}

/** torch.stack(batch, 0) for collation (the batch is data: no autograd). */
function stack(batch: Tensor[]): Tensor {
  const first = batch[0];
  batch.forEach((t, i) => {
    if (!sameShape(t.shape, first.shape)) {
      throw new RuntimeError(`stack expects each tensor to be equal size, but got ${formatShape(first.shape)} at entry 0 and ${formatShape(t.shape)} at entry ${i}`);
    }
  });
  const dtypes = new Set(batch.map((t) => t.dtype));
  const dtype: DType = dtypes.size === 1 ? first.dtype : dtypes.has("float64") ? "float64" : dtypes.has("float32") ? "float32" : "int64";
  const out = empty([batch.length, ...first.shape], dtype);
  const size = first.numel();
  batch.forEach((t, i) => {
    if (t.dtype === dtype) out._data.set(t._data, i * size);
    else for (let k = 0; k < size; k++) out._data[i * size + k] = dtype === "float32" ? Math.fround(t._data[k]) : t._data[k];
  });
  return out;
}

function numbers(batch: Array<number | boolean>): Tensor {
  const dtype: DType = batch.every((v) => typeof v === "boolean") ? "bool" : batch.every((v) => Number.isInteger(v)) ? "int64" : "float64";
  const data = allocate(dtype, batch.length);
  batch.forEach((v, i) => (data[i] = Number(v)));
  return Tensor.fromData(data, [batch.length], dtype);
}

function collateInner(batch: unknown[]): unknown {
  const elem = batch[0];
  if (elem instanceof Tensor) return stack(batch as Tensor[]);
  if (typeof elem === "number" || typeof elem === "boolean") return numbers(batch as Array<number | boolean>);
  if (typeof elem === "string") return batch;
  if (Array.isArray(elem)) {
    const size = elem.length;
    if (!batch.every((e) => Array.isArray(e) && e.length === size)) throw new RuntimeError("each element in list of batch should be of equal size");
    return elem.map((_, k) => collateInner(batch.map((e) => (e as unknown[])[k])));
  }
  if (elem !== null && typeof elem === "object" && Object.getPrototypeOf(elem) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(elem)) out[key] = collateInner(batch.map((e) => (e as Record<string, unknown>)[key]));
    return out;
  }
  const type = elem === null ? "NoneType" : typeof elem === "object" ? (elem as object).constructor?.name ?? "object" : typeof elem;
  throw new TypeError(`default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found <class '${type}'>`);
}

/** Every tensor inside a collated value, so the recorder sees the batch the user gets. */
function recordAll(v: unknown): void {
  if (v instanceof Tensor) record(v);
  else if (Array.isArray(v)) v.forEach(recordAll);
  else if (v !== null && typeof v === "object") Object.values(v).forEach(recordAll);
}

/** PyTorch's default_collate. */
export function defaultCollate<S>(batch: S[]): Collated<S> {
  if (!Array.isArray(batch) || batch.length === 0) throw new RuntimeError("default_collate: expected a non-empty list of samples");
  const out = collateInner(batch);
  recordAll(out);
  return out as Collated<S>;
}

/** PyTorch's default_convert (used without batching): samples pass through unchanged here (there are no NumPy
 * arrays to convert). */
export function defaultConvert<S>(sample: S): S {
  return sample;
}

/** Writing values into a tensor's own storage, through its strides: the one way engine code changes a tensor's values
 * in place (in-place ops, gradient accumulation, random fills, optimizer steps). */
import { scatter } from "../kernels/strided";
import { type Tensor, writes } from "../tensor";

/** Writes row-major `values`, already of t's dtype (float64 values into float32 are rounded by the typed array), into
 * t. Does not bump the version: the caller knows whether autograd should see the write. */
export function writeValues(t: Tensor, values: ArrayLike<number>): void {
  const data = t._storage.data;
  if (t._contiguous) {
    if (values !== data) data.set(values, t._offset);
  } else {
    scatter(data, { shape: t.shape, strides: t._strides, offset: t._offset }, values);
  }
  writes.epoch++;
}

/** Sets every element of t to `value` (already of t's dtype). Does not bump the version. */
export function fillValues(t: Tensor, value: number): void {
  if (t._contiguous) t._storage.data.fill(value, t._offset, t._offset + t._numel);
  else writeValues(t, new Float64Array(t._numel).fill(value));
  writes.epoch++;
}

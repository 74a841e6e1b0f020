/** What `tensor.numpy()` returns: the values with NumPy's print, so `x.detach().numpy()` reads as in a notebook. */
import type { DataArray, DType } from "./dtype";
import { formatNumpyArray } from "./print";

export class NDArray {
  constructor(
    /** Shared with the tensor, as NumPy's array shares the tensor's memory. */
    readonly data: DataArray,
    readonly shape: readonly number[],
    readonly dtype: DType,
  ) {}

  toString(): string {
    return formatNumpyArray({ shape: this.shape, dtype: this.dtype, values: this.data });
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

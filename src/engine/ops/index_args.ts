/**
 * What the joining, gathering and masking ops check of their arguments before they compute: index tensors, masks,
 * dims, and the names PyTorch's messages give dtypes.
 */
import type { DType } from "../dtype";
import { RuntimeError } from "../errors";
import { note } from "../recorder";
import { Tensor } from "../tensor";
import { describeValue } from "./operands";

/** PyTorch's scalar type names as its messages print them (`Float`, `Long`). */
export function scalarTypeName(dtype: DType): string {
  return { float32: "Float", float64: "Double", int64: "Long", bool: "Bool" }[dtype];
}

export function requireTensor(v: unknown, what: string): Tensor {
  if (v instanceof Tensor) return v;
  throw new TypeError(`${what} must be a Tensor, but got ${describeValue(v)}`);
}

/**
 * An index argument as int64. JavaScript cannot write `4` rather than `4.0`, and Gradlens's `tensor([0, 2])` and
 * `arange(n)` are float32, so a floating index whose values are all whole numbers is accepted (the Trace says so), as
 * indexing accepts it; any other dtype or a fractional value gets PyTorch's message.
 */
export function indexTensor(v: unknown, what: string, wrongDType: (dtype: DType) => Error): Tensor {
  const t = requireTensor(v, what);
  if (t.dtype === "int64") return t;
  if (t.dtype === "bool") throw wrongDType(t.dtype);
  const values = t._data;
  for (let i = 0; i < values.length; i++) if (!Number.isInteger(values[i])) throw wrongDType(t.dtype);
  note(`${what} of dtype ${t.dtype} was used as int64 indices: its values are all whole numbers (PyTorch would require int64)`);
  return Tensor.fromData(Float64Array.from(values), t.shape.slice(), "int64");
}

/** A mask that PyTorch reads as bool: bool itself, or (masked_fill, masked_scatter) any dtype holding only 0 and 1. */
export function zeroOneMask(mask: Tensor): Tensor {
  if (mask.dtype === "bool") return mask;
  const values = mask._data;
  for (let i = 0; i < values.length; i++) {
    if (values[i] !== 0 && values[i] !== 1) throw new RuntimeError("Mask tensor can take 0 and 1 values only");
  }
  return Tensor.fromData(Uint8Array.from(values), mask.shape.slice(), "bool");
}

/** A tensor's elements around `dim` as a 3-level loop: `outer` blocks of `size` rows of `inner` contiguous values. */
export interface DimLayout {
  outer: number;
  size: number;
  inner: number;
}

export function dimLayout(shape: readonly number[], dim: number): DimLayout {
  let outer = 1;
  for (let i = 0; i < dim; i++) outer *= shape[i];
  let inner = 1;
  for (let i = dim + 1; i < shape.length; i++) inner *= shape[i];
  return { outer, size: shape.length === 0 ? 1 : shape[dim], inner };
}

/** Accepts `f(0, 1)`, `f([0, 1])` and `f()` for a list of integers (dims, sizes, shifts). */
export function intList(args: ReadonlyArray<number | readonly number[]>, what: string): number[] {
  const raw = args.length === 1 && Array.isArray(args[0]) ? (args[0] as readonly unknown[]) : (args as readonly unknown[]);
  return raw.map((v, i) => {
    if (typeof v !== "number" || !Number.isInteger(v)) throw new TypeError(`${what}: element ${i} must be an integer, but got ${describeValue(v)}`);
    return v;
  });
}

/** What every op needs before it computes: operands as tensors, the result dtype, a fresh output. */
import { allocate, castScalar, type DataArray, type DType, isFloating, resultType } from "../dtype";
import { Tensor, type TensorOrScalar } from "../tensor";

/** A plain number becomes a 0-dim "wrapped number" tensor, which type promotion ranks below real tensors. */
export function operand(v: TensorOrScalar | boolean): Tensor {
  if (v instanceof Tensor) return v;
  if (typeof v === "boolean") return wrapped(v ? 1 : 0, "bool");
  if (typeof v !== "number") throw new TypeError(`expected a Tensor or a number, but got ${describeValue(v)}`);
  return wrapped(v, Number.isInteger(v) ? "int64" : "float64");
}

/** Wrapped numbers are never written to, so the same constant in a loop (`y.mul(1.0001)`) can share one tensor:
 * a hot loop then allocates no tensor for its constants. */
const wrappedCache = new Map<number, Tensor>();
const WRAPPED_CACHE_SIZE = 256;

function wrapped(v: number, dtype: DType): Tensor {
  const cacheable = dtype !== "bool" && !Object.is(v, -0);
  if (cacheable) {
    const hit = wrappedCache.get(v);
    if (hit !== undefined && hit.dtype === dtype) return hit;
  }
  const t = Tensor.fromData(dtype === "bool" ? Uint8Array.of(v) : Float64Array.of(v), [], dtype);
  t._wrappedNumber = true;
  if (cacheable) {
    if (wrappedCache.size >= WRAPPED_CACHE_SIZE) wrappedCache.delete(wrappedCache.keys().next().value as number);
    wrappedCache.set(v, t);
  }
  return t;
}

export function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return (v as object).constructor?.name ?? "an object";
  return `${typeof v} ${JSON.stringify(v)}`;
}

export function promote(a: Tensor, b: Tensor): DType {
  // The common cases first: this runs on every binary op.
  if (a.dtype === b.dtype) return a.dtype;
  if (b._wrappedNumber && isFloating(a.dtype) && !a._wrappedNumber) return a.dtype;
  return resultType([a, b].map((t) => ({ dtype: t.dtype, wrappedNumber: t._wrappedNumber, ndim: t.ndim })));
}

/** The values of `t` as `dtype` would hold them (a copy only when the dtype differs). */
export function valuesAs(t: Tensor, dtype: DType): DataArray {
  if (t.dtype === dtype) return t._data;
  const src = t._data;
  const out = allocate(dtype, src.length);
  for (let i = 0; i < src.length; i++) out[i] = castScalar(dtype, src[i]);
  return out;
}

export function empty(shape: number[], dtype: DType): Tensor {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return Tensor.fromData(allocate(dtype, n), shape, dtype);
}

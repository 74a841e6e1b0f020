/** Element types, their storage, and PyTorch's type promotion. */

export type DType = "float32" | "float64" | "int64" | "bool";

/** int64 is held in a Float64Array: exact for every integer up to 2^53, which covers indices and counts, and it
 * keeps one code path for arithmetic instead of a BigInt one. */
export type DataArray = Float32Array | Float64Array | Uint8Array;

export const DTYPES: readonly DType[] = ["float32", "float64", "int64", "bool"];
export const DEFAULT_FLOAT: DType = "float32";

export function allocate(dtype: DType, length: number): DataArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(length);
    case "float64":
    case "int64":
      return new Float64Array(length);
    case "bool":
      return new Uint8Array(length);
  }
}

export function isFloating(dtype: DType): boolean {
  return dtype === "float32" || dtype === "float64";
}

/** Converts a value as storing it into a tensor of `dtype` would (int64 truncates toward zero, like a C cast). */
export function castScalar(dtype: DType, v: number): number {
  switch (dtype) {
    case "float32":
      return Math.fround(v);
    case "float64":
      return v;
    case "int64":
      return Math.trunc(v);
    case "bool":
      return v !== 0 ? 1 : 0;
  }
}

export function checkDType(dtype: unknown, where: string): DType {
  if (typeof dtype === "string" && (DTYPES as readonly string[]).includes(dtype)) return dtype as DType;
  if (dtype === "float16" || dtype === "bfloat16" || dtype === "half") {
    throw new TypeError(`${where}: ${dtype === "half" ? "float16" : dtype} is not supported by Gradlens (it computes in float32 and float64 only); use "float32" or "float64"`);
  }
  throw new TypeError(`${where}: dtype must be one of ${DTYPES.map((d) => `"${d}"`).join(", ")}, but got ${JSON.stringify(dtype)}`);
}

/** PyTorch's name for a dtype, as messages print it. */
export function torchTypeName(dtype: DType): string {
  return { float32: "torch.FloatTensor", float64: "torch.DoubleTensor", int64: "torch.LongTensor", bool: "torch.BoolTensor" }[dtype];
}

const RANK: Record<DType, number> = { bool: 0, int64: 1, float32: 2, float64: 3 };
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/** One operand of an op, as type promotion sees it. */
export interface PromotionOperand {
  dtype: DType;
  /** A plain JS number the user passed (PyTorch's "wrapped number"). */
  wrappedNumber: boolean;
  ndim: number;
}

/**
 * torch.result_type: tensors with dimensions decide first, then zero-dim tensors, then plain numbers; a lower
 * priority class only matters when it is of a higher category (bool < integer < floating). So `float32 tensor + 2.5`
 * stays float32, and `int64 tensor * 1.5` becomes float32 (a plain float number counts as the default float type).
 */
export function resultType(operands: readonly PromotionOperand[]): DType {
  let dimResult: DType | null = null;
  let zeroDimResult: DType | null = null;
  let wrappedResult: DType | null = null;
  for (const o of operands) {
    if (o.wrappedNumber) {
      const d = isFloating(o.dtype) ? DEFAULT_FLOAT : o.dtype;
      wrappedResult = wrappedResult ? promoteTypes(wrappedResult, d) : d;
    } else if (o.ndim === 0) zeroDimResult = zeroDimResult ? promoteTypes(zeroDimResult, o.dtype) : o.dtype;
    else dimResult = dimResult ? promoteTypes(dimResult, o.dtype) : o.dtype;
  }
  return combineCategories(dimResult, combineCategories(zeroDimResult, wrappedResult)) ?? DEFAULT_FLOAT;
}

function combineCategories(higher: DType | null, lower: DType | null): DType | null {
  if (higher === null) return lower;
  if (lower === null || isFloating(higher)) return higher;
  if (higher === "bool" || isFloating(lower)) return promoteTypes(higher, lower);
  return higher;
}

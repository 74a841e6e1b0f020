/** Element types, their storage (and the one place it is allocated), and PyTorch's type promotion. */
import { RuntimeError } from "./errors";

export type DType = "float32" | "float64" | "int64" | "bool";

/** int64 is held in a Float64Array: exact for every integer up to 2^53, which covers indices and counts, and it
 * keeps one code path for arithmetic instead of a BigInt one. */
export type DataArray = Float32Array | Float64Array | Uint8Array;

export const DTYPES: readonly DType[] = ["float32", "float64", "int64", "bool"];
export const DEFAULT_FLOAT: DType = "float32";

/** Bytes one element of each dtype takes in storage. */
export const BYTES_PER_ELEMENT: Readonly<Record<DType, number>> = { float32: 4, float64: 8, int64: 8, bool: 1 };

/**
 * How much array memory a run may hold. The engine imports nothing from Node, so whoever sets a budget (the runner)
 * says how to read the memory in use and how to free what is unreachable. With no budget (the default) nothing is
 * counted and allocation costs nothing extra.
 */
export interface StorageBudget {
  readonly limitBytes: number;
  /** Bytes of array memory in use now, live or not yet collected (the runner reads V8's ArrayBuffer count). */
  inUse(): number;
  /** A full garbage collection, after which inUse() counts live arrays only. */
  collect(): void;
}

/** PyTorch's RuntimeError for an allocation the memory limit refuses; the runner reports it as out of memory. */
export class StorageLimitError extends RuntimeError {}

let budget: StorageBudget | null = null;
/** inUse() when last read, and bytes allocated since: together an upper bound on what is in use now. */
let measured = 0;
let allocatedSince = 0;

/** The array memory limit in force, or null when none is (the checks size what they replay by it). */
export function storageLimitBytes(): number | null {
  return budget ? budget.limitBytes : null;
}

export function setStorageBudget(b: StorageBudget | null): void {
  budget = b;
  measured = b ? b.inUse() : 0;
  allocatedSince = 0;
}

function mb(bytes: number): string {
  return `${(bytes / 2 ** 20).toLocaleString("en-US", { maximumFractionDigits: 1 })} MB`;
}

/** Counts `bytes` against the budget; reads the real figure (and collects garbage) only when the bound says the
 * limit may be near, so that small allocations cost one addition. `allocated`: the memory exists already (a typed
 * array made outside allocate()), so the real figure includes it. */
function charge(bytes: number, what: () => string, allocated: boolean): void {
  const b = budget!;
  if (measured + allocatedSince + bytes <= b.limitBytes) {
    allocatedSince += bytes;
    return;
  }
  const needed = allocated ? 0 : bytes;
  measured = b.inUse();
  allocatedSince = 0;
  if (measured + needed > b.limitBytes) {
    b.collect();
    measured = b.inUse();
  }
  if (measured + needed > b.limitBytes) {
    throw new StorageLimitError(
      `can't allocate memory: you tried to allocate ${bytes.toLocaleString("en-US")} bytes (${what()}, ${mb(bytes)}) while ` +
        `${mb(allocated ? measured - bytes : measured)} of arrays are in use, and the memory limit is ${mb(b.limitBytes)}`,
    );
  }
  allocatedSince = needed;
}

/** A tensor's storage made outside allocate() (an op that filled a typed array of its own): counted all the same,
 * after the fact. Tensor.fromData calls it for every new storage; one from allocate() is counted twice, which only
 * makes the real figure read sooner. */
export function adoptStorage(data: DataArray): void {
  if (budget) charge(data.byteLength, () => `${data.length.toLocaleString("en-US")} elements`, true);
}

/** Storage for `length` elements: every tensor's values are allocated here, so a memory budget sees them all. */
export function allocate(dtype: DType, length: number): DataArray {
  const bytes = length * BYTES_PER_ELEMENT[dtype];
  if (budget) charge(bytes, () => `${length.toLocaleString("en-US")} ${dtype} elements`, false);
  if (bytes <= SMALL_BYTES && length > 0) {
    if (slabUsed + bytes > SLAB_BYTES) {
      slab = new ArrayBuffer(SLAB_BYTES);
      slabUsed = 0;
    }
    const at = slabUsed;
    slabUsed += (bytes + 7) & ~7;
    switch (dtype) {
      case "float32":
        return new Float32Array(slab, at, length);
      case "float64":
      case "int64":
        return new Float64Array(slab, at, length);
      case "bool":
        return new Uint8Array(slab, at, length);
    }
  }
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

/**
 * Small storages (a scalar, a 4×4) are cut from shared 8 KB slabs rather than given an ArrayBuffer each: V8 tracks
 * every ArrayBuffer apart, and with a long chain's hundreds of thousands of tiny tensors alive that bookkeeping made
 * every garbage collection slower and recording quadratic (a 500k-op chain: 19 s, now 3 s). A slab is zeroed when
 * made and never reused, so a storage starts at zero as `new Float32Array(n)` does; it stays alive while any tensor
 * cut from it does (at most 8 KB for a 16-byte tensor). Nothing may take `.buffer` of a storage as its own.
 */
const SMALL_BYTES = 128;
const SLAB_BYTES = 8192;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabUsed = 0;

/** A float64 copy of `values` (any dtype's storage), allocated through the budget, copied without a detour through
 * JavaScript arrays (`Float64Array.from(values, fn)` builds one, 24 bytes an element). */
export function float64Copy(values: ArrayLike<number>): Float64Array {
  const out = allocate("float64", values.length) as Float64Array;
  if (ArrayBuffer.isView(values)) out.set(values as unknown as ArrayLike<number>);
  else for (let i = 0; i < values.length; i++) out[i] = values[i];
  return out;
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

/**
 * Ops that count distinct values: unique, unique_consecutive, bincount, histc. None has a derivative in PyTorch 1.13:
 * unique's values and bincount's weighted counts keep a node (Unique2Backward0, NotImplemented...) whose backward
 * fails, as PyTorch's do; histc's result never requires grad.
 */
import { isFloating } from "../dtype";
import { NotImplementedError, RuntimeError } from "../errors";
import { normalizeDim } from "../shape";
import { Tensor, addMethods } from "../tensor";
import { around } from "./along_dim";
import { apply, defineOp } from "./op";
import { empty } from "./operands";
import { refuse } from "./pointwise_op";

export interface UniqueOptions {
  /** PyTorch leaves the order of sorted=False unspecified (CPU: a hash set's); Gradlens returns them sorted. */
  sorted?: boolean;
  returnInverse?: boolean;
  returnCounts?: boolean;
  dim?: number | null;
}

interface UniqueParts {
  values: Tensor;
  inverse: Tensor;
  counts: Tensor;
}

interface UniqueAttrs {
  dim: number | null;
  consecutive: boolean;
  /** Inverse and counts of the first forward (the ones the caller gets); a replay recomputes them unseen. */
  sides?: UniqueParts;
}

/** Unique values of all elements. Like PyTorch 1.13's CPU kernel, NaNs are all distinct (sorted last), and each NaN's
 * inverse and count are 0. */
function uniqueFlat(t: Tensor): UniqueParts {
  const src = t._data;
  const numbers = [...new Set(Array.from(src).filter((v) => v === v))].sort((a, b) => a - b);
  const nanCount = src.length - Array.from(src).filter((v) => v === v).length;
  const values = empty([numbers.length + nanCount], t.dtype);
  numbers.forEach((v, i) => (values._data[i] = v));
  for (let i = 0; i < nanCount; i++) values._data[numbers.length + i] = NaN;
  const position = new Map(numbers.map((v, i) => [v, i]));
  const inverse = empty(t.shape.slice(), "int64");
  const counts = empty([values.shape[0]], "int64");
  src.forEach((v, i) => {
    const at = position.get(v);
    if (at === undefined) return;
    inverse._data[i] = at;
    counts._data[at]++;
  });
  return { values, inverse, counts };
}

/** Runs of equal neighbours (NaN equals nothing). */
function uniqueConsecutiveFlat(t: Tensor): UniqueParts {
  const src = t._data;
  const kept: number[] = [];
  const runs: number[] = [];
  const inverse = empty(t.shape.slice(), "int64");
  src.forEach((v, i) => {
    if (i === 0 || v !== src[i - 1]) {
      kept.push(v);
      runs.push(0);
    }
    runs[runs.length - 1]++;
    inverse._data[i] = kept.length - 1;
  });
  const values = empty([kept.length], t.dtype);
  kept.forEach((v, i) => (values._data[i] = v));
  const counts = empty([runs.length], "int64");
  runs.forEach((c, i) => (counts._data[i] = c));
  return { values, inverse, counts };
}

/** The slices of t along dim, each as its row-major values. */
function slicesAlong(t: Tensor, dim: number): number[][] {
  const { outer, size, inner } = around(t.shape, dim);
  const src = t._data;
  return Array.from({ length: size }, (_, k) => {
    const slice: number[] = [];
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) slice.push(src[(o * size + k) * inner + i]);
    return slice;
  });
}

function lexicographic(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

/** Unique (or consecutive-unique) slices along dim, stacked back along dim. */
function uniqueSlices(t: Tensor, dim: number, consecutive: boolean): UniqueParts {
  const slices = slicesAlong(t, dim);
  const order = slices.map((_, k) => k);
  if (!consecutive) order.sort((a, b) => lexicographic(slices[a], slices[b]) || a - b);
  const groups: number[][] = [];
  order.forEach((k, j) => {
    if (j === 0 || lexicographic(slices[order[j - 1]], slices[k]) !== 0) groups.push([]);
    groups[groups.length - 1].push(k);
  });
  const shape = t.shape.map((s, i) => (i === dim ? groups.length : s));
  const values = empty(shape, t.dtype);
  const { outer, inner } = around(t.shape, dim);
  const inverse = empty([slices.length], "int64");
  const counts = empty([groups.length], "int64");
  groups.forEach((members, g) => {
    const slice = slices[members[0]];
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) values._data[(o * groups.length + g) * inner + i] = slice[o * inner + i];
    for (const k of members) inverse._data[k] = g;
    counts._data[g] = members.length;
  });
  return { values, inverse, counts };
}

function uniqueParts(t: Tensor, { dim, consecutive }: UniqueAttrs): UniqueParts {
  if (dim === null) return consecutive ? uniqueConsecutiveFlat(t) : uniqueFlat(t);
  return uniqueSlices(t, dim, consecutive);
}

/** PyTorch's ATen function behind each form, as its "not implemented" message names it. */
function atenName({ dim, consecutive }: UniqueAttrs): string {
  return consecutive ? "unique_consecutive" : dim === null ? "_unique2" : "unique_dim";
}

const uniqueOp = defineOp<UniqueAttrs>({
  name: "unique",
  gradFnName: ({ dim, consecutive }) => (consecutive ? "UniqueConsecutiveBackward0" : dim === null ? "Unique2Backward0" : "UniqueDimBackward0"),
  forward: ([t], attrs) => {
    const parts = uniqueParts(t, attrs);
    attrs.sides ??= parts;
    return parts.values;
  },
  backward: ({ attrs }) => {
    throw new NotImplementedError(`the derivative for '${atenName(attrs)}' is not implemented.`);
  },
});

type WithInverse = { returnInverse: true };
type WithCounts = { returnCounts: true };

function runUnique(t: Tensor, options: UniqueOptions, consecutive: boolean): Tensor | Tensor[] {
  const dim = options.dim === undefined || options.dim === null ? null : normalizeDim(options.dim, t.ndim);
  const attrs: UniqueAttrs = { dim, consecutive };
  const values = apply(uniqueOp, [t], attrs);
  const { inverse, counts } = attrs.sides!;
  if (!options.returnInverse && !options.returnCounts) return values;
  const out = [values];
  if (options.returnInverse) out.push(inverse);
  if (options.returnCounts) out.push(counts);
  return out;
}

/** torch.unique: the distinct values (or slices along `dim`), sorted; with `returnInverse` and `returnCounts` a list
 * [values, inverse?, counts?] as PyTorch's tuple. */
export function unique(t: Tensor, options: UniqueOptions & WithInverse & WithCounts): [Tensor, Tensor, Tensor];
export function unique(t: Tensor, options: UniqueOptions & (WithInverse | WithCounts)): [Tensor, Tensor];
export function unique(t: Tensor, options?: UniqueOptions): Tensor;
export function unique(t: Tensor, options: UniqueOptions = {}): Tensor | Tensor[] {
  return runUnique(t, options, false);
}

export type UniqueConsecutiveOptions = Omit<UniqueOptions, "sorted">;

/** torch.unique_consecutive: collapses each run of equal neighbours (or slices along `dim`) to one. */
export function uniqueConsecutive(t: Tensor, options: UniqueConsecutiveOptions & WithInverse & WithCounts): [Tensor, Tensor, Tensor];
export function uniqueConsecutive(t: Tensor, options: UniqueConsecutiveOptions & (WithInverse | WithCounts)): [Tensor, Tensor];
export function uniqueConsecutive(t: Tensor, options?: UniqueConsecutiveOptions): Tensor;
export function uniqueConsecutive(t: Tensor, options: UniqueConsecutiveOptions = {}): Tensor | Tensor[] {
  return runUnique(t, options, true);
}

// ---- bincount, histc ----

interface BincountAttrs {
  minlength: number;
}

const bincountOp = defineOp<BincountAttrs>({
  name: "bincount",
  gradFnName: "NotImplemented",
  forward: ([t, weights], { minlength }) => {
    const src = t._data;
    let top = -1;
    for (let i = 0; i < src.length; i++) top = Math.max(top, src[i]);
    const dtype = weights === undefined ? "int64" : weights.dtype === "float32" ? "float32" : "float64";
    const out = empty([Math.max(top + 1, minlength)], dtype);
    const w = weights?._data;
    for (let i = 0; i < src.length; i++) out._data[src[i]] += w === undefined ? 1 : w[i];
    return out;
  },
  backward: () => {
    throw new RuntimeError("derivative for aten::bincount is not implemented");
  },
});

export interface BincountOptions {
  weights?: Tensor | null;
  minlength?: number;
}

/** torch.bincount: how often each value 0..max occurs in a 1-d tensor of non-negative integers (or the sum of
 * `weights` there; float32 weights give float32, other weights float64). */
export function bincount(t: Tensor, options: BincountOptions = {}): Tensor {
  const minlength = options.minlength ?? 0;
  const weights = options.weights ?? undefined;
  if (!Number.isInteger(minlength) || minlength < 0) throw new RuntimeError("minlength should be >= 0");
  if (t.dtype !== "int64") refuse("bincount_cpu", t.dtype);
  if (t.ndim !== 1 || Array.from(t._data).some((v) => v < 0)) throw new RuntimeError("bincount only supports 1-d non-negative integral inputs.");
  if (weights !== undefined && (weights.ndim !== 1 || weights.shape[0] !== t.shape[0])) {
    throw new RuntimeError("weights should be 1-d and have the same length as input");
  }
  return apply(bincountOp, weights === undefined ? [t] : [t, weights], { minlength });
}

interface HistcAttrs {
  bins: number;
  min: number;
  max: number;
}

const histcOp = defineOp<HistcAttrs>({
  name: "histc",
  gradFnName: "HistcBackward0",
  differentiable: false,
  forward: ([t], { bins, min, max }) => {
    const out = empty([bins], t.dtype);
    // ATen's linear bin: (x − min)·bins / (max − min), truncated, in the input's own precision.
    const r = t.dtype === "float32" ? Math.fround : (x: number) => x;
    const lo = r(min);
    const hi = r(max);
    const width = r(hi - lo);
    for (const x of t._data) {
      if (x < lo || x > hi) continue;
      // NaN passes 1.13's range test, and its bin (int64 of NaN, times 8 bytes) wraps round to bin 0.
      let pos = x !== x ? 0 : Math.trunc(r(r(r(x - lo) * bins) / width));
      if (pos === bins) pos -= 1;
      out._data[pos] += 1;
    }
    return out;
  },
  backward: () => {
    throw new RuntimeError("derivative for aten::histc is not implemented");
  },
});

export interface HistcOptions {
  bins?: number;
  min?: number;
  max?: number;
}

/** torch.histc: counts in `bins` equal-width bins over [min, max] (the data's range when min = max); elements
 * outside are ignored. */
export function histc(t: Tensor, options: HistcOptions = {}): Tensor {
  const bins = options.bins ?? 100;
  let min = options.min ?? 0;
  let max = options.max ?? 0;
  if (!isFloating(t.dtype)) refuse("histogram_cpu", t.dtype);
  if (!Number.isInteger(bins) || bins <= 0) throw new RuntimeError(`torch.histogram(): bins must be > 0, but got ${bins} for dimension 0`);
  if (min > max) throw new RuntimeError("torch.histc: max must be larger than min");
  if (min === max && t.numel() > 0) {
    const values = Array.from(t._data);
    min = values.reduce((a, b) => (a !== a || b < a ? b : a));
    max = values.reduce((a, b) => (a !== a || b > a ? b : a));
  }
  if (min === max) {
    min -= 1;
    max += 1;
  }
  if (!Number.isFinite(min) || !Number.isFinite(max)) throw new RuntimeError(`torch.histc: range of [${cNumber(min)}, ${cNumber(max)}] is not finite`);
  return apply(histcOp, [t], { bins, min, max });
}

/** A number as C++'s stream prints it in PyTorch's messages (inf, -inf, nan). */
function cNumber(v: number): string {
  return v !== v ? "nan" : v === Infinity ? "inf" : v === -Infinity ? "-inf" : String(v);
}

declare module "../tensor" {
  interface Tensor {
    /** PyTorch's `unique`: the distinct values (or slices along `dim`), with their inverse and counts on request. */
    unique(options: UniqueOptions & WithInverse & WithCounts): [Tensor, Tensor, Tensor];
    unique(options: UniqueOptions & (WithInverse | WithCounts)): [Tensor, Tensor];
    unique(options?: UniqueOptions): Tensor;
    /** PyTorch's `unique_consecutive`: each run of equal neighbours collapsed to one. */
    uniqueConsecutive(options: UniqueConsecutiveOptions & WithInverse & WithCounts): [Tensor, Tensor, Tensor];
    uniqueConsecutive(options: UniqueConsecutiveOptions & (WithInverse | WithCounts)): [Tensor, Tensor];
    uniqueConsecutive(options?: UniqueConsecutiveOptions): Tensor;
    /** PyTorch's `bincount`: occurrences (or summed weights) of each non-negative integer. */
    bincount(options?: BincountOptions): Tensor;
    /** PyTorch's `histc`: a histogram of `bins` equal bins over [min, max]. */
    histc(options?: HistcOptions): Tensor;
  }
}

addMethods({
  unique(this: Tensor, options?: UniqueOptions) {
    return runUnique(this, options ?? {}, false);
  },
  uniqueConsecutive(this: Tensor, options?: UniqueConsecutiveOptions) {
    return runUnique(this, options ?? {}, true);
  },
  bincount(this: Tensor, options?: BincountOptions) {
    return bincount(this, options);
  },
  histc(this: Tensor, options?: HistcOptions) {
    return histc(this, options);
  },
});

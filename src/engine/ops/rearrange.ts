/**
 * Moving or repeating elements: flip (fliplr, flipud), roll, repeat (tile), repeatInterleave. Each makes a new tensor
 * (PyTorch copies too); flip and roll are their own inverses' kin, so their gradients are a flip and a roll back,
 * and repeat's sums the copies.
 */
import { RuntimeError } from "../errors";
import { type Geometry, gather } from "../kernels/strided";
import { contiguousStrides, normalizeDim } from "../shape";
import { Tensor, addMethods } from "../tensor";
import { dimLayout, indexTensor, intList, requireTensor } from "./index_args";
import { indexSelect } from "./index_select";
import { apply, defineOp, type OpDef } from "./op";
import { describeValue, empty } from "./operands";
import { flatten, reshape } from "./views";

/** Normalised dims, each at most once (`dim 0 appears multiple times in the list of dims`). */
function distinctDims(dims: readonly number[], ndim: number): number[] {
  const out = dims.map((d) => normalizeDim(d, ndim));
  out.forEach((d, i) => {
    if (out.indexOf(d) !== i) throw new RuntimeError(`dim ${d} appears multiple times in the list of dims`);
  });
  return out;
}

// ---- flip ----

const flipOp: OpDef<number[]> = defineOp<number[]>({
  name: "flip",
  gradFnName: "FlipBackward0",
  forward: ([t], dims) => {
    // A flip is a row-major read with the flipped dims' strides negated, starting from their last element.
    const strides = contiguousStrides(t.shape);
    let offset = 0;
    for (const d of dims) {
      offset += (t.shape[d] - 1) * strides[d];
      strides[d] = -strides[d];
    }
    const out = empty(t.shape.slice(), t.dtype);
    if (out.numel() > 0) gather(t._data, { shape: t.shape, strides, offset }, out._data);
    return out;
  },
  backward: ({ attrs: dims }, g) => [apply(flipOp, [g], dims)],
});

/** `torch.flip(input, dims)`: the elements in reverse order along each of dims. */
export function flip(t: Tensor, ...dims: Array<number | readonly number[]>): Tensor {
  const d = distinctDims(intList(dims, "flip()"), t.ndim);
  // A 0-dim tensor accepts dim 0 and -1, and has nothing to reverse.
  return apply(flipOp, [t], t.ndim === 0 ? [] : d);
}

/** `torch.fliplr`: columns reversed (dim 1). */
export function fliplr(t: Tensor): Tensor {
  if (t.ndim < 2) throw new RuntimeError("Input must be >= 2-d.");
  return apply(flipOp, [t], [1]);
}

/** `torch.flipud`: rows reversed (dim 0). */
export function flipud(t: Tensor): Tensor {
  if (t.ndim < 1) throw new RuntimeError("Input must be >= 1-d.");
  return apply(flipOp, [t], [0]);
}

// ---- roll ----

interface RollAttrs {
  shifts: number[];
  /** Empty: the tensor is rolled as if flattened. */
  dims: number[];
}

/** Row-major `src` of `shape` rolled by `shift` along `dim` into `dst`. */
function rollAlong(src: ArrayLike<number>, shape: readonly number[], dim: number, shift: number, dst: { [i: number]: number }): void {
  const { outer, size, inner } = dimLayout(shape, dim);
  if (size === 0) return;
  const s = ((shift % size) + size) % size;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < size; i++) {
      const from = (o * size + i) * inner;
      const to = (o * size + ((i + s) % size)) * inner;
      for (let j = 0; j < inner; j++) dst[to + j] = src[from + j];
    }
  }
}

const rollOp: OpDef<RollAttrs> = defineOp<RollAttrs>({
  name: "roll",
  gradFnName: "RollBackward0",
  forward: ([t], { shifts, dims }) => {
    const out = empty(t.shape.slice(), t.dtype);
    if (dims.length === 0) {
      rollAlong(t._data, [t.numel()], 0, shifts[0], out._data);
      return out;
    }
    let values: ArrayLike<number> = t._data;
    dims.forEach((d, i) => {
      const next = i === dims.length - 1 ? out._data : new Float64Array(values.length);
      rollAlong(values, t.shape, d, shifts[i], next);
      values = next;
    });
    return out;
  },
  backward: ({ attrs: { shifts, dims } }, g) => [apply(rollOp, [g], { shifts: shifts.map((s) => -s), dims })],
});

/** `torch.roll(input, shifts, dims)`: elements shifted along dims, those that fall off coming back at the start;
 * with no dims, the tensor is rolled as if flattened and keeps its shape. */
export function roll(t: Tensor, shifts: number | readonly number[], dims?: number | readonly number[] | null): Tensor {
  const s = intList([shifts], "roll(): shifts");
  const d = dims === undefined || dims === null ? [] : intList([dims], "roll(): dims");
  if (s.length === 0) throw new RuntimeError("`shifts` required");
  if (d.length === 0 && s.length === 1) return apply(rollOp, [t], { shifts: s, dims: [] });
  if (s.length !== d.length) throw new RuntimeError(`shifts and dimensions must align. shifts: ${s.length}, dims:${d.length}`);
  return apply(rollOp, [t], { shifts: s, dims: d.map((k) => normalizeDim(k, t.ndim)) });
}

// ---- repeat, tile ----

/** Tiling as a strided read: a tensor of shape s seen as [r0, s0, r1, s1, ...] with stride 0 over the copies. */
function repeatGeometry(shape: readonly number[], repeats: readonly number[]): Geometry {
  const padded = [...new Array<number>(repeats.length - shape.length).fill(1), ...shape];
  const strides = contiguousStrides(padded);
  return {
    shape: padded.flatMap((n, i) => [repeats[i], n]),
    strides: strides.flatMap((s) => [0, s]),
    offset: 0,
  };
}

const repeatOp = defineOp<number[]>({
  name: "repeat",
  gradFnName: "RepeatBackward0",
  forward: ([t], repeats) => {
    const g = repeatGeometry(t.shape, repeats);
    const shape = repeats.map((r, i) => r * g.shape[2 * i + 1]);
    const out = empty(shape, t.dtype);
    if (out.numel() > 0) gather(t._data, g, out._data);
    return out;
  },
  // The gradient of each element is the sum over its copies: split every dim into (copy, element) and sum the copies.
  backward: ({ inputs: [x], attrs: repeats }, g) => {
    if (repeats.length === 0) return [g];
    const split = repeatGeometry(x.shape, repeats).shape;
    const copies = repeats.map((_, i) => 2 * i);
    return [reshape(reshape(g, [split]).sum(copies), [x.shape.slice()])];
  },
});

/** `x.repeat(*sizes)`: the tensor tiled sizes[i] times along each dim (leading sizes add dims). */
export function repeat(t: Tensor, ...sizes: Array<number | readonly number[]>): Tensor {
  const repeats = intList(sizes, "repeat()");
  if (repeats.length < t.ndim) throw new RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor");
  const lead = repeats.length - t.ndim;
  const shape = repeats.map((r, i) => r * (i < lead ? 1 : t.shape[i - lead]));
  const negative = shape.find((n) => n < 0);
  if (negative !== undefined) throw new RuntimeError(`Trying to create tensor with negative dimension ${negative}: [${shape.join(", ")}]`);
  return apply(repeatOp, [t], repeats);
}

/** `torch.tile(input, dims)`: repeat, with dims padded by leading 1s when shorter than the tensor's. */
export function tile(t: Tensor, ...dims: Array<number | readonly number[]>): Tensor {
  const reps = intList(dims, "tile()");
  return repeat(t, [...new Array<number>(Math.max(t.ndim - reps.length, 0)).fill(1), ...reps]);
}

// ---- repeatInterleave ----

/** [0, 0, 1, 2, 2, 2] for repeats [2, 1, 3]: each position as many times as it is repeated. */
function repeatedPositions(repeats: Tensor): Tensor {
  const counts = repeats._data;
  let total = 0;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] < 0) throw new RuntimeError("repeats can not be negative");
    total += counts[i];
  }
  const out = new Float64Array(total);
  for (let i = 0, k = 0; i < counts.length; i++) out.fill(i, k, (k += counts[i]));
  return Tensor.fromData(out, [total], "int64");
}

const positionsOp = defineOp({
  name: "repeatInterleavePositions",
  gradFnName: "None",
  differentiable: false,
  forward: ([repeats]) => repeatedPositions(repeats),
  backward: () => [null],
});

function repeatsTensor(repeats: unknown): Tensor {
  const r = indexTensor(requireTensor(repeats, "repeat_interleave(): repeats"), "repeat_interleave(): repeats", (dtype) =>
    new RuntimeError(`"repeat_interleave_cpu" not implemented for '${dtype === "bool" ? "Bool" : dtype === "float64" ? "Double" : "Float"}'`),
  );
  if (r.ndim > 1) throw new RuntimeError("repeats must be 0-dim or 1-dim tensor");
  return r;
}

/**
 * `torch.repeat_interleave`: each element (or each slice along dim) repeated, one after another: `x.repeatInterleave(2)`
 * flattens and doubles every element, `x.repeatInterleave(repeats, 0)` repeats row i repeats[i] times; alone,
 * `repeatInterleave(repeats)` gives the repeated positions. The result is an indexSelect, as in PyTorch.
 */
export function repeatInterleave(t: Tensor, repeats?: Tensor | number, dim?: number | null): Tensor {
  if (repeats === undefined) return apply(positionsOp, [repeatsTensor(t)], undefined);
  const input = dim === undefined || dim === null ? flatten(t) : t;
  const d = dim === undefined || dim === null ? 0 : normalizeDim(dim, t.ndim);
  const size = input.ndim === 0 ? 1 : input.shape[d];
  let counts: Tensor;
  if (typeof repeats === "number") {
    if (!Number.isInteger(repeats)) throw new TypeError(`repeat_interleave(): repeats must be an integer or a Tensor, but got ${describeValue(repeats)}`);
    if (repeats < 0) throw new RuntimeError("repeats can not be negative");
    counts = Tensor.fromData(new Float64Array(size).fill(repeats), [size], "int64");
  } else {
    const r = repeatsTensor(repeats);
    if (r.numel() === 1) counts = Tensor.fromData(new Float64Array(size).fill(r._data[0]), [size], "int64");
    else if (r.numel() !== size) throw new RuntimeError("repeats must have the same size as input along dim");
    else counts = r.ndim === 0 ? reshape(r, [[1]]) : r;
  }
  return indexSelect(input, d, repeatedPositions(counts));
}

declare module "../tensor" {
  interface Tensor {
    /** Reversed along each of dims: `x.flip(0)`, `x.flip(0, 1)`, `x.flip([0, 1])`. */
    flip(...dims: Array<number | readonly number[]>): Tensor;
    fliplr(): Tensor;
    flipud(): Tensor;
    roll(shifts: number | readonly number[], dims?: number | readonly number[] | null): Tensor;
    /** Tiled sizes[i] times along each dim: `x.repeat(2, 1)` or `x.repeat([2, 1])`. */
    repeat(...sizes: Array<number | readonly number[]>): Tensor;
    tile(...dims: Array<number | readonly number[]>): Tensor;
    repeatInterleave(repeats: Tensor | number, dim?: number | null): Tensor;
  }
}

addMethods({
  flip(this: Tensor, ...dims: Array<number | readonly number[]>) {
    return flip(this, ...dims);
  },
  fliplr(this: Tensor) {
    return fliplr(this);
  },
  flipud(this: Tensor) {
    return flipud(this);
  },
  roll(this: Tensor, shifts: number | readonly number[], dims?: number | readonly number[] | null) {
    return roll(this, shifts, dims);
  },
  repeat(this: Tensor, ...sizes: Array<number | readonly number[]>) {
    return repeat(this, ...sizes);
  },
  tile(this: Tensor, ...dims: Array<number | readonly number[]>) {
    return tile(this, ...dims);
  },
  repeatInterleave(this: Tensor, repeats: Tensor | number, dim?: number | null) {
    return repeatInterleave(this, repeats, dim);
  },
});

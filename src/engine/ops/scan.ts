/** Scans along a dim: cumsum, cumprod, logcumsumexp, cummax, cummin. */
import { type DType, checkDType, isFloating } from "../dtype";
import { normalizeDim } from "../shape";
import { Tensor, addMethods } from "../tensor";
import { around, flipAlong, flipValues, scatterAddAlong } from "./along_dim";
import { cast } from "./copy";
import { apply, defineOp } from "./op";
import { empty, valuesAs } from "./operands";
import { scalarTypeName } from "./pointwise_op";
import { RuntimeError } from "../errors";
import { ValuesIndices } from "./return_types";

/** Runs `step(acc, x)` along dim for each line, writing each running value. */
function scanAlong(t: Tensor, dim: number, dtype: DType, init: number, step: (acc: number, x: number) => number): Tensor {
  const out = empty(t.shape.slice(), dtype);
  if (t.ndim === 0) {
    out._data[0] = step(init, t._data[0]);
    return out;
  }
  const { outer, size, inner } = around(t.shape, dim);
  const src = valuesAs(t, dtype);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let acc = init;
      for (let k = 0; k < size; k++) {
        const at = (o * size + k) * inner + i;
        acc = step(acc, src[at]);
        out._data[at] = acc;
      }
    }
  }
  return out;
}

/** The sum from each position to the end of its line: cumsum's adjoint (and cumsum is its). */
const reverseCumsumOp = defineOp<number>({
  name: "reverseCumsum",
  gradFnName: "CumsumBackward0",
  forward: ([g], dim) => flipValues(scanAlong(flipValues(g, dim), dim, g.dtype, 0, (a, x) => a + x), dim),
  backward: ({ attrs: dim }, g) => [cumsumOf(g, dim)],
});

function flipAlongValues(t: Tensor, dim: number): Tensor {
  return t.ndim === 0 ? t : flipAlong(t, dim);
}

const cumsumOp = defineOp<number>({
  name: "cumsum",
  gradFnName: "CumsumBackward0",
  forward: ([t], dim) => scanAlong(t, dim, t.dtype, 0, (a, x) => a + x),
  backward: ({ attrs: dim }, g) => [apply(reverseCumsumOp, [g], dim)],
});

function cumsumOf(t: Tensor, dim: number): Tensor {
  return apply(cumsumOp, [t], dim);
}

/** Integers and bools sum as int64; `{dtype}` casts first, as PyTorch does. */
export function cumsum(t: Tensor, dim: number, options?: { dtype?: DType }): Tensor {
  const d = normalizeDim(dim, t.ndim);
  const dtype = options?.dtype !== undefined ? checkDType(options.dtype, "cumsum()") : isFloating(t.dtype) ? t.dtype : "int64";
  return cumsumOf(cast(t, dtype), d);
}

const cumprodOp = defineOp<number>({
  name: "cumprod",
  gradFnName: "CumprodBackward0",
  forward: ([t], dim) => scanAlong(t, dim, t.dtype, 1, (a, x) => a * x),
  backward: ({ inputs: [x], output, attrs: dim }, g) => {
    const flat = x.ndim === 0;
    const grad = cumprodBackward(flat ? x.reshape(1) : x, flat ? output.reshape(1) : output, flat ? g.reshape(1) : g, flat ? 0 : dim);
    return [flat ? grad.reshape([]) : grad];
  },
  saves: { inputs: [0], output: true },
});

/**
 * cumprod's gradient, grad_k = Σ_{j≥k} g_j·Π_{i≤j, i≠k} x_i. Without zeros, PyTorch's reverse_cumsum(g·out)/x. With
 * zeros (where dividing by x fails), grad_k = E_k·S_k: E the exclusive cumprod (out shifted by one, 1 first) and
 * S_k = g_k + x_{k+1}·S_{k+1} a reverse linear scan; both are differentiable, so double backward is right too.
 */
function cumprodBackward(x: Tensor, out: Tensor, g: Tensor, dim: number): Tensor {
  if (!x._data.some((v) => v === 0)) return apply(reverseCumsumOp, [g.mul(out)], dim).div(x);
  const exclusive = shiftAlong(out, dim, 1);
  return exclusive.mul(linearScan(g, x, dim, true));
}

interface ScanAttrs {
  dim: number;
  /** true: S_k = g_k + x_{k+1}·S_{k+1} (from the end); false: T_j = u_j + x_j·T_{j−1} (from the start). */
  reverse: boolean;
}

/** The two linear scans, each the other's adjoint in its first input; their gradients in x are a shifted scan times
 * the other scan (derived from ∂S_k/∂x_m = Π_{k<i<m} x_i · S_m). */
const linearScanOp = defineOp<ScanAttrs>({
  name: "linearScan",
  gradFnName: "CumprodBackwardBackward0",
  forward: ([v, x], { dim, reverse }) => {
    const out = empty(v.shape.slice(), v.dtype);
    const { outer, size, inner } = around(v.shape, dim);
    const vs = v._data;
    const xs = x._data;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const pos = (k: number) => (o * size + k) * inner + i;
        let acc = 0;
        if (reverse) {
          for (let k = size - 1; k >= 0; k--) {
            acc = k === size - 1 ? vs[pos(k)] : vs[pos(k)] + xs[pos(k + 1)] * acc;
            out._data[pos(k)] = acc;
          }
        } else {
          for (let k = 0; k < size; k++) {
            acc = k === 0 ? vs[pos(k)] : vs[pos(k)] + xs[pos(k)] * acc;
            out._data[pos(k)] = acc;
          }
        }
      }
    }
    return out;
  },
  backward: ({ inputs: [, x], output, attrs: { dim, reverse }, needsInputGrad: [, dx] }, u) => {
    const adjoint = linearScan(u, x, dim, !reverse);
    if (!dx) return [adjoint, null];
    // reverse: dx_m = T_{m−1}·S_m with T the forward scan of u; forward: dx_m = T_{m−1}·(reverse scan of u)_m.
    const gradX = reverse ? shiftAlong(adjoint, dim, 0).mul(output) : shiftAlong(output, dim, 0).mul(adjoint);
    return [adjoint, gradX];
  },
  saves: { inputs: [1], output: true },
});

function linearScan(v: Tensor, x: Tensor, dim: number, reverse: boolean): Tensor {
  return apply(linearScanOp, [v, x], { dim, reverse });
}

interface ShiftAttrs {
  dim: number;
  /** What enters at the start (0 or 1); the last element falls off. */
  fill: number;
}

/** x moved one place along dim toward the end, `fill` entering first. */
const shiftAlongOp = defineOp<ShiftAttrs>({
  name: "shiftAlong",
  gradFnName: "CumprodBackwardBackward0",
  forward: ([x], { dim, fill }) => {
    const out = empty(x.shape.slice(), x.dtype);
    const { outer, size, inner } = around(x.shape, dim);
    const xs = x._data;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        for (let k = 0; k < size; k++) out._data[(o * size + k) * inner + i] = k === 0 ? fill : xs[(o * size + k - 1) * inner + i];
      }
    }
    return out;
  },
  // The adjoint moves the gradient back one place; the last element received nothing, and the filled first place
  // came from no input.
  backward: ({ attrs: { dim } }, g) => [unshiftAlong(g, dim)],
});

const unshiftAlongOp = defineOp<number>({
  name: "unshiftAlong",
  gradFnName: "CumprodBackwardBackward0",
  forward: ([g], dim) => {
    const out = empty(g.shape.slice(), g.dtype);
    const { outer, size, inner } = around(g.shape, dim);
    const gs = g._data;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        for (let k = 0; k < size - 1; k++) out._data[(o * size + k) * inner + i] = gs[(o * size + k + 1) * inner + i];
      }
    }
    return out;
  },
  backward: ({ attrs: dim }, g) => [shiftAlong(g, dim, 0)],
});

function shiftAlong(x: Tensor, dim: number, fill: number): Tensor {
  return apply(shiftAlongOp, [x], { dim, fill });
}

function unshiftAlong(g: Tensor, dim: number): Tensor {
  return apply(unshiftAlongOp, [g], dim);
}

export function cumprod(t: Tensor, dim: number, options?: { dtype?: DType }): Tensor {
  const d = normalizeDim(dim, t.ndim);
  const dtype = options?.dtype !== undefined ? checkDType(options.dtype, "cumprod()") : isFloating(t.dtype) ? t.dtype : "int64";
  return apply(cumprodOp, [cast(t, dtype)], d);
}

function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  if (m === Infinity) return Infinity;
  return m + Math.log1p(Math.exp(-Math.abs(a - b)));
}

const logcumsumexpOp = defineOp<number>({
  name: "logcumsumexp",
  gradFnName: "LogcumsumexpBackward0",
  forward: ([t], dim) => scanAlong(t, dim, t.dtype, -Infinity, logAddExp),
  // PyTorch's stable formula: the positive and negative parts of g are summed in log space from the end. The other
  // sign's entries are the dtype's lowest finite value, as PyTorch's (an -inf there would make -inf − -inf in a
  // second derivative).
  backward: ({ inputs: [x], output, attrs: dim }, g) => {
    const reverse = (v: Tensor) => flipAlongValues(logcumsumexp(flipAlongValues(v, dim), dim), dim);
    const part = (keep: Tensor) => g.abs().mul(keep).add(keep.logicalNot()).log().add(lowestUnless(keep, g.dtype));
    const outPositive = reverse(part(g.gt(0)).sub(output)).add(x).exp();
    const outNegative = reverse(part(g.lt(0)).sub(output)).add(x).exp();
    return [outPositive.sub(outNegative)];
  },
  saves: { inputs: [0], output: true },
});

/** 0 where `keep`, the dtype's lowest finite value elsewhere. */
function lowestUnless(keep: Tensor, dtype: DType): Tensor {
  const lowest = dtype === "float32" ? -3.4028234663852886e38 : -Number.MAX_VALUE;
  const out = empty(keep.shape.slice(), dtype);
  keep._data.forEach((v, i) => (out._data[i] = v ? 0 : lowest));
  return out;
}

export function logcumsumexp(t: Tensor, dim: number): Tensor {
  if (!isFloating(t.dtype)) throw new RuntimeError(`"logcumsumexp_out_cpu" not implemented for '${scalarTypeName(t.dtype)}'`);
  return apply(logcumsumexpOp, [t], normalizeDim(dim, t.ndim));
}

interface CumExtremeAttrs {
  dim: number;
  indices: Tensor;
  /** As sorting.ts's picks: a replay computes into a scratch tensor, never into the indices the user holds. */
  picked?: boolean;
}

function cumExtreme(name: "cummax" | "cummin") {
  const better = name === "cummax" ? (c: number, b: number) => c >= b || c !== c : (c: number, b: number) => c <= b || c !== c;
  const op = defineOp<CumExtremeAttrs>({
    name,
    gradFnName: name === "cummax" ? "CummaxBackward0" : "CumminBackward0",
    forward: ([t], attrs) => {
      const { dim } = attrs;
      const indices = attrs.picked ? empty(t.shape.slice(), "int64") : attrs.indices;
      attrs.picked = true;
      const values = empty(t.shape.slice(), t.dtype);
      const shape = t.ndim === 0 ? [1] : t.shape;
      const { outer, size, inner } = around(shape, t.ndim === 0 ? 0 : dim);
      const src = t._data;
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          let best = NaN;
          let at = 0;
          for (let k = 0; k < size; k++) {
            const p = (o * size + k) * inner + i;
            // Once NaN is reached it stays (PyTorch keeps the NaN's index).
            if (k === 0 || (best === best && better(src[p], best))) {
              best = src[p];
              at = k;
            }
            values._data[p] = best;
            indices._data[p] = at;
          }
        }
      }
      return values;
    },
    backward: ({ inputs: [x], attrs: { dim, indices } }, g) => [x.ndim === 0 ? g : scatterAddAlong(g, dim, indices, x.shape.slice())],
  });
  return (t: Tensor, dim: number): ValuesIndices => {
    const d = normalizeDim(dim, t.ndim);
    const indices = empty(t.shape.slice(), "int64");
    return new ValuesIndices(apply(op, [t], { dim: d, indices }), indices, name);
  };
}

export const cummax = cumExtreme("cummax");
export const cummin = cumExtreme("cummin");

declare module "../tensor" {
  interface Tensor {
    cumsum(dim: number, options?: { dtype?: DType }): Tensor;
    cumprod(dim: number, options?: { dtype?: DType }): Tensor;
    logcumsumexp(dim: number): Tensor;
    cummax(dim: number): ValuesIndices;
    cummin(dim: number): ValuesIndices;
  }
}

addMethods({
  cumsum(this: Tensor, dim: number, options?: { dtype?: DType }) {
    return cumsum(this, dim, options);
  },
  cumprod(this: Tensor, dim: number, options?: { dtype?: DType }) {
    return cumprod(this, dim, options);
  },
  logcumsumexp(this: Tensor, dim: number) {
    return logcumsumexp(this, dim);
  },
  cummax(this: Tensor, dim: number) {
    return cummax(this, dim);
  },
  cummin(this: Tensor, dim: number) {
    return cummin(this, dim);
  },
});

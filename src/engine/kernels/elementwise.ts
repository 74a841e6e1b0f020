/**
 * Elementwise loops over flat row-major buffers. Ops pass the scalar formula; these loops own the indexing,
 * with a fast path for the common cases (same shape, one side a single value) and an odometer for broadcasting.
 */
import type { DataArray } from "../dtype";
import { broadcastStrides, type Shape } from "../shape";
import { arithLanes, reluLanes } from "./f32/arith_lanes";

export type UnaryFn = (x: number) => number;
export type BinaryFn = (x: number, y: number) => number;

export function mapUnary(src: DataArray, out: DataArray, f: UnaryFn): void {
  for (let i = 0; i < out.length; i++) out[i] = f(src[i]);
}

/** `f(a[i], y)` for one scalar y (already converted to the output's type). */
export function mapWithScalar(a: DataArray, y: number, out: DataArray, f: BinaryFn): void {
  for (let i = 0; i < out.length; i++) out[i] = f(a[i], y);
}

/** `f(x, b[i])` for one scalar x. */
export function mapScalarWith(x: number, b: DataArray, out: DataArray, f: BinaryFn): void {
  for (let i = 0; i < out.length; i++) out[i] = f(x, b[i]);
}

export function mapBinary(a: DataArray, aShape: Shape, b: DataArray, bShape: Shape, out: DataArray, outShape: Shape, f: BinaryFn): void {
  const n = out.length;
  if (a.length === n && b.length === n) {
    for (let i = 0; i < n; i++) out[i] = f(a[i], b[i]);
  } else if (b.length === 1 && a.length === n) {
    const y = b[0];
    for (let i = 0; i < n; i++) out[i] = f(a[i], y);
  } else if (a.length === 1 && b.length === n) {
    const x = a[0];
    for (let i = 0; i < n; i++) out[i] = f(x, b[i]);
  } else {
    broadcastLoop(a, broadcastStrides(aShape, outShape), b, broadcastStrides(bShape, outShape), out, outShape, f);
  }
}

function broadcastLoop(a: DataArray, aStrides: number[], b: DataArray, bStrides: number[], out: DataArray, outShape: Shape, f: BinaryFn): void {
  const nd = outShape.length;
  if (out.length === 0) return;
  const last = nd - 1;
  const inner = outShape[last];
  const aInner = aStrides[last];
  const bInner = bStrides[last];
  const index = new Array<number>(nd).fill(0);
  let ai = 0;
  let bi = 0;
  for (let o = 0; o < out.length; o += inner) {
    for (let j = 0, pa = ai, pb = bi; j < inner; j++, pa += aInner, pb += bInner) out[o + j] = f(a[pa], b[pb]);
    // Advance the odometer over the outer dims.
    for (let d = last - 1; d >= 0; d--) {
      index[d]++;
      ai += aStrides[d];
      bi += bStrides[d];
      if (index[d] < outShape[d]) break;
      ai -= aStrides[d] * outShape[d];
      bi -= bStrides[d] * outShape[d];
      index[d] = 0;
    }
  }
}

/** Copies `src` broadcast to `outShape` (expand, then make contiguous). */
export function broadcastCopy(src: DataArray, srcShape: Shape, out: DataArray, outShape: Shape): void {
  if (src.length === out.length) {
    out.set(src);
    return;
  }
  mapBinary(src, srcShape, src.subarray(0, 1), [], out, outShape, (x) => x);
}

/**
 * The four arithmetic ops as loops of their own, one set per op: same-shape operands, one operand a single value,
 * and the runs of a broadcast. A generic loop taking the formula as a callback costs a call per element wherever V8
 * has seen more than one formula there, which every shared loop soon has.
 */
export interface ArithLoops {
  same(a: DataArray, b: DataArray, out: DataArray): void;
  /** out[i] = a[i] op y. */
  withScalar(a: DataArray, y: number, out: DataArray): void;
  /** out[i] = x op b[i]. */
  scalarWith(x: number, b: DataArray, out: DataArray): void;
  /** n elements of a broadcast: out[o + k] = a[i + k·sa] op b[j + k·sb]. */
  run(a: DataArray, i: number, sa: number, b: DataArray, j: number, sb: number, out: DataArray, o: number, n: number): void;
}

export const ADD: ArithLoops = {
  same: (a, b, out) => {
    if (a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array && arithLanes("add", a, b, out)) return;
    for (let i = 0; i < out.length; i++) out[i] = a[i] + b[i];
  },
  withScalar: (a, y, out) => { for (let i = 0; i < out.length; i++) out[i] = a[i] + y; },
  scalarWith: (x, b, out) => { for (let i = 0; i < out.length; i++) out[i] = x + b[i]; },
  run: (a, i, sa, b, j, sb, out, o, n) => { for (let k = 0; k < n; k++, i += sa, j += sb) out[o + k] = a[i] + b[j]; },
};

export const SUB: ArithLoops = {
  same: (a, b, out) => {
    if (a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array && arithLanes("sub", a, b, out)) return;
    for (let i = 0; i < out.length; i++) out[i] = a[i] - b[i];
  },
  withScalar: (a, y, out) => { for (let i = 0; i < out.length; i++) out[i] = a[i] - y; },
  scalarWith: (x, b, out) => { for (let i = 0; i < out.length; i++) out[i] = x - b[i]; },
  run: (a, i, sa, b, j, sb, out, o, n) => { for (let k = 0; k < n; k++, i += sa, j += sb) out[o + k] = a[i] - b[j]; },
};

export const MUL: ArithLoops = {
  same: (a, b, out) => {
    if (a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array && arithLanes("mul", a, b, out)) return;
    for (let i = 0; i < out.length; i++) out[i] = a[i] * b[i];
  },
  withScalar: (a, y, out) => { for (let i = 0; i < out.length; i++) out[i] = a[i] * y; },
  scalarWith: (x, b, out) => { for (let i = 0; i < out.length; i++) out[i] = x * b[i]; },
  run: (a, i, sa, b, j, sb, out, o, n) => { for (let k = 0; k < n; k++, i += sa, j += sb) out[o + k] = a[i] * b[j]; },
};

export const DIV: ArithLoops = {
  same: (a, b, out) => {
    if (a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array && arithLanes("div", a, b, out)) return;
    for (let i = 0; i < out.length; i++) out[i] = a[i] / b[i];
  },
  withScalar: (a, y, out) => { for (let i = 0; i < out.length; i++) out[i] = a[i] / y; },
  scalarWith: (x, b, out) => { for (let i = 0; i < out.length; i++) out[i] = x / b[i]; },
  run: (a, i, sa, b, j, sb, out, o, n) => { for (let k = 0; k < n; k++, i += sa, j += sb) out[o + k] = a[i] / b[j]; },
};

/** A broadcast binary op through a loop set: one call per innermost run. */
export function broadcastRuns(a: DataArray, aShape: Shape, b: DataArray, bShape: Shape, out: DataArray, outShape: Shape, loops: ArithLoops): void {
  const nd = outShape.length;
  if (out.length === 0) return;
  if (nd === 0) {
    loops.run(a, 0, 0, b, 0, 0, out, 0, 1);
    return;
  }
  const aStrides = broadcastStrides(aShape, outShape);
  const bStrides = broadcastStrides(bShape, outShape);
  const last = nd - 1;
  const inner = outShape[last];
  const index = new Array<number>(nd).fill(0);
  let ai = 0;
  let bi = 0;
  for (let o = 0; o < out.length; o += inner) {
    loops.run(a, ai, aStrides[last], b, bi, bStrides[last], out, o, inner);
    for (let d = last - 1; d >= 0; d--) {
      index[d]++;
      ai += aStrides[d];
      bi += bStrides[d];
      if (index[d] < outShape[d]) break;
      ai -= aStrides[d] * outShape[d];
      bi -= bStrides[d] * outShape[d];
      index[d] = 0;
    }
  }
}

/** Loops of their own for the cheap unary ops training uses most (relu above all): the generic mapUnary calls a
 * formula that differs from op to op, which V8 cannot inline, so it costs a call per element. Each of these is
 * exact in float32 as the double formula rounded (neg, abs and the max are exact; 1/x is correctly rounded). */
export function reluArray(src: Float32Array, out: Float32Array): void {
  if (reluLanes(src, out)) return;
  // clamp_min(x, 0): x where x is not below 0, so −0 stays −0 and NaN stays NaN.
  for (let i = 0; i < out.length; i++) {
    const x = src[i];
    out[i] = x < 0 ? 0 : x;
  }
}

export function negArray(src: Float32Array, out: Float32Array): void {
  for (let i = 0; i < out.length; i++) out[i] = -src[i];
}

export function absArray(src: Float32Array, out: Float32Array): void {
  for (let i = 0; i < out.length; i++) out[i] = Math.abs(src[i]);
}

export function reciprocalArray(src: Float32Array, out: Float32Array): void {
  for (let i = 0; i < out.length; i++) out[i] = 1 / src[i];
}

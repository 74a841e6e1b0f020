/**
 * Elementwise loops over flat row-major buffers. Ops pass the scalar formula; these loops own the indexing,
 * with a fast path for the common cases (same shape, one side a single value) and an odometer for broadcasting.
 */
import type { DataArray } from "../dtype";
import { broadcastStrides, type Shape } from "../shape";

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

/** The four arithmetic ops on same-shape operands, as plain loops: the hottest elementwise paths, kept free of a
 * per-element function call. */
export function addSame(a: DataArray, b: DataArray, out: DataArray): void {
  for (let i = 0; i < out.length; i++) out[i] = a[i] + b[i];
}

export function subSame(a: DataArray, b: DataArray, out: DataArray): void {
  for (let i = 0; i < out.length; i++) out[i] = a[i] - b[i];
}

export function mulSame(a: DataArray, b: DataArray, out: DataArray): void {
  for (let i = 0; i < out.length; i++) out[i] = a[i] * b[i];
}

export function divSame(a: DataArray, b: DataArray, out: DataArray): void {
  for (let i = 0; i < out.length; i++) out[i] = a[i] / b[i];
}

export type SameShapeLoop = (a: DataArray, b: DataArray, out: DataArray) => void;

/** Loops of their own for the cheap unary ops training uses most (relu above all): the generic mapUnary calls a
 * formula that differs from op to op, which V8 cannot inline, so it costs a call per element. Each of these is
 * exact in float32 as the double formula rounded (neg, abs and the max are exact; 1/x is correctly rounded). */
export function reluArray(src: Float32Array, out: Float32Array): void {
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

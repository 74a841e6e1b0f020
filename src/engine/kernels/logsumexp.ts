/**
 * logsumexp as ATen computes it (ReduceOps.cpp): m = amax over the dims with ±inf replaced by 0, then
 * sum(exp(x − m)) by the cascade sum, then log, then + m. float32 goes through SLEEF's exp and log (vml).
 */
import { cascadeSum, type FloatArray } from "./cascade_sum";
import { expArray } from "./f32/exp";
import { logArray } from "./f32/log";

/** log Σ exp over `dims` of `src` (row-major, of `shape`) into `out` (the kept shape, contiguous). */
export function logsumexpInto(src: FloatArray, shape: readonly number[], dims: readonly number[], out: FloatArray): void {
  const float32 = src instanceof Float32Array;
  const kept = shape.map((d, i) => (dims.includes(i) ? 1 : d));
  const outStrides = keptStrides(kept, shape);
  const m = new Float64Array(out.length).fill(-Infinity);
  forEachIndex(shape, outStrides, (i, o) => {
    const v = src[i];
    m[o] = m[o] !== m[o] || v !== v ? NaN : Math.max(m[o], v);
  });
  for (let o = 0; o < m.length; o++) if (Math.abs(m[o]) === Infinity) m[o] = 0;
  const shifted = float32 ? new Float32Array(src.length) : new Float64Array(src.length);
  forEachIndex(shape, outStrides, (i, o) => (shifted[i] = src[i] - m[o]));
  const e = float32 ? new Float32Array(src.length) : new Float64Array(src.length);
  if (e instanceof Float32Array) expArray(shifted as Float32Array, e);
  else for (let i = 0; i < e.length; i++) e[i] = Math.exp(shifted[i]);
  cascadeSum(e, shape, dims, out);
  if (out instanceof Float32Array) logArray(out, out);
  else for (let o = 0; o < out.length; o++) out[o] = Math.log(out[o]);
  for (let o = 0; o < out.length; o++) out[o] = out[o] + m[o];
}

function keptStrides(kept: readonly number[], shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1, s = 1; d >= 0; d--) {
    strides[d] = kept[d] === 1 && shape[d] !== 1 ? 0 : s;
    s *= kept[d];
  }
  return strides;
}

/** Every element of a row-major tensor of `shape`, with its index into an output of the given strides. */
function forEachIndex(shape: readonly number[], outStrides: readonly number[], visit: (i: number, o: number) => void): void {
  let n = 1;
  for (const d of shape) n *= d;
  const index = new Array<number>(shape.length).fill(0);
  let o = 0;
  for (let i = 0; i < n; i++) {
    visit(i, o);
    for (let d = shape.length - 1; d >= 0; d--) {
      index[d]++;
      o += outStrides[d];
      if (index[d] < shape[d]) break;
      o -= outStrides[d] * shape[d];
      index[d] = 0;
    }
  }
}

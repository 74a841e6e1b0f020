/**
 * The plain-JS block kernel, for engines without WebAssembly SIMD. The 16 sums of a 4×4 tile are locals, which V8
 * keeps in registers (or close to them), and both panels are read with unit stride.
 */
import { KB, MB, NB, type BlockKernel } from "./matmul_packed";
import type { FloatArray } from "./matmul_types";

export function createJsKernel(): BlockKernel {
  const ap = new Float64Array(MB * KB);
  const bp = new Float64Array(NB * KB);
  const c = new Float64Array(MB * NB);
  let cStride = 0;
  return {
    name: "js",
    pack(which, src, offset, lineStride, depthStride, lines, depth): void {
      packPanels(src, offset, lineStride, depthStride, lines, depth, which === "a" ? ap : bp);
    },
    multiply(mTiles, nTiles, depth, first): void {
      cStride = nTiles * 4;
      for (let jt = 0; jt < nTiles; jt++) {
        for (let it = 0; it < mTiles; it++) tile4x4(ap, it * depth * 4, bp, jt * depth * 4, depth, c, it * 4 * cStride + jt * 4, cStride, first);
      }
    },
    unpack(out, outOffset, outStride, rows, cols): void {
      for (let i = 0; i < rows; i++) {
        const o = outOffset + i * outStride;
        const s = i * cStride;
        for (let j = 0; j < cols; j++) out[o + j] = c[s + j];
      }
    },
  };
}

/** dst[(q·depth + p)·4 + r] = M(4q + r, p), zero past the last line; four lines are read side by side. */
function packPanels(src: FloatArray, offset: number, lineStride: number, depthStride: number, lines: number, depth: number, dst: Float64Array): void {
  const full = lines >> 2;
  for (let q = 0; q < full; q++) {
    let s = offset + q * 4 * lineStride;
    for (let p = 0, d = q * depth * 4; p < depth; p++, d += 4, s += depthStride) {
      dst[d] = src[s];
      dst[d + 1] = src[s + lineStride];
      dst[d + 2] = src[s + 2 * lineStride];
      dst[d + 3] = src[s + 3 * lineStride];
    }
  }
  const rest = lines - full * 4;
  if (rest === 0) return;
  const base = full * depth * 4;
  for (let r = 0; r < 4; r++) {
    const s = offset + (full * 4 + r) * lineStride;
    for (let p = 0, d = base + r; p < depth; p++, d += 4) dst[d] = r < rest ? src[s + p * depthStride] : 0;
  }
}

/** One 4×4 tile of C (row stride `cs`, at `t`) from an A panel at `ai` and a B panel at `bi`, `depth` deep. */
function tile4x4(ap: Float64Array, ai: number, bp: Float64Array, bi: number, depth: number, c: Float64Array, t: number, cs: number, first: boolean): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  const t1 = t + cs, t2 = t1 + cs, t3 = t2 + cs;
  if (!first) {
    c00 = c[t]; c01 = c[t + 1]; c02 = c[t + 2]; c03 = c[t + 3];
    c10 = c[t1]; c11 = c[t1 + 1]; c12 = c[t1 + 2]; c13 = c[t1 + 3];
    c20 = c[t2]; c21 = c[t2 + 1]; c22 = c[t2 + 2]; c23 = c[t2 + 3];
    c30 = c[t3]; c31 = c[t3 + 1]; c32 = c[t3 + 2]; c33 = c[t3 + 3];
  }
  // Literal 4s, not MR/NR: an imported constant can cost a property load per step where modules are not bundled.
  for (let p = 0; p < depth; p++, ai += 4, bi += 4) {
    const b0 = bp[bi], b1 = bp[bi + 1], b2 = bp[bi + 2], b3 = bp[bi + 3];
    let a = ap[ai];
    c00 += a * b0; c01 += a * b1; c02 += a * b2; c03 += a * b3;
    a = ap[ai + 1];
    c10 += a * b0; c11 += a * b1; c12 += a * b2; c13 += a * b3;
    a = ap[ai + 2];
    c20 += a * b0; c21 += a * b1; c22 += a * b2; c23 += a * b3;
    a = ap[ai + 3];
    c30 += a * b0; c31 += a * b1; c32 += a * b2; c33 += a * b3;
  }
  c[t] = c00; c[t + 1] = c01; c[t + 2] = c02; c[t + 3] = c03;
  c[t1] = c10; c[t1 + 1] = c11; c[t1 + 2] = c12; c[t1 + 3] = c13;
  c[t2] = c20; c[t2 + 1] = c21; c[t2 + 2] = c22; c[t2 + 3] = c23;
  c[t3] = c30; c[t3 + 1] = c31; c[t3 + 2] = c32; c[t3 + 3] = c33;
}

/**
 * Small float32 matrix products as this machine's OpenBLAS (0.3.21, Debian's PyTorch 1.13 BLAS) forms them for
 * small sizes: each output element is one chain of float32 fused multiply-adds over the depth, in order, from 0.
 * Checked against PyTorch for products with a thin side (up to 3 rows or columns, or 4×64×4) and depths up to a
 * few hundred; bigger products go through other OpenBLAS kernels whose order is not reproduced (Gradlens then
 * sums in double and rounds once, within float32 tolerance of PyTorch).
 */
import { fmaf } from "./fma";

/** The depth up to which the chain is known to be OpenBLAS's order. */
export const CHAIN_MAX_DEPTH = 300;

export function chainGemm(
  m: number, n: number, k: number,
  a: Float32Array, aOffset: number, transA: boolean,
  b: Float32Array, bOffset: number, transB: boolean,
  out: Float32Array, outOffset: number,
): void {
  const aRow = transA ? 1 : k;
  const aDepth = transA ? m : 1;
  const bCol = transB ? k : 1;
  const bDepth = transB ? 1 : n;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let p = 0, ai = aOffset + i * aRow, bi = bOffset + j * bCol; p < k; p++, ai += aDepth, bi += bDepth) acc = fmaf(a[ai], b[bi], acc);
      out[outOffset + i * n + j] = acc;
    }
  }
}

/**
 * gemm as plain dot products, reading op(A) and op(B) in place: no packing, no workspace, no allocation. Used for
 * products too small for packing to pay off (down to the 1×1 "matrices" of scalar-heavy snippets) and for
 * matrix-vector products. Four outputs are summed side by side, which hides the latency of each addition without
 * changing the order in which any one sum is formed.
 */
import type { FloatArray } from "./matmul_types";

export function directGemm(
  m: number, n: number, k: number,
  a: FloatArray, aOffset: number, transA: boolean,
  b: FloatArray, bOffset: number, transB: boolean,
  out: FloatArray, outOffset: number,
): void {
  // Element strides of op(A)(i, p) and op(B)(p, j) in the stored arrays.
  const aRow = transA ? 1 : k;
  const aDepth = transA ? m : 1;
  const bCol = transB ? k : 1;
  const bDepth = transB ? 1 : n;
  let firstRow = 0;
  if (n < 4 && m >= 4) {
    // A tall product (matrix · vector): four rows at a time share each element of B.
    for (let i = 0; i + 4 <= m; i += 4, firstRow = i) {
      for (let j = 0; j < n; j++) {
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let p = 0, ai = aOffset + i * aRow, bi = bOffset + j * bCol; p < k; p++, ai += aDepth, bi += bDepth) {
          const x = b[bi];
          s0 += a[ai] * x;
          s1 += a[ai + aRow] * x;
          s2 += a[ai + 2 * aRow] * x;
          s3 += a[ai + 3 * aRow] * x;
        }
        const o = outOffset + i * n + j;
        out[o] = s0;
        out[o + n] = s1;
        out[o + 2 * n] = s2;
        out[o + 3 * n] = s3;
      }
    }
  }
  // One row at a time (what is left of a tall product starts here too).
  for (let i = firstRow; i < m; i++) {
    const rowStart = aOffset + i * aRow;
    const o = outOffset + i * n;
    let j = 0;
    // Four columns at a time share each element of the row of A.
    for (; j + 4 <= n; j += 4) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let p = 0, ai = rowStart, bi = bOffset + j * bCol; p < k; p++, ai += aDepth, bi += bDepth) {
        const x = a[ai];
        s0 += x * b[bi];
        s1 += x * b[bi + bCol];
        s2 += x * b[bi + 2 * bCol];
        s3 += x * b[bi + 3 * bCol];
      }
      out[o + j] = s0;
      out[o + j + 1] = s1;
      out[o + j + 2] = s2;
      out[o + j + 3] = s3;
    }
    for (; j < n; j++) {
      let s = 0;
      for (let p = 0, ai = rowStart, bi = bOffset + j * bCol; p < k; p++, ai += aDepth, bi += bDepth) s += a[ai] * b[bi];
      out[o + j] = s;
    }
  }
}

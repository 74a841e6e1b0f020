/** The plain triple loop the fast gemm kernels are tested against: obviously right, and slow. */
type FloatArray = Float32Array | Float64Array;

export function gemm(m: number, n: number, k: number, a: FloatArray, aOffset: number, transA: boolean, b: FloatArray, bOffset: number, transB: boolean, out: FloatArray, outOffset: number): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        s += a[aOffset + (transA ? p * m + i : i * k + p)] * b[bOffset + (transB ? j * k + p : p * n + j)];
      }
      out[outOffset + i * n + j] = s;
    }
  }
}

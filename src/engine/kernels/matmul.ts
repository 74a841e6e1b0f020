/**
 * Matrix multiply: out[m×n] = op(A)[m×k] · op(B)[k×n], op = identity or transpose.
 *
 * The classic packed, register-blocked scheme: A is packed into panels of 4 rows and B into panels of 4 columns,
 * both contiguous in k, so the 4×4 micro-kernel below streams through memory with unit stride and keeps its 16 sums
 * in registers. k is cut into blocks so that the panels stay in cache. Sums are kept in doubles and rounded once
 * into the output, so float32 results are as exact as one rounding allows.
 */
export type FloatArray = Float32Array | Float64Array;

const MR = 4;
const NR = 4;
const KC = 256;
/** Below this many multiply-adds, packing costs more than it saves. */
const SMALL = 32 * 32 * 32;

export function gemm(
  m: number, n: number, k: number,
  a: FloatArray, aOffset: number, transA: boolean,
  b: FloatArray, bOffset: number, transB: boolean,
  out: FloatArray, outOffset: number,
): void {
  if (m === 0 || n === 0) return;
  if (k === 0 || m * n * k <= SMALL) {
    smallGemm(m, n, k, a, aOffset, transA, b, bOffset, transB, out, outOffset);
    return;
  }
  // Element strides of op(A)(i, p) and op(B)(p, j) in the stored arrays.
  const aRow = transA ? 1 : k;
  const aCol = transA ? m : 1;
  const bRow = transB ? 1 : n;
  const bCol = transB ? k : 1;
  const acc = new Float64Array(m * n);
  const mPanels = Math.ceil(m / MR);
  const nPanels = Math.ceil(n / NR);
  const packedA = new Float64Array(mPanels * MR * KC);
  const packedB = new Float64Array(nPanels * NR * KC);
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = Math.min(KC, k - p0);
    packPanels(b, bOffset + p0 * bRow, bCol, bRow, n, kc, NR, packedB);
    packPanels(a, aOffset + p0 * aCol, aRow, aCol, m, kc, MR, packedA);
    for (let ip = 0; ip < mPanels; ip++) {
      const i0 = ip * MR;
      for (let jp = 0; jp < nPanels; jp++) micro(packedA, ip * MR * kc, packedB, jp * NR * kc, kc, acc, i0, jp * NR, m, n);
    }
  }
  for (let i = 0; i < m * n; i++) out[outOffset + i] = acc[i];
}

/**
 * Packs `count` rows (or columns) of a matrix into panels of `width`, each panel `kc` deep and contiguous:
 * panel[q][p][r] = M(q·width + r, p), zero past the edge. `lineStride` steps between lines, `depthStride` along k.
 */
function packPanels(src: FloatArray, offset: number, lineStride: number, depthStride: number, count: number, kc: number, width: number, dst: Float64Array): void {
  const panels = Math.ceil(count / width);
  for (let q = 0; q < panels; q++) {
    const base = q * width * kc;
    for (let r = 0; r < width; r++) {
      const line = q * width + r;
      if (line >= count) {
        for (let p = 0; p < kc; p++) dst[base + p * width + r] = 0;
        continue;
      }
      let s = offset + line * lineStride;
      for (let p = 0; p < kc; p++, s += depthStride) dst[base + p * width + r] = src[s];
    }
  }
}

/** acc[i0.., j0..] += Apanel · Bpanel for one 4×4 block, with the 16 sums in locals. */
function micro(pa: Float64Array, ao: number, pb: Float64Array, bo: number, kc: number, acc: Float64Array, i0: number, j0: number, m: number, n: number): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let p = 0; p < kc; p++) {
    const ai = ao + p * 4;
    const bi = bo + p * 4;
    const a0 = pa[ai], a1 = pa[ai + 1], a2 = pa[ai + 2], a3 = pa[ai + 3];
    const b0 = pb[bi], b1 = pb[bi + 1], b2 = pb[bi + 2], b3 = pb[bi + 3];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
  }
  const rows = Math.min(MR, m - i0);
  const cols = Math.min(NR, n - j0);
  if (rows === 4 && cols === 4) {
    let o = i0 * n + j0;
    acc[o] += c00; acc[o + 1] += c01; acc[o + 2] += c02; acc[o + 3] += c03;
    o += n;
    acc[o] += c10; acc[o + 1] += c11; acc[o + 2] += c12; acc[o + 3] += c13;
    o += n;
    acc[o] += c20; acc[o + 1] += c21; acc[o + 2] += c22; acc[o + 3] += c23;
    o += n;
    acc[o] += c30; acc[o + 1] += c31; acc[o + 2] += c32; acc[o + 3] += c33;
    return;
  }
  const block = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) acc[(i0 + r) * n + j0 + c] += block[r * 4 + c];
}

/** Plain loops for small products (and the tiny matrices of scalar-heavy snippets): no packing, no allocation. */
function smallGemm(m: number, n: number, k: number, a: FloatArray, aOffset: number, transA: boolean, b: FloatArray, bOffset: number, transB: boolean, out: FloatArray, outOffset: number): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[aOffset + (transA ? p * m + i : i * k + p)] * b[bOffset + (transB ? j * k + p : p * n + j)];
      out[outOffset + i * n + j] = s;
    }
  }
}

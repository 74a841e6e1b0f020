/**
 * float32 matrix products rounded as PyTorch 1.13 on this machine rounds them: Debian's PyTorch calls OpenBLAS 0.3.21,
 * whose Haswell sgemm (driver/level3/level3.c, kernel/x86_64/sgemm_kernel_8x4_haswell_2.c) forms every output element
 * as float32 fused multiply-adds. What differs from element to element is only which chains they are:
 *
 * - The depth is cut into blocks (GEMM_Q = 320; a remainder between 320 and 640 is halved, rounded up to 8). Each
 *   block's sum is added to C once the block is done: C = fma(alpha, acc, C), so C = C + acc with alpha 1.
 * - Within a block an element is one chain from 0 over the block's depth — except in the kernel's 8-row × 4-column
 *   and 8 × 6 tiles (H and T below), which alternate two accumulators over the depth in runs of 8 (even steps into one,
 *   odd into the other), put the leftover steps into the first, and add the two before the store.
 *
 * Which tile an element falls in follows from the driver's blocking of the output (in BLAS's column-major terms, the
 * transpose of PyTorch's row-major result: BLAS rows are PyTorch's columns), simulated here. The sizes it is used for
 * are those that OpenBLAS runs on one thread (m·n·k ≤ 65536·4); larger products are split among threads.
 */
import { fmaf, fmafShort, SPLITTER_25 as SPLITTER } from "./fma";

/** Read once into this module: an imported binding read in the loop is a getter call where modules are not bundled. */
const SPLITTER_25 = SPLITTER;



const GEMM_P = 320;
const GEMM_Q = 320;
const UNROLL_M = 8;
const UNROLL_N = 4;
/** interface/gemm.c: products up to this many multiply-adds run on one thread (SMP_THRESHOLD_MIN × 4). */
export const OPENBLAS_SINGLE_THREAD_MAX_WORK = 65536 * 4;

/** The driver's rule for a block of `rest` along a blocked dimension of block size `size`. */
function blockLength(rest: number, size: number): number {
  if (rest >= 2 * size) return size;
  if (rest > size) return Math.floor((Math.floor(rest / 2) + UNROLL_M - 1) / UNROLL_M) * UNROLL_M;
  return rest;
}

/** Split-accumulator tiles: marks (row, col) of a BLAS m×n output; `ld` is the row stride of `split`. */
type Marker = (row: number, col: number, rows: number, cols: number) => void;

/** kernel(m, n) of sgemm_kernel_8x4_haswell_2.c, rows from `row0`, columns from `col0`: marks its split tiles. */
function kernelTiles(m: number, n: number, row0: number, col0: number, mark: Marker): void {
  let col = col0;
  let left = n;
  for (; left > 11; left -= 12, col += 12) {
    if (m < 16) continue; // SIMPLE(8,12), then 4, 2, 1 rows: single chains
    let r = row0;
    let rows = m;
    mark(r, col, 8, 6); // H_m8n6 on the left half
    for (;;) {
      // R_m16n6 covers [r, r+16) of the right half (single chains)
      r += 8;
      rows -= 8;
      if (rows < 16) {
        mark(r, col, 8, 6); // T_m8n6 on the left half
        break;
      }
      // L_m16n6 covers [r, r+16) of the left half
      r += 8;
      rows -= 8;
      if (rows < 16) {
        mark(r, col + 6, 8, 6); // T_m8n6 on the right half
        break;
      }
    }
  }
  for (const width of [8, 4, 2, 1]) {
    for (; left > width - 1; left -= width, col += width) {
      if (width === 4) for (let r = 0; r + 8 <= m; r += 8) mark(row0 + r, col, 8, 4); // m8n4
    }
  }
}

/** Which elements of the BLAS M×N output use two accumulators (1) rather than one chain (0). */
function splitTiles(M: number, N: number): Uint8Array {
  const split = new Uint8Array(M * N);
  const mark: Marker = (row, col, rows, cols) => {
    for (let j = col; j < col + cols; j++) for (let i = row; i < row + rows; i++) split[j * M + i] = 1;
  };
  let rowStart = 0;
  let first = true;
  while (rowStart < M) {
    const rows = blockLength(M - rowStart, GEMM_P);
    if (first) {
      // The first row block runs the kernel on column chunks of 12, then 4, then what is left.
      for (let col = 0; col < N; ) {
        let cols = N - col;
        if (cols >= 3 * UNROLL_N) cols = 3 * UNROLL_N;
        else if (cols > UNROLL_N) cols = UNROLL_N;
        kernelTiles(rows, cols, rowStart, col, mark);
        col += cols;
      }
      first = false;
    } else kernelTiles(rows, N, rowStart, 0, mark);
    rowStart += rows;
  }
  return split;
}

/**
 * out[m×n] (row-major, from `outOffset`) = op(A)·op(B), or out + op(A)·op(B) with `accumulate` (addmm's beta = 1),
 * rounded as OpenBLAS's sgemm rounds it.
 */
export function openblasSgemm(
  m: number, n: number, k: number,
  a: Float32Array, aOffset: number, transA: boolean,
  b: Float32Array, bOffset: number, transB: boolean,
  out: Float32Array, outOffset: number, accumulate = false,
): void {
  const aRow = transA ? 1 : k;
  const aStep = transA ? m : 1;
  const bCol = transB ? k : 1;
  const bStep = transB ? 1 : n;
  // BLAS computes Cᵀ = op(B)ᵀ·op(A)ᵀ: its rows are our columns.
  const split = splitTiles(n, m);
  if (!accumulate) out.fill(0, outOffset, outOffset + m * n);
  for (let start = 0; start < k; ) {
    const depth = blockLength(k - start, GEMM_Q);
    const paired = depth >= 8 ? depth - (depth % 8) : 0;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const at = i * n + j;
        if (j + 4 <= n && (split[at] | split[at + 1] | split[at + 2] | split[at + 3]) === 0) {
          chains4(a, aOffset + i * aRow + start * aStep, aStep, b, bOffset + j * bCol + start * bStep, bStep, bCol, depth, out, outOffset + at);
          j += 3;
          continue;
        }
        let ai = aOffset + i * aRow + start * aStep;
        let bi = bOffset + j * bCol + start * bStep;
        let acc = 0;
        if (split[i * n + j] === 0) {
          for (let p = 0; p < depth; p++, ai += aStep, bi += bStep) acc = fmaf(a[ai], b[bi], acc);
        } else {
          let odd = 0;
          let p = 0;
          for (; p < paired; p += 2, ai += 2 * aStep, bi += 2 * bStep) {
            acc = fmaf(a[ai], b[bi], acc);
            odd = fmaf(a[ai + aStep], b[bi + bStep], odd);
          }
          for (; p < depth; p++, ai += aStep, bi += bStep) acc = fmaf(a[ai], b[bi], acc);
          acc = Math.fround(acc + odd);
        }
        const o = outOffset + i * n + j;
        out[o] = Math.fround(out[o] + acc);
      }
    }
    start += depth;
  }
}

/**
 * Four neighbouring outputs of one row, each its own chain of fused multiply-adds over the block's depth (the same
 * chains, in the same order, as one at a time): side by side, each step's latency overlaps the other three's.
 */
function chains4(
  a: Float32Array, ai: number, aStep: number,
  b: Float32Array, bi: number, bStep: number, bCol: number,
  depth: number, out: Float32Array, o: number,
): void {
  let c0 = 0;
  let c1 = 0;
  let c2 = 0;
  let c3 = 0;
  // fmaf spelled out, short25 too (fma.ts): calls would pass V8's inlining budget and box their doubles.
  for (let p = 0; p < depth; p++, ai += aStep, bi += bStep) {
    const x = a[ai];
    const y0 = b[bi];
    const y1 = b[bi + bCol];
    const y2 = b[bi + 2 * bCol];
    const y3 = b[bi + 3 * bCol];
    const s0 = x * y0 + c0;
    const s1 = x * y1 + c1;
    const s2 = x * y2 + c2;
    const s3 = x * y3 + c3;
    const g0 = s0 * SPLITTER_25;
    const g1 = s1 * SPLITTER_25;
    const g2 = s2 * SPLITTER_25;
    const g3 = s3 * SPLITTER_25;
    c0 = g0 - (g0 - s0) === s0 ? fmafShort(x, y0, c0, s0) : Math.fround(s0);
    c1 = g1 - (g1 - s1) === s1 ? fmafShort(x, y1, c1, s1) : Math.fround(s1);
    c2 = g2 - (g2 - s2) === s2 ? fmafShort(x, y2, c2, s2) : Math.fround(s2);
    c3 = g3 - (g3 - s3) === s3 ? fmafShort(x, y3, c3, s3) : Math.fround(s3);
  }
  out[o] = Math.fround(out[o] + c0);
  out[o + 1] = Math.fround(out[o + 1] + c1);
  out[o + 2] = Math.fround(out[o + 2] + c2);
  out[o + 3] = Math.fround(out[o + 3] + c3);
}

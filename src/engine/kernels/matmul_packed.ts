/**
 * The blocked driver of gemm. It cuts op(A)·op(B) into blocks that fit in cache, has a block kernel pack each block
 * of op(A) and op(B) into float64 panels of 4 lines, multiply them into a float64 block of the product, and round
 * that block once into `out`. Two kernels implement the steps (WebAssembly SIMD and plain JS); both form every sum
 * in the same order (from zero, adding depth by depth), so they give identical results.
 */
import type { FloatArray } from "./matmul_types";

/** Rows of a micro-tile (A panel width) and columns (B panel width). */
export const MR = 4;
export const NR = 4;
/** Largest block of op(A) (rows × depth), stays in L2; a B panel (NR × depth) stays in L1. */
export const MB = 256;
export const KB = 256;
/** Largest number of columns of op(B) per block. */
export const NB = 256;

/** Which operand a packed panel belongs to. */
export type Operand = "a" | "b";

export interface BlockKernel {
  readonly name: "wasm-simd" | "js";
  /**
   * Packs `lines` rows of op(A) (or columns of op(B)), `depth` deep, into panels of 4 lines, depth-major, zero past
   * the last line. Element (line, p) is src[offset + line·lineStride + p·depthStride]; one of the strides is 1.
   */
  pack(which: Operand, src: FloatArray, offset: number, lineStride: number, depthStride: number, lines: number, depth: number): void;
  /** C (+)= packed A · packed B for `mTiles`×`nTiles` tiles of 4×4; `first` starts the sums from zero. */
  multiply(mTiles: number, nTiles: number, depth: number, first: boolean): void;
  /** Rounds the top-left rows×cols of C into out (row stride `outStride`). */
  unpack(out: FloatArray, outOffset: number, outStride: number, rows: number, cols: number): void;
}

/** `total` cut into the fewest parts of at most `max`, of nearly equal sizes (a multiple of `unit` but the last). */
function blockSize(total: number, max: number, unit: number): number {
  const parts = Math.ceil(total / max);
  return Math.ceil(total / parts / unit) * unit;
}

export function packedGemm(
  kernel: BlockKernel,
  m: number, n: number, k: number,
  a: FloatArray, aOffset: number, transA: boolean,
  b: FloatArray, bOffset: number, transB: boolean,
  out: FloatArray, outOffset: number,
): void {
  if (m === 0 || n === 0) return;
  if (k === 0) {
    out.fill(0, outOffset, outOffset + m * n);
    return;
  }
  // Element strides of op(A)(i, p) and op(B)(p, j) in the stored arrays.
  const aRow = transA ? 1 : k;
  const aDepth = transA ? m : 1;
  const bCol = transB ? k : 1;
  const bDepth = transB ? 1 : n;
  blockedGemm(kernel, m, n, k, {
    packA: (i0, mc, p0, kc) => kernel.pack("a", a, aOffset + i0 * aRow + p0 * aDepth, aRow, aDepth, mc, kc),
    packB: (j0, nc, p0, kc) => kernel.pack("b", b, bOffset + j0 * bCol + p0 * bDepth, bCol, bDepth, nc, kc),
    unpack: (i0, mc, j0, nc) => kernel.unpack(out, outOffset + i0 * n + j0, n, mc, nc),
  });
}

/** Where the blocks of a product come from and go: each packs or unpacks one block (rows i0.., columns j0..,
 * depths p0..) in the kernel's own way, so that a caller can pack an operand that is never stored as a matrix. */
export interface BlockIO {
  packA(i0: number, mc: number, p0: number, kc: number): void;
  packB(j0: number, nc: number, p0: number, kc: number): void;
  unpack(i0: number, mc: number, j0: number, nc: number): void;
}

/** The block loops of gemm (k > 0): every sum is formed over the depth blocks in order, from zero. */
export function blockedGemm(kernel: BlockKernel, m: number, n: number, k: number, io: BlockIO): void {
  const mb = blockSize(m, MB, MR);
  const nb = blockSize(n, NB, NR);
  const kb = blockSize(k, KB, 1);
  for (let i0 = 0; i0 < m; i0 += mb) {
    const mc = Math.min(mb, m - i0);
    for (let j0 = 0; j0 < n; j0 += nb) {
      const nc = Math.min(nb, n - j0);
      for (let p0 = 0; p0 < k; p0 += kb) {
        const kc = Math.min(kb, k - p0);
        io.packA(i0, mc, p0, kc);
        io.packB(j0, nc, p0, kc);
        kernel.multiply(Math.ceil(mc / MR), Math.ceil(nc / NR), kc, p0 === 0);
      }
      io.unpack(i0, mc, j0, nc);
    }
  }
}

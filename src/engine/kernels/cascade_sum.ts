/**
 * ATen's floating-point sum (SumKernel.cpp's cascade_sum), addition for addition, so a float32 sum rounds exactly as
 * PyTorch 1.13's does on the AVX2 path (8 float lanes; 4 double lanes for float64).
 *
 * The shape of the algorithm: a row is summed in chunks of at least 16 rows, chunk sums are summed in chunks again
 * (four levels), so only numbers of a similar size meet. To keep the CPU busy, a row is read as 4 interleaved
 * columns ("ILP"), and contiguous data as vectors of lanes, each lane its own running sum. The loop nest comes from
 * reduce_plan.ts; the kernel sees its two innermost loops and picks one of four paths from their strides.
 *
 * Accumulators are typed arrays of the data's own type, so each `+=` rounds as the CPU's add does (a sum of two
 * floats rounded first to double, then to float, is the correctly rounded float sum).
 */
import { reductionNest, type LoopDim } from "./reduce_plan";

export type FloatArray = Float32Array | Float64Array;

const LEVELS = 4;
const ILP = 4;

/** ATen's utils::CeilLog2. */
function ceilLog2(x: number): number {
  if (x <= 2) return 1;
  return Math.floor(Math.log2(x - 1)) + 1;
}

/**
 * multi_row_sum: sums `size` rows of K columns × W lanes, element (i, k, l) at base + i·rowStride + k·colStride + l,
 * into acc[0, K·W). `acc` has room for LEVELS·K·W accumulators.
 */
function multiRowSum(src: FloatArray, base: number, rowStride: number, colStride: number, k: number, w: number, size: number, acc: FloatArray): void {
  const m = k * w;
  acc.fill(0, 0, LEVELS * m);
  const levelPower = Math.max(4, Math.floor(ceilLog2(size) / LEVELS));
  const levelStep = 2 ** levelPower;
  const levelMask = levelStep - 1;
  const packed = colStride === w;
  let i = 0;
  while (i + levelStep <= size) {
    for (let j = 0; j < levelStep; j++, i++) addRow(src, base + i * rowStride, colStride, k, w, packed, acc);
    for (let j = 1; j < LEVELS; j++) {
      const to = j * m;
      const from = to - m;
      for (let c = 0; c < m; c++) {
        acc[to + c] += acc[from + c];
        acc[from + c] = 0;
      }
      if ((i & (levelMask << (j * levelPower))) !== 0) break;
    }
  }
  for (; i < size; i++) addRow(src, base + i * rowStride, colStride, k, w, packed, acc);
  for (let j = 1; j < LEVELS; j++) {
    const from = j * m;
    for (let c = 0; c < m; c++) acc[c] += acc[from + c];
  }
}

function addRow(src: FloatArray, at: number, colStride: number, k: number, w: number, packed: boolean, acc: FloatArray): void {
  if (packed) {
    for (let c = 0, n = k * w; c < n; c++) acc[c] += src[at + c];
    return;
  }
  for (let col = 0; col < k; col++) {
    const p = at + col * colStride;
    for (let l = 0; l < w; l++) acc[col * w + l] += src[p + l];
  }
}

/** row_sum: `size` rows of W lanes (element (i, l) at base + i·stride + l), read as 4 interleaved columns; the W
 * sums land in acc[0, W). */
function rowSum(src: FloatArray, base: number, stride: number, size: number, w: number, acc: FloatArray): void {
  const sizeIlp = Math.floor(size / ILP);
  multiRowSum(src, base, ILP * stride, stride, ILP, w, sizeIlp, acc);
  for (let i = sizeIlp * ILP; i < size; i++) {
    const p = base + i * stride;
    for (let l = 0; l < w; l++) acc[l] += src[p + l];
  }
  for (let col = 1; col < ILP; col++) for (let l = 0; l < w; l++) acc[l] += acc[col * w + l];
}

/** The reducing 2-D loop of cascade_sum: `size0` × `size1` elements, strides [reduced inner, outer]. */
class SumLoop {
  /** Lanes of one vector: 8 floats or 4 doubles in 256 bits. */
  private readonly w: number;
  private readonly acc: FloatArray;
  private readonly one: FloatArray;

  constructor(
    private readonly src: FloatArray,
    private readonly out: FloatArray,
  ) {
    this.w = src instanceof Float32Array ? 8 : 4;
    const make = (n: number): FloatArray => (src instanceof Float32Array ? new Float32Array(n) : new Float64Array(n));
    this.acc = make(LEVELS * ILP * this.w);
    this.one = make(1);
  }

  run(inBase: number, outBase: number, size0: number, size1: number, in0: number, in1: number, out0: number, out1: number): void {
    // Put the reduced loop first.
    if (out0 !== 0 && out1 === 0) {
      [in0, in1, out0, out1, size0, size1] = [in1, in0, out1, out0, size1, size0];
    }
    const { src, out } = this;
    if (out0 !== 0 && out1 !== 0) {
      // Nothing reduced in these loops: each element is added to its own output.
      for (let j = 0; j < size1; j++) {
        for (let i = 0; i < size0; i++) out[outBase + j * out1 + i * out0] += src[inBase + j * in1 + i * in0];
      }
      return;
    }
    if (in0 === 1 && size0 >= this.w) this.vectorizedInner(inBase, outBase, in1, out1, size0, size1);
    else if (in1 === 1 && size1 >= this.w) this.vectorizedOuter(inBase, outBase, in0, out1, size0, size1);
    else if (in0 < in1) {
      for (let j = 0; j < size1; j++) this.scalarRow(inBase + j * in1, in0, size0, outBase + j * out1);
    } else this.scalarOuter(inBase, outBase, in0, in1, out1, size0, size1);
  }

  /** Contiguous rows: lanes of vectors, then the leftover elements, then the lanes, in that order. */
  private vectorizedInner(inBase: number, outBase: number, in1: number, out1: number, size0: number, size1: number): void {
    const { src, out, acc, w, one } = this;
    const vectors = Math.floor(size0 / w);
    for (let j = 0; j < size1; j++) {
      const row = inBase + j * in1;
      rowSum(src, row, w, vectors, w, acc);
      one[0] = 0;
      for (let k = vectors * w; k < size0; k++) one[0] += src[row + k];
      for (let l = 0; l < w; l++) one[0] += acc[l];
      out[outBase + j * out1] += one[0];
    }
  }

  /** Contiguous columns: 4 vectors of columns at a time, then single vectors, then single columns. */
  private vectorizedOuter(inBase: number, outBase: number, in0: number, out1: number, size0: number, size1: number): void {
    const { src, out, acc, w } = this;
    let j = 0;
    for (; j + ILP * w <= size1; j += ILP * w) {
      multiRowSum(src, inBase + j, in0, w, ILP, w, size0, acc);
      for (let c = 0; c < ILP * w; c++) out[outBase + (j + c) * out1] += acc[c];
    }
    for (; j + w <= size1; j += w) {
      rowSum(src, inBase + j, in0, size0, w, acc);
      for (let c = 0; c < w; c++) out[outBase + (j + c) * out1] += acc[c];
    }
    for (; j < size1; j++) this.scalarRow(inBase + j, in0, size0, outBase + j * out1);
  }

  private scalarOuter(inBase: number, outBase: number, in0: number, in1: number, out1: number, size0: number, size1: number): void {
    const { src, out, acc } = this;
    let j = 0;
    for (; j + ILP - 1 < size1; j += ILP) {
      multiRowSum(src, inBase + j * in1, in0, in1, ILP, 1, size0, acc);
      for (let c = 0; c < ILP; c++) out[outBase + (j + c) * out1] += acc[c];
    }
    for (; j < size1; j++) this.scalarRow(inBase + j * in1, in0, size0, outBase + j * out1);
  }

  private scalarRow(base: number, stride: number, size: number, outAt: number): void {
    rowSum(this.src, base, stride, size, 1, this.acc);
    this.out[outAt] += this.acc[0];
  }
}

/**
 * Sums `dims` of `src` (of `shape`, element strides `strides`, row-major when omitted, starting at `offset`) into
 * `out`, a zeroed contiguous buffer of the kept shape, as at::sum does on one thread.
 */
export function cascadeSum(src: FloatArray, shape: readonly number[], dims: readonly number[], out: FloatArray, strides?: readonly number[], offset = 0): void {
  out.fill(0);
  for (const d of shape) if (d === 0) return;
  const nest = reductionNest(shape, dims, strides);
  const loop = new SumLoop(src, out);
  forEach2d(nest, offset, (inBase, outBase, d0, d1) => loop.run(inBase, outBase, d0.size, d1.size, d0.inStride, d1.inStride, d0.outStride, d1.outStride));
}

const UNIT: LoopDim = { size: 1, inStride: 0, outStride: 0 };

/** TensorIterator's serial_for_each with a 2-D loop: the two innermost loops go to `body`, the rest are walked here
 * (the third loop fastest). */
export function forEach2d(nest: readonly LoopDim[], inOffset: number, body: (inBase: number, outBase: number, d0: LoopDim, d1: LoopDim) => void): void {
  const d0 = nest[0] ?? UNIT;
  const d1 = nest[1] ?? UNIT;
  const outer = nest.slice(2);
  const index = new Array<number>(outer.length).fill(0);
  let inBase = inOffset;
  let outBase = 0;
  for (;;) {
    body(inBase, outBase, d0, d1);
    let d = 0;
    for (; d < outer.length; d++) {
      index[d]++;
      inBase += outer[d].inStride;
      outBase += outer[d].outStride;
      if (index[d] < outer[d].size) break;
      inBase -= outer[d].inStride * outer[d].size;
      outBase -= outer[d].outStride * outer[d].size;
      index[d] = 0;
    }
    if (d === outer.length) return;
  }
}

/**
 * The loop nest PyTorch's TensorIterator builds: which dims it walks innermost and which it merges. ATen's kernels
 * choose their paths from this nest (a sum its summation order, a pointwise op its vectorised or scalar formula),
 * so reproducing their float32 results bit for bit needs the same nest.
 *
 * TensorIterator orders dims by the operands' strides, output first: for a reduction, dims the output reduces
 * (stride 0) go innermost; then every dim by increasing stride (ties: the smaller size first), by insertion sort
 * from the reversed dim order, skipping an operand where either stride is 0 (it broadcasts). Then it merges
 * neighbours that are one run of memory in every operand (or have size 1).
 */

/** One loop of the nest: its length and, in elements, each operand's step along it (output first). */
export interface NestDim {
  size: number;
  strides: number[];
}

/** The nest over `shape` for operands with the given element strides (output first); innermost loop first. */
export function iteratorNest(shape: readonly number[], operands: ReadonlyArray<readonly number[]>, reduction: boolean): NestDim[] {
  const perm = reorder(shape, operands, reduction);
  return coalesce(perm.map((d) => ({ size: shape[d], strides: operands.map((s) => s[d]) })));
}

/** Row-major strides of `shape`. */
export function rowMajor(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  for (let d = shape.length - 1, s = 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  return strides;
}

/** Strides of a row-major tensor of `own` shape broadcast to `shape` (0 along broadcast dims). */
export function broadcastStridesOf(own: readonly number[], shape: readonly number[]): number[] {
  const strides = rowMajor(own);
  const out = new Array<number>(shape.length).fill(0);
  const offset = shape.length - own.length;
  for (let i = 0; i < own.length; i++) out[i + offset] = own[i] === 1 && shape[i + offset] !== 1 ? 0 : strides[i];
  return out;
}

/** One loop of a reduction's nest: its length and the input's and the output's step along it. */
export interface LoopDim {
  size: number;
  inStride: number;
  outStride: number;
}

/**
 * The nest for reducing `dims` of an input of `shape` with element strides `inStrides` (row-major by default) into a
 * fresh contiguous output of the kept shape. Innermost loop first; empty for a single element.
 */
export function reductionNest(shape: readonly number[], dims: readonly number[], inStrides?: readonly number[]): LoopDim[] {
  const nd = shape.length;
  const input = inStrides ? inStrides.slice() : rowMajor(shape);
  const reduced = new Array<boolean>(nd).fill(false);
  for (const d of dims) reduced[d] = true;
  // The output: contiguous over the kept shape (reduced dims of size 1), with stride 0 where it broadcasts.
  const output = new Array<number>(nd).fill(0);
  for (let d = nd - 1, s = 1; d >= 0; d--) {
    const kept = reduced[d] ? 1 : shape[d];
    output[d] = kept === 1 && shape[d] !== 1 ? 0 : s;
    s *= kept;
  }
  return iteratorNest(shape, [output, input], true).map((d) => ({ size: d.size, outStride: d.strides[0], inStride: d.strides[1] }));
}

/** TensorIterator::reorder_dimensions, innermost dim first. */
function reorder(shape: readonly number[], operands: ReadonlyArray<readonly number[]>, reduction: boolean): number[] {
  const nd = shape.length;
  const perm = new Array<number>(nd);
  for (let i = 0; i < nd; i++) perm[i] = nd - 1 - i;
  // > 0: swap, < 0: keep, 0: undecided (keep looking further back).
  const shouldSwap = (d0: number, d1: number): number => {
    for (let k = 0; k < operands.length; k++) {
      const s0 = operands[k][d0];
      const s1 = operands[k][d1];
      // A reduction's reduced dims (output stride 0) go innermost.
      if (reduction && k === 0 && (s0 === 0) !== (s1 === 0)) return s1 === 0 ? 1 : -1;
      if (s0 === 0 || s1 === 0) continue;
      if (s0 < s1) return -1;
      if (s0 > s1) return 1;
      if (shape[d0] > shape[d1]) return 1;
    }
    return 0;
  };
  for (let i = 1; i < nd; i++) {
    let d1 = i;
    for (let d0 = i - 1; d0 >= 0; d0--) {
      const c = shouldSwap(perm[d0], perm[d1]);
      if (c > 0) {
        [perm[d0], perm[d1]] = [perm[d1], perm[d0]];
        d1 = d0;
      } else if (c < 0) break;
    }
  }
  return perm;
}

/** TensorIterator::coalesce_dimensions. */
function coalesce(loops: NestDim[]): NestDim[] {
  if (loops.length <= 1) return loops;
  const out = [{ size: loops[0].size, strides: loops[0].strides.slice() }];
  for (let i = 1; i < loops.length; i++) {
    const prev = out[out.length - 1];
    const cur = loops[i];
    const merge = prev.size === 1 || cur.size === 1 || prev.strides.every((s, k) => prev.size * s === cur.strides[k]);
    if (merge) {
      if (prev.size === 1) prev.strides = cur.strides.slice();
      prev.size *= cur.size;
    } else out.push({ size: cur.size, strides: cur.strides.slice() });
  }
  return out;
}

/**
 * The loop nest PyTorch's TensorIterator builds for a reduction: which dims it walks innermost and which it merges.
 * ATen's sum and prod kernels pick their summation order from this nest (the first two dims form the 2-D loop the
 * kernel sees, the rest are walked outside it), so reproducing their float32 results bit for bit needs the same nest.
 *
 * TensorIterator orders dims by the operands' strides, output first: dims the output reduces (stride 0) go
 * innermost, then every dim by increasing stride (ties: the smaller size first), by insertion sort from the
 * reversed dim order. Then it merges neighbours that are one run of memory in every operand (or have size 1).
 */

/** One loop of the nest: its length and, in elements, the input's and the output's step along it. */
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
  const perm = reorder(shape, output, input);
  return coalesce(perm.map((d) => ({ size: shape[d], inStride: input[d], outStride: output[d] })));
}

function rowMajor(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  for (let d = shape.length - 1, s = 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  return strides;
}

/** TensorIterator::reorder_dimensions for a (output, input) pair, innermost dim first. */
function reorder(shape: readonly number[], output: number[], input: number[]): number[] {
  const nd = shape.length;
  const perm = new Array<number>(nd);
  for (let i = 0; i < nd; i++) perm[i] = nd - 1 - i;
  // > 0: swap, < 0: keep, 0: undecided (keep looking further back).
  const shouldSwap = (d0: number, d1: number): number => {
    for (const strides of [output, input]) {
      const s0 = strides[d0];
      const s1 = strides[d1];
      // The output's reduced dims go innermost.
      if (strides === output && (s0 === 0) !== (s1 === 0)) return s1 === 0 ? 1 : -1;
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
function coalesce(loops: LoopDim[]): LoopDim[] {
  if (loops.length <= 1) return loops;
  const out = [{ ...loops[0] }];
  for (let i = 1; i < loops.length; i++) {
    const prev = out[out.length - 1];
    const cur = loops[i];
    const merge = prev.size === 1 || cur.size === 1 ||
      (prev.size * prev.inStride === cur.inStride && prev.size * prev.outStride === cur.outStride);
    if (merge) {
      if (prev.size === 1) {
        prev.inStride = cur.inStride;
        prev.outStride = cur.outStride;
      }
      prev.size *= cur.size;
    } else out.push({ ...cur });
  }
  return out;
}

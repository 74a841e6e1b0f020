/**
 * Triangles and diagonals of matrices: tril/triu (and in place), diag (a vector onto a matrix's diagonal, or a matrix's
 * diagonal as a vector), diagEmbed (vectors onto the diagonals of a batch of matrices) and diagflat.
 */
import { IndexError, RuntimeError } from "../errors";
import { type Geometry, gather, scatter } from "../kernels/strided";
import { contiguousStrides, normalizeDim } from "../shape";
import { Tensor, addMethods } from "../tensor";
import { inplace } from "./inplace";
import { apply, defineOp, type OpDef } from "./op";
import { empty } from "./operands";
import { diagonal } from "./slicing";
import { stridedScatterAdd } from "./strided_grad";
import { contiguous, view } from "./views";

// ---- tril, triu ----

interface TriangleAttrs {
  diagonal: number;
  upper: boolean;
}

const triangleOp: OpDef<TriangleAttrs> = defineOp<TriangleAttrs>({
  name: "triangle",
  gradFnName: (a) => (a.upper ? "TriuBackward0" : "TrilBackward0"),
  forward: ([t], { diagonal: k, upper }) => {
    const rows = t.shape[t.ndim - 2];
    const cols = t.shape[t.ndim - 1];
    const out = empty(t.shape.slice(), t.dtype);
    const src = t._data;
    const dst = out._data;
    for (let at = 0; at < dst.length; at += rows * cols) {
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          const keep = upper ? j - i >= k : j - i <= k;
          if (keep) dst[at + i * cols + j] = src[at + i * cols + j];
        }
      }
    }
    return out;
  },
  backward: ({ attrs }, g) => [apply(triangleOp, [g], attrs)],
});

function triangle(t: Tensor, k: number, upper: boolean): Tensor {
  if (!Number.isInteger(k)) throw new TypeError(`${upper ? "triu" : "tril"}(): diagonal must be an integer, but got ${k}`);
  // PyTorch's own messages for fewer than 2 dims come from wrapping dim -2.
  if (t.ndim === 0) throw new IndexError("Dimension specified as -2 but tensor has no dimensions");
  normalizeDim(-2, t.ndim);
  return apply(triangleOp, [t], { diagonal: k, upper });
}

/** `torch.tril(input, diagonal=0)`: the lower triangle of each matrix (elements with j - i <= diagonal), zeros above. */
export function tril(t: Tensor, diagonal = 0): Tensor {
  return triangle(t, diagonal, false);
}

/** `torch.triu(input, diagonal=0)`: the upper triangle of each matrix (j - i >= diagonal), zeros below. */
export function triu(t: Tensor, diagonal = 0): Tensor {
  return triangle(t, diagonal, true);
}

// ---- diagonals ----

/** Where diagonal `offset` of dims (d1, d2) of a tensor laid out as `g` sits: the other dims first, then the
 * diagonal (as `x.diagonal(offset, d1, d2)` sees it). */
function diagonalGeometry(g: Geometry, offset: number, d1: number, d2: number): Geometry {
  const keep = g.shape.map((_, i) => i).filter((i) => i !== d1 && i !== d2);
  const a = g.shape[d1];
  const b = g.shape[d2];
  const length = Math.max(offset >= 0 ? Math.min(a, b - offset) : Math.min(a + offset, b), 0);
  const start = length === 0 ? 0 : offset >= 0 ? offset * g.strides[d2] : -offset * g.strides[d1];
  return {
    shape: [...keep.map((i) => g.shape[i]), length],
    strides: [...keep.map((i) => g.strides[i]), g.strides[d1] + g.strides[d2]],
    offset: g.offset + start,
  };
}

function rowMajor(shape: readonly number[]): Geometry {
  return { shape, strides: contiguousStrides(shape), offset: 0 };
}

interface EmbedAttrs {
  offset: number;
  dim1: number;
  dim2: number;
}

/** The last dim of t laid along a diagonal of two new dims, zeros elsewhere. */
function embed(t: Tensor, { offset, dim1, dim2 }: EmbedAttrs): Tensor {
  const n = t.ndim === 0 ? 1 : t.shape[t.ndim - 1];
  const size = n + Math.abs(offset);
  const shape = t.shape.slice(0, -1);
  const [lo, hi] = dim1 < dim2 ? [dim1, dim2] : [dim2, dim1];
  shape.splice(lo, 0, size);
  shape.splice(hi, 0, size);
  const out = empty(shape, t.dtype);
  if (out.numel() > 0) scatter(out._data, diagonalGeometry(rowMajor(shape), offset, dim1, dim2), t._data);
  return out;
}

const embedOp = defineOp<EmbedAttrs>({
  name: "diagEmbed",
  gradFnName: "DiagEmbedBackward0",
  forward: ([t], attrs) => embed(t, attrs),
  backward: ({ attrs: { offset, dim1, dim2 } }, g) => [diagonal(g, offset, dim1, dim2)],
});

/** diag of a vector: a square matrix with the vector on diagonal `offset`; its gradient is diag of the matrix. */
const vectorToMatrixOp = defineOp<number>({
  name: "diagVector",
  gradFnName: "DiagBackward0",
  forward: ([t], offset) => embed(t, { offset, dim1: 0, dim2: 1 }),
  backward: ({ attrs: offset }, g) => [apply(extractOp, [g], offset)],
});

/** A matrix's diagonal as a new vector (diag of a matrix); its gradient goes back onto the diagonal. */
const extractOp: OpDef<number> = defineOp<number>({
  name: "diagExtract",
  gradFnName: "DiagBackward0",
  forward: ([t], offset) => {
    const g = diagonalGeometry(rowMajor(t.shape), offset, 0, 1);
    const out = empty(g.shape.slice(), t.dtype);
    if (out.numel() > 0) gather(t._data, g, out._data);
    return out;
  },
  backward: ({ inputs: [x], attrs: offset }, g) => {
    // As PyTorch's diag_backward: a square matrix's gradient is diag of the vector, any other's diagonal_backward.
    if (x.shape[0] === x.shape[1]) return [apply(vectorToMatrixOp, [g], offset)];
    const input = rowMajor(x.shape);
    const map = { input, view: diagonalGeometry(input, offset, 0, 1), gatherName: "AsStridedBackward0", scatterName: "DiagonalBackwardBackward0" };
    return [stridedScatterAdd(g, map)];
  },
});

/** `torch.diag(input, diagonal=0)`: a vector becomes a square matrix with it on diagonal `diagonal`; a matrix gives
 * that diagonal as a vector. */
export function diag(t: Tensor, diagonal = 0): Tensor {
  if (!Number.isInteger(diagonal)) throw new TypeError(`diag(): diagonal must be an integer, but got ${diagonal}`);
  if (t.ndim === 1) return apply(vectorToMatrixOp, [t], diagonal);
  if (t.ndim === 2) return apply(extractOp, [t], diagonal);
  throw new RuntimeError("matrix or a vector expected");
}

/** `torch.diag_embed(input, offset=0, dim1=-2, dim2=-1)`: each vector along input's last dim on a diagonal of the
 * matrices that dims dim1 and dim2 of the result hold. */
export function diagEmbed(t: Tensor, offset = 0, dim1 = -2, dim2 = -1): Tensor {
  const d1 = normalizeDim(dim1, t.ndim + 1);
  const d2 = normalizeDim(dim2, t.ndim + 1);
  if (d1 === d2) throw new RuntimeError(`diagonal dimensions cannot be identical ${dim1}, ${dim2}`);
  return apply(embedOp, [t], { offset, dim1: d1, dim2: d2 });
}

/** `torch.diagflat(input, offset=0)`: the flattened input on a diagonal of a square matrix. */
export function diagflat(t: Tensor, offset = 0): Tensor {
  return diag(view(contiguous(t), [[-1]]), offset);
}

declare module "../tensor" {
  interface Tensor {
    tril(diagonal?: number): Tensor;
    triu(diagonal?: number): Tensor;
    tril_(diagonal?: number): this;
    triu_(diagonal?: number): this;
    diag(diagonal?: number): Tensor;
    diagEmbed(offset?: number, dim1?: number, dim2?: number): Tensor;
    diagflat(offset?: number): Tensor;
  }
}

addMethods({
  tril(this: Tensor, diagonal = 0) {
    return tril(this, diagonal);
  },
  triu(this: Tensor, diagonal = 0) {
    return triu(this, diagonal);
  },
  tril_(this: Tensor, diagonal = 0) {
    return inplace(this, (self) => tril(self, diagonal));
  },
  triu_(this: Tensor, diagonal = 0) {
    return inplace(this, (self) => triu(self, diagonal));
  },
  diag(this: Tensor, diagonal = 0) {
    return diag(this, diagonal);
  },
  diagEmbed(this: Tensor, offset = 0, dim1 = -2, dim2 = -1) {
    return diagEmbed(this, offset, dim1, dim2);
  },
  diagflat(this: Tensor, offset = 0) {
    return diagflat(this, offset);
  },
});

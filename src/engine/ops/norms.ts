/**
 * Norms: torch.linalg.vector_norm (any ord, several dims), torch.linalg.matrix_norm ('fro', 1, -1, inf, -inf, as
 * PyTorch composes them; 'nuc', 2 and -2 from the singular values, linalg_decompositions.ts), torch.linalg.norm, and
 * `x.norm('fro')`.
 */
import { isFloating } from "../dtype";
import { RuntimeError } from "../errors";
import { forEachReduced } from "../kernels/reduce";
import { normalizeDim } from "../shape";
import { Tensor, addMethods } from "../tensor";
import { apply, defineOp } from "./op";
import { empty } from "./operands";
import { norm as pNorm, type ReduceAttrs, reduceAttrs, reducedShapes } from "./reduce";
import { amax, amin } from "./reduce_minmax";
import { svdvals } from "./linalg_decompositions";
import { scalarTypeName } from "./pointwise_op";

interface VectorNormAttrs extends ReduceAttrs {
  ord: number;
}

const vectorNormOp = defineOp<VectorNormAttrs>({
  name: "vectorNorm",
  gradFnName: "LinalgVectorNormBackward0",
  forward: ([t], attrs) => {
    const { kept, out } = reducedShapes(t.shape, attrs);
    const result = empty(out, t.dtype);
    const { ord } = attrs;
    const acc = new Float64Array(result.numel()).fill(ord === -Infinity ? Infinity : 0);
    const src = t._data;
    forEachReduced(t.shape, kept, (i, o) => {
      const a = Math.abs(src[i]);
      if (a !== a) acc[o] = NaN;
      else if (ord === Infinity) acc[o] = Math.max(acc[o], a);
      else if (ord === -Infinity) acc[o] = Math.min(acc[o], a);
      else if (ord === 0) acc[o] += a !== 0 ? 1 : 0;
      else if (ord === 1) acc[o] += a;
      else if (ord === 2) acc[o] += a * a;
      else acc[o] += Math.pow(a, ord);
    });
    for (let o = 0; o < acc.length; o++) {
      const v = acc[o];
      result._data[o] = !Number.isFinite(ord) || ord === 0 || ord === 1 ? v : ord === 2 ? Math.sqrt(v) : Math.pow(v, 1 / ord);
    }
    return result;
  },
  // PyTorch's norm_backward, written with differentiable ops.
  backward: ({ inputs: [x], output, attrs }, g) => {
    const { kept } = reducedShapes(x.shape, attrs);
    const n = output.reshape(kept);
    const grad = g.reshape(kept);
    const { ord } = attrs;
    if (ord === 0) return [x.mul(0)];
    if (ord === 1) return [grad.mul(x.sgn())];
    if (!Number.isFinite(ord)) {
      const mask = x.abs().eq(n);
      return [grad.mul(x.sgn()).mul(mask).div(mask.sum(attrs.dims, true))];
    }
    // Where the norm is 0 the gradient is 0 (PyTorch's masked_fill): divide by 1 there instead of 0.
    const zero = n.eq(0);
    const safe = n.add(zero);
    if (ord === 2) return [x.mul(grad.div(safe)).mul(zero.logicalNot())];
    const scale = x.mul(x.abs().pow(ord - 2)).mul(grad).div(safe.pow(ord - 1));
    return [scale.mul(zero.logicalNot())];
  },
  saves: { inputs: [0], output: true },
});

export interface NormOptions {
  dim?: number | number[] | null;
  keepdim?: boolean;
}

/** torch.linalg.vector_norm(x, ord = 2, dim = None, keepdim = False). */
export function vectorNorm(x: Tensor, ord = 2, options: NormOptions = {}): Tensor {
  if (typeof ord !== "number" || Number.isNaN(ord)) throw new TypeError(`linalg.vector_norm(): argument 'ord' must be a number, but got ${String(ord)}`);
  if (!isFloating(x.dtype)) {
    throw new RuntimeError(`linalg.vector_norm: Expected a floating point or complex tensor as input. Got ${scalarTypeName(x.dtype)}`);
  }
  return apply(vectorNormOp, [x], { ...reduceAttrs(x, options.dim ?? null, options.keepdim ?? false), ord });
}

export type MatrixOrd = "fro" | "nuc" | number;

/** torch.linalg.matrix_norm(A, ord = 'fro', dim = (-2, -1), keepdim = False). */
export function matrixNorm(a: Tensor, ord: MatrixOrd = "fro", options: { dim?: [number, number]; keepdim?: boolean } = {}): Tensor {
  if (a.ndim < 2) throw new RuntimeError(`linalg.matrix_norm: The input tensor A must have at least 2 dimensions.`);
  const [r, c] = (options.dim ?? [-2, -1]).map((d) => normalizeDim(d, a.ndim));
  const keepdim = options.keepdim ?? false;
  if (ord === "fro") return vectorNorm(a, 2, { dim: [r, c], keepdim });
  if (ord === "nuc" || ord === 2 || ord === -2) return spectralNorm(a, ord, r, c, keepdim);
  if (ord !== 1 && ord !== -1 && ord !== Infinity && ord !== -Infinity) {
    throw new RuntimeError(`linalg.matrix_norm: Order ${ord} not supported.`);
  }
  // As PyTorch: a max (or min) over one dim of abs-sums over the other (column sums for ±1, row sums for ±inf).
  const [sumDim, pickFrom] = Math.abs(ord) === 1 ? [r, c] : [c, r];
  const pickDim = !keepdim && sumDim < pickFrom ? pickFrom - 1 : pickFrom;
  const sums = a.abs().sum(sumDim, keepdim);
  return ord > 0 ? amax(sums, pickDim, keepdim) : amin(sums, pickDim, keepdim);
}

/** The nuclear norm (Σσ) or ±2-norm (the largest or smallest σ) of the matrices in dims r and c: as PyTorch, their
 * singular values after moving those dims last (PermuteBackward0 → LinalgSvdBackward0 → SumBackward1 / AmaxBackward0). */
function spectralNorm(a: Tensor, ord: "nuc" | 2 | -2, r: number, c: number, keepdim: boolean): Tensor {
  const permutation = [...a.shape.keys()].filter((d) => d !== r && d !== c).concat([r, c]);
  const s = svdvals(a.permute(permutation));
  let result = ord === "nuc" ? s.sum(-1, keepdim) : ord === 2 ? amax(s, -1, keepdim) : amin(s, -1, keepdim);
  if (keepdim) {
    const reverse = new Array<number>(permutation.length);
    permutation.forEach((d, i) => (reverse[d] = i));
    result = result.unsqueeze(-1).permute(reverse);
  }
  return result;
}

/** torch.linalg.norm: the 2-norm of all elements by default; a vector norm over one dim, a matrix norm over two. */
export function linalgNorm(x: Tensor, ord: MatrixOrd | null = null, options: NormOptions = {}): Tensor {
  const dim = options.dim ?? null;
  const dims = dim === null ? null : Array.isArray(dim) ? dim : [dim];
  if (ord === null) return vectorNorm(x, 2, options);
  if ((dims !== null && dims.length === 2) || (dims === null && x.ndim === 2)) {
    return matrixNorm(x, ord, { dim: (dims ?? [-2, -1]) as [number, number], keepdim: options.keepdim });
  }
  if (typeof ord === "string") throw new RuntimeError(`linalg.norm: If dim is specified, it must be of length 1 or 2. Got ${dims === null ? "None" : `[${dims.join(", ")}]`}`);
  return vectorNorm(x, ord, options);
}

declare module "../tensor" {
  interface Tensor {
    norm(p?: number | "fro", dim?: number | number[] | null, keepdim?: boolean): Tensor;
  }
}

addMethods({
  // `x.norm('fro')` is the 2-norm (NormBackward1) in PyTorch; numbers stay reduce.ts's norm.
  norm(this: Tensor, p: number | "fro" = 2, dim?: number | number[] | null, keepdim = false) {
    if (p === "fro") p = 2;
    return pNorm(this, p, dim ?? null, keepdim);
  },
});

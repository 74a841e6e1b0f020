/** The `torch.*` function forms of the ops (`exp(x)`, `matmul(a, b)`), for users who write PyTorch that way. */
import * as arith from "./ops/arith";
import * as compare from "./ops/compare";
import * as linalg from "./ops/linalg";
import * as unary from "./ops/unary";
import type { Tensor, TensorOrScalar } from "./tensor";
import { type ClampBounds, clampAny } from "./ops/binary_math";

export const add = arith.add;
export const sub = arith.sub;
export const mul = arith.mul;
export const div = arith.div;
export const pow = arith.pow;
export const maximum = arith.maximum;
export const minimum = arith.minimum;
export const floorDivide = arith.floorDivide;
export const subtract = arith.sub;
export const multiply = arith.mul;
export const divide = arith.div;
export const trueDivide = (a: TensorOrScalar, b: TensorOrScalar): Tensor => arith.div(a, b);
export const matmul = linalg.matmul;
export const mm = linalg.mm;
export const mv = linalg.mv;
export const dot = linalg.dot;
export const addmm = linalg.addmm;
export const neg = unary.neg;
export const abs = unary.abs;
export const exp = unary.exp;
export const log = unary.log;
export const sqrt = unary.sqrt;
export const sin = unary.sin;
export const cos = unary.cos;
export const tanh = unary.tanh;
export const sigmoid = unary.sigmoid;
export const relu = unary.relu;
export const sign = unary.sign;
export const reciprocal = unary.reciprocal;
export const eq = compare.eq;
export const ne = compare.ne;
export const gt = compare.gt;
export const ge = compare.ge;
export const lt = compare.lt;
export const le = compare.le;

export function clamp(t: Tensor, min?: TensorOrScalar | null | ClampBounds, max?: TensorOrScalar | null): Tensor {
  return clampAny(t, min, max);
}

export function sum(t: Tensor, dim?: number | number[] | null, keepdim = false): Tensor {
  return t.sum(dim, keepdim);
}

export function mean(t: Tensor, dim?: number | number[] | null, keepdim = false): Tensor {
  return t.mean(dim, keepdim);
}


// ---- views, slicing, indexing (torch.* function forms) ----
export { view, reshape, flatten, unflatten, squeeze, unsqueeze, permute, transpose, movedim, expand, detach, contiguous } from "./ops/views";
export { transpose as swapaxes, transpose as swapdims, movedim as moveaxis, t } from "./ops/views";
export { clone } from "./ops/copy";
export { select, narrow, diagonal, asStrided, unbind, split, chunk, tensorSplit } from "./ops/slicing";
export { index, indexPut_ } from "./ops/indexing";

// ---- joining, gathering, masking, rearranging (torch.* function forms) ----
export { cat, concat, concatenate, stack, hstack, vstack, dstack, columnStack } from "./ops/join";
export { where, maskedFill, maskedSelect, maskedScatter, nonzero, argwhere } from "./ops/masked";
export { gather, scatter, scatterAdd, take } from "./ops/gather_scatter";
export type { ScatterOptions, ScatterReduce } from "./ops/gather_scatter";
export { indexSelect, indexAdd, indexCopy, indexFill } from "./ops/index_select";
export { flip, fliplr, flipud, roll, repeatInterleave, tile } from "./ops/rearrange";
export { tril, triu, diag, diagEmbed, diagflat } from "./ops/triangular";
export { meshgrid, cartesianProd, combinations } from "./ops/grids";
export type { MeshgridIndexing, MeshgridOptions } from "./ops/grids";

// ---- linear algebra (torch.* function forms; torch.linalg is the `linalg` namespace) ----
export { bmm, baddbmm, addbmm, addmv, addr, outer, outer as ger, inner, tensordot, kron, trace, cross, matrixPower } from "./ops/linalg_products";
export type { ScaleOptions } from "./ops/linalg_products";
export { einsum } from "./ops/linalg_einsum";
export { det, torchSlogdet as slogdet, logdet, inv as inverse } from "./ops/linalg_solve";
export { pinverse, torchSvd as svd } from "./ops/linalg_decompositions";

/** The `torch.*` function forms of the op catalogue (issue 10): pointwise math, rounding, special functions, binary
 * math, reductions, scans, sorting, norms, logical ops. Methods are added by each family file. */
export { log1p, expm1, log2, log10, exp2, rsqrt, sinh, cosh, tan, asin, acos, atan, asinh, acosh, atanh, deg2rad, rad2deg, sgn, logit, square } from "./ops/pointwise_math";
export { asin as arcsin, acos as arccos, atan as arctan, asinh as arcsinh, acosh as arccosh, atanh as arctanh } from "./ops/pointwise_math";
export { floor, ceil, round, trunc, trunc as fix, frac } from "./ops/rounding";
export { erf, erfc, erfinv, lgamma, digamma, polygamma } from "./ops/special";
export { atan2, atan2 as arctan2, remainder, fmod, hypot, logaddexp, logaddexp2, xlogy, lerp, addcmul, addcdiv, clampMin, clampMax, clampAny as clip } from "./ops/binary_math";
export { variance as var, std, varMean, stdMean } from "./ops/reduce_stats";
export type { VarOptions } from "./ops/reduce_stats";
export { prod, logsumexp, nansum, nanmean } from "./ops/reduce_more";
export { amax, amin, argmax, argmin, aminmax } from "./ops/reduce_minmax";
export { cumsum, cumprod, logcumsumexp, cummax, cummin } from "./ops/scan";
export { sort, argsort, msort, topk, kthvalue, median, nanmedian, mode } from "./ops/sorting";
export { isnan, isinf, isfinite, isposinf, isneginf, signbit, all, any, countNonzero, nanToNum, isclose, allclose, equal } from "./ops/logical";
export { bitwiseAnd, bitwiseOr, bitwiseXor, bitwiseNot } from "./ops/logical";
import type { Tensor } from "./tensor";
import type { ValuesIndices } from "./ops/return_types";

/** torch.max: of all elements, along a dim (values and indices), or elementwise against another tensor. */
export function max(t: Tensor): Tensor;
export function max(t: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function max(t: Tensor, other: Tensor): Tensor;
export function max(t: Tensor, dimOrOther?: number | Tensor, keepdim = false): Tensor | ValuesIndices {
  if (dimOrOther === undefined) return t.max();
  return typeof dimOrOther === "number" ? t.max(dimOrOther, keepdim) : t.max(dimOrOther);
}

export function min(t: Tensor): Tensor;
export function min(t: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function min(t: Tensor, other: Tensor): Tensor;
export function min(t: Tensor, dimOrOther?: number | Tensor, keepdim = false): Tensor | ValuesIndices {
  if (dimOrOther === undefined) return t.min();
  return typeof dimOrOther === "number" ? t.min(dimOrOther, keepdim) : t.min(dimOrOther);
}

/** torch.norm(x, p = 2, dim, keepdim). */
export function norm(t: Tensor, p: number | "fro" = 2, dim?: number | number[] | null, keepdim = false): Tensor {
  return t.norm(p, dim, keepdim);
}

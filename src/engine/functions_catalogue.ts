/** The `torch.*` function forms of the op catalogue (issue 10): pointwise math, rounding, special functions, binary
 * math, reductions, scans, sorting, norms, logical ops. Methods are added by each family file. */
export { log1p, expm1, log2, log10, exp2, rsqrt, sinh, cosh, tan, asin, acos, atan, asinh, acosh, atanh, deg2rad, rad2deg, sgn, logit, square } from "./ops/pointwise_math";
export { asin as arcsin, acos as arccos, atan as arctan, asinh as arcsinh, acosh as arccosh, atanh as arctanh } from "./ops/pointwise_math";
export { floor, ceil, round, trunc, trunc as fix, frac } from "./ops/rounding";
export { erf, erfc, erfinv, lgamma, digamma, polygamma } from "./ops/special";
export { atan2, atan2 as arctan2, remainder, fmod, hypot, logaddexp, logaddexp2, xlogy, lerp, addcmul, addcdiv, clampMin, clampMax, clampAny as clip } from "./ops/binary_math";

/** In-place forms of the catalogue's elementwise ops (`x.log1p_()`, `x.clamp_(lo, hi)` with tensor bounds,
 * `x.lerp_(end, w)`...), each through the engine's one in-place path (ops/inplace.ts: leaf and view checks, CopySlices,
 * versions). The node is the out-of-place op's, as PyTorch names it. */
import { Tensor, addMethods, type TensorOrScalar } from "../tensor";
import * as binary from "./binary_math";
import { inplace } from "./inplace";
import { nanToNum } from "./logical";
import * as math from "./pointwise_math";
import * as rounding from "./rounding";
import * as special from "./special";

const oneArgument: Record<string, (t: Tensor) => Tensor> = {
  log1p_: (t) => math.log1p(t), expm1_: (t) => math.expm1(t), log2_: (t) => math.log2(t), log10_: (t) => math.log10(t),
  exp2_: (t) => math.exp2(t), rsqrt_: (t) => math.rsqrt(t), sinh_: (t) => math.sinh(t), cosh_: (t) => math.cosh(t),
  tan_: (t) => math.tan(t), asin_: (t) => math.asin(t), acos_: (t) => math.acos(t), atan_: (t) => math.atan(t),
  asinh_: (t) => math.asinh(t), acosh_: (t) => math.acosh(t), atanh_: (t) => math.atanh(t), sgn_: (t) => math.sgn(t),
  deg2rad_: (t) => math.deg2rad(t), rad2deg_: (t) => math.rad2deg(t), square_: (t) => math.square(t),
  floor_: (t) => rounding.floor(t), ceil_: (t) => rounding.ceil(t), trunc_: (t) => rounding.trunc(t), fix_: (t) => rounding.trunc(t),
  frac_: (t) => rounding.frac(t), erf_: (t) => special.erf(t), erfc_: (t) => special.erfc(t), erfinv_: (t) => special.erfinv(t),
  lgamma_: (t) => special.lgamma(t), digamma_: (t) => special.digamma(t),
};

declare module "../tensor" {
  interface Tensor {
    log1p_(): this;
    expm1_(): this;
    log2_(): this;
    log10_(): this;
    exp2_(): this;
    rsqrt_(): this;
    sinh_(): this;
    cosh_(): this;
    tan_(): this;
    asin_(): this;
    acos_(): this;
    atan_(): this;
    asinh_(): this;
    acosh_(): this;
    atanh_(): this;
    sgn_(): this;
    deg2rad_(): this;
    rad2deg_(): this;
    square_(): this;
    floor_(): this;
    ceil_(): this;
    trunc_(): this;
    fix_(): this;
    frac_(): this;
    erf_(): this;
    erfc_(): this;
    erfinv_(): this;
    lgamma_(): this;
    digamma_(): this;
    round_(options?: { decimals?: number }): this;
    logit_(eps?: number | null): this;
    polygamma_(n: number): this;
    clamp_(min?: TensorOrScalar | null | binary.ClampBounds, max?: TensorOrScalar | null): this;
    clip_(min?: TensorOrScalar | null | binary.ClampBounds, max?: TensorOrScalar | null): this;
    clampMin_(min: TensorOrScalar): this;
    clampMax_(max: TensorOrScalar): this;
    atan2_(other: TensorOrScalar): this;
    remainder_(other: TensorOrScalar): this;
    fmod_(other: TensorOrScalar): this;
    hypot_(other: Tensor): this;
    logaddexp_(other: Tensor): this;
    xlogy_(other: TensorOrScalar): this;
    lerp_(end: Tensor, weight: TensorOrScalar): this;
    addcmul_(tensor1: Tensor, tensor2: Tensor, options?: { value?: number }): this;
    addcdiv_(tensor1: Tensor, tensor2: Tensor, options?: { value?: number }): this;
    nanToNum_(nan?: number, posinf?: number | null, neginf?: number | null): this;
  }
}

addMethods(Object.fromEntries(Object.entries(oneArgument).map(([name, fn]) => [name, function (this: Tensor) { return inplace(this, fn); }])));

addMethods({
  round_(this: Tensor, options?: { decimals?: number }) {
    return inplace(this, (self) => rounding.round(self, options));
  },
  logit_(this: Tensor, eps?: number | null) {
    return inplace(this, (self) => math.logit(self, eps ?? null));
  },
  polygamma_(this: Tensor, n: number) {
    return inplace(this, (self) => special.polygamma(n, self));
  },
  clamp_(this: Tensor, min?: TensorOrScalar | null | binary.ClampBounds, max?: TensorOrScalar | null) {
    return clampInPlace(this, min, max);
  },
  clip_(this: Tensor, min?: TensorOrScalar | null | binary.ClampBounds, max?: TensorOrScalar | null) {
    return clampInPlace(this, min, max);
  },
  clampMin_(this: Tensor, min: TensorOrScalar) {
    return inplace(this, (self) => binary.clampMin(self, min), [min]);
  },
  clampMax_(this: Tensor, max: TensorOrScalar) {
    return inplace(this, (self) => binary.clampMax(self, max), [max]);
  },
  atan2_(this: Tensor, other: TensorOrScalar) {
    return inplace(this, (self) => binary.atan2(self, other), [other]);
  },
  remainder_(this: Tensor, other: TensorOrScalar) {
    return inplace(this, (self) => binary.remainder(self, other), [other]);
  },
  fmod_(this: Tensor, other: TensorOrScalar) {
    return inplace(this, (self) => binary.fmod(self, other), [other]);
  },
  hypot_(this: Tensor, other: Tensor) {
    return inplace(this, (self) => binary.hypot(self, other), [other]);
  },
  logaddexp_(this: Tensor, other: Tensor) {
    return inplace(this, (self) => binary.logaddexp(self, other), [other]);
  },
  xlogy_(this: Tensor, other: TensorOrScalar) {
    return inplace(this, (self) => binary.xlogy(self, other), [other]);
  },
  lerp_(this: Tensor, end: Tensor, weight: TensorOrScalar) {
    return inplace(this, (self) => binary.lerp(self, end, weight), [end, weight]);
  },
  addcmul_(this: Tensor, tensor1: Tensor, tensor2: Tensor, options?: { value?: number }) {
    return inplace(this, (self) => binary.addcmul(self, tensor1, tensor2, options), [tensor1, tensor2]);
  },
  addcdiv_(this: Tensor, tensor1: Tensor, tensor2: Tensor, options?: { value?: number }) {
    return inplace(this, (self) => binary.addcdiv(self, tensor1, tensor2, options), [tensor1, tensor2]);
  },
  nanToNum_(this: Tensor, nan?: number, posinf?: number | null, neginf?: number | null) {
    return inplace(this, (self) => nanToNum(self, nan, posinf, neginf));
  },
});

function clampInPlace(t: Tensor, min?: TensorOrScalar | null | binary.ClampBounds, max?: TensorOrScalar | null): Tensor {
  const bounds = typeof min === "object" && min !== null && !(min instanceof Tensor) ? min : null;
  const lo = bounds ? bounds.min : (min as TensorOrScalar | null | undefined);
  const hi = bounds ? bounds.max : max;
  return inplace(t, (self) => binary.clampAny(self, min, max), [lo ?? 0, hi ?? 0]);
}

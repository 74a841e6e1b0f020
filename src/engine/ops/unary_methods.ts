/** Tensor methods for the elementwise functions added after tensor.ts's own list (module augmentation; imported by
 * index.ts after the Tensor class exists, since tensor.ts itself imports unary.ts). */
import { Tensor } from "../tensor";
import { erf, expm1, log1p, rsqrt, tan } from "./unary";

declare module "../tensor" {
  interface Tensor {
    /** PyTorch's `log1p`: log(1 + x), accurate near 0. */
    log1p(): Tensor;
    /** PyTorch's `expm1`: exp(x) − 1, accurate near 0. */
    expm1(): Tensor;
    /** PyTorch's `tan`. */
    tan(): Tensor;
    /** PyTorch's `rsqrt`: 1/√x. */
    rsqrt(): Tensor;
    /** PyTorch's `erf`, the error function. */
    erf(): Tensor;
  }
}

Tensor.prototype.log1p = function (this: Tensor) {
  return log1p(this);
};
Tensor.prototype.expm1 = function (this: Tensor) {
  return expm1(this);
};
Tensor.prototype.tan = function (this: Tensor) {
  return tan(this);
};
Tensor.prototype.rsqrt = function (this: Tensor) {
  return rsqrt(this);
};
Tensor.prototype.erf = function (this: Tensor) {
  return erf(this);
};

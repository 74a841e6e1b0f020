/** Special functions: erf, erfc, erfinv, lgamma, digamma, polygamma (torch.special's and torch's spellings). Each
 * gradient is written with the next function of the family, so double backward works as in PyTorch. */
import { erfArray } from "../kernels/f32/erf";
import * as special from "../kernels/special_functions";
import { RuntimeError } from "../errors";
import { Tensor, addMethods } from "../tensor";
import { unaryOp } from "./pointwise_op";

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

export const erf = unaryOp({
  name: "erf", gradFnName: "ErfBackward0", f: special.erf, f32: erfArray,
  backward: ({ inputs: [x] }, g) => [g.mul(x.pow(2).neg().exp().mul(TWO_OVER_SQRT_PI))],
});

export const erfc = unaryOp({
  name: "erfc", gradFnName: "ErfcBackward0", f: special.erfc,
  backward: ({ inputs: [x] }, g) => [g.mul(x.pow(2).neg().exp().mul(-TWO_OVER_SQRT_PI))],
});

export const erfinv = unaryOp({
  name: "erfinv", gradFnName: "ErfinvBackward0", f: special.erfinv,
  backward: ({ output }, g) => [g.mul(output.pow(2).exp().mul(Math.sqrt(Math.PI) / 2))], saves: { output: true },
});

export const lgamma = unaryOp({
  name: "lgamma", gradFnName: "LgammaBackward0", f: special.lgamma,
  backward: ({ inputs: [x] }, g) => [g.mul(digamma(x))],
});

export const digamma = unaryOp({
  name: "digamma", gradFnName: "DigammaBackward0", f: special.digamma,
  backward: ({ inputs: [x] }, g) => [g.mul(polygamma(1, x))],
});

const polygammaOp = unaryOp<number>({
  name: "polygamma", gradFnName: "PolygammaBackward0", f: (x, n) => special.polygamma(n, x),
  backward: ({ inputs: [x], attrs: n }, g) => [g.mul(polygamma(n + 1, x))],
});

/** torch.polygamma(n, x): the n-th derivative of digamma. */
export function polygamma(n: number, t: Tensor): Tensor {
  if (!Number.isInteger(n)) throw new TypeError(`polygamma(): argument 'n' must be int, but got ${n}`);
  if (n < 0) throw new RuntimeError("polygamma(n, x) does not support negative n.");
  return polygammaOp(t, n);
}

declare module "../tensor" {
  interface Tensor {
    erf(): Tensor;
    erfc(): Tensor;
    erfinv(): Tensor;
    lgamma(): Tensor;
    digamma(): Tensor;
    /** `x.polygamma(n)`, as PyTorch's method (the function form is `polygamma(n, x)`). */
    polygamma(n: number): Tensor;
  }
}

addMethods({
  erf(this: Tensor) {
    return erf(this);
  },
  erfc(this: Tensor) {
    return erfc(this);
  },
  erfinv(this: Tensor) {
    return erfinv(this);
  },
  lgamma(this: Tensor) {
    return lgamma(this);
  },
  digamma(this: Tensor) {
    return digamma(this);
  },
  polygamma(this: Tensor, n: number) {
    return polygamma(n, this);
  },
});

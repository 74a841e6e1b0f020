/**
 * More elementwise functions of two tensors, broadcasting, with PyTorch 1.13's dtype rules and gradients: copysign,
 * nextafter, ldexp (composed as ATen's x·2^e), fmax, fmin (NaN-ignoring max and min), heaviside, gcd, lcm.
 * nextafter and heaviside record a node whose backward fails, as PyTorch's do.
 */
import { zerosLike } from "../create";
import { type DType, isFloating } from "../dtype";
import { NotImplementedError, RuntimeError } from "../errors";
import { Tensor, addMethods, type TensorOrScalar } from "../tensor";
import { binaryForward } from "./binary_forward";
import { apply, defineOp } from "./op";
import { operand, promote } from "./operands";
import { binaryOp, floatPromoted, refuse, unaryOp } from "./pointwise_op";

const isNegative = (y: number) => y < 0 || Object.is(y, -0);

const copysignOp = binaryOp({
  name: "copysign",
  gradFnName: (_, [, b]) => (b._wrappedNumber ? "CopysignBackward1" : "CopysignBackward0"),
  f: (x, y) => (isNegative(y) ? -Math.abs(x) : Math.abs(x)),
  dtype: floatPromoted,
  backward: ({ inputs: [a, b], output, needsInputGrad: [da, db] }, g) => [
    // result / self is ±1 where self ≠ 0; PyTorch puts 0 where self = 0. other's gradient is zero.
    da ? g.mul(output.div(a).maskedFill(a.eq(0), 0)) : null,
    db && !b._wrappedNumber ? zerosLike(b) : null,
  ],
  saves: { inputs: [0], output: true },
});

/** The next float32 (or float64) after x towards y. */
function nextAfter(x: number, y: number, dtype: DType): number {
  if (x !== x || y !== y) return NaN;
  if (x === y) return y;
  if (x === 0) return (y > 0 ? 1 : -1) * (dtype === "float32" ? 2 ** -149 : Number.MIN_VALUE);
  const up = y > x === x > 0;
  if (dtype === "float32") {
    const bits = new Int32Array(Float32Array.of(x).buffer);
    bits[0] += up ? 1 : -1;
    return new Float32Array(bits.buffer)[0];
  }
  const bits = new BigInt64Array(Float64Array.of(x).buffer);
  bits[0] += up ? 1n : -1n;
  return new Float64Array(bits.buffer)[0];
}

const nextafterOp = defineOp({
  name: "nextafter",
  gradFnName: "NextafterBackward0",
  forward: ([a, b]) => {
    const dtype = promote(a, b);
    return binaryForward(a, b, dtype, (x, y) => nextAfter(x, y, dtype));
  },
  backward: () => {
    throw new NotImplementedError("the derivative for 'nextafter' is not implemented.");
  },
});

/** NaN-ignoring max (fmax) or min (fmin): a NaN operand gives the other one. */
function nanIgnoring(pick: (x: number, y: number) => number) {
  return (x: number, y: number) => (x !== x ? y : y !== y ? x : pick(x, y));
}

function fmaxFminOp(name: "fmax" | "fmin") {
  const max = name === "fmax";
  return binaryOp({
    name,
    gradFnName: max ? "FmaxBackward0" : "FminBackward0",
    f: nanIgnoring(max ? Math.max : Math.min),
    backward: ({ inputs: [a, b], needsInputGrad: [da, db] }, g) => {
      // self wins where it is ≥ (≤) other or other is NaN; other gets the rest.
      const selfWins = (max ? a.ge(b) : a.le(b)).logicalOr(b.isnan());
      return [da ? g.maskedFill(selfWins.logicalNot(), 0) : null, db ? g.maskedFill(selfWins, 0) : null];
    },
  });
}

const fmaxOp = fmaxFminOp("fmax");
const fminOp = fmaxFminOp("fmin");

const heavisideOp = binaryOp({
  name: "heaviside",
  gradFnName: "NotImplemented",
  // ATen's kernel: `values` where x = 0, else x > 0 (so NaN gives 0).
  f: (x, v) => (x === 0 ? v : x > 0 ? 1 : 0),
  backward: () => {
    throw new RuntimeError("derivative for aten::heaviside is not implemented");
  },
});

function gcdOf(x: number, y: number): number {
  let a = Math.abs(x);
  let b = Math.abs(y);
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

const gcdOp = binaryOp({ name: "gcd", gradFnName: "NotImplemented", f: gcdOf, backward: () => [null, null] });
const lcmOp = binaryOp({
  name: "lcm",
  gradFnName: "NotImplemented",
  f: (x, y) => {
    const g = gcdOf(x, y);
    return g === 0 ? 0 : Math.abs((x / g) * y);
  },
  backward: () => [null, null],
});

function tensorOperand(fn: string, t: unknown): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`${fn}(): argument 'other' (position 2) must be Tensor, not ${typeof t}`);
  return t;
}

/** torch.copysign(a, b): |a| with b's sign (−0 counts as negative); integers and bools give floats. */
export function copysign(a: Tensor, b: TensorOrScalar): Tensor {
  return apply(copysignOp, [a, operand(b)], undefined);
}

/** torch.nextafter(a, b): the next representable float after a towards b. */
export function nextafter(a: Tensor, b: Tensor): Tensor {
  const other = tensorOperand("nextafter", b);
  const dtype = promote(a, other);
  if (!isFloating(dtype)) refuse("nextafter_cpu", dtype);
  return apply(nextafterOp, [a, other], undefined);
}

/** ATen's pow(2.0, e), the Scalar-base overload (PowBackward2): a float base, so integer exponents give the default
 * float dtype, and the exponent's gradient is grad · 2^e · ln 2 with ln 2 a double. */
const twoToTheOp = unaryOp({
  name: "powScalarBase2",
  gradFnName: "PowBackward2",
  f: (e) => Math.pow(2, e),
  backward: ({ output }, g) => [g.mul(output.mul(Math.LN2))],
  saves: { output: true },
});

/** torch.ldexp(x, e): x · 2^e, as ATen computes it (mul and pow), so its gradient is theirs. */
export function ldexp(x: Tensor, e: Tensor): Tensor {
  return x.mul(twoToTheOp(tensorOperand("ldexp", e)));
}

/** torch.fmax: the elementwise maximum, ignoring NaN (NaN only where both are). */
export function fmax(a: Tensor, b: Tensor): Tensor {
  return apply(fmaxOp, [a, tensorOperand("fmax", b)], undefined);
}

/** torch.fmin: the elementwise minimum, ignoring NaN. */
export function fmin(a: Tensor, b: Tensor): Tensor {
  return apply(fminOp, [a, tensorOperand("fmin", b)], undefined);
}

/** torch.heaviside(x, values): 0 for x < 0, 1 for x > 0, `values` where x = 0; both of one dtype. */
export function heaviside(x: Tensor, values: Tensor): Tensor {
  const v = tensorOperand("heaviside", values);
  if (x.dtype !== v.dtype) throw new RuntimeError("heaviside is not yet implemented for tensors with different dtypes.");
  return apply(heavisideOp, [x, v], undefined);
}

function integerOnly(kernel: string, a: Tensor, b: Tensor): [Tensor, Tensor] {
  const dtype = promote(a, b);
  if (dtype !== "int64") refuse(kernel, dtype);
  return [a, b];
}

/** torch.gcd: the greatest common divisor of integers (gcd(0, 0) = 0). */
export function gcd(a: Tensor, b: Tensor): Tensor {
  return apply(gcdOp, integerOnly("gcd_cpu", a, tensorOperand("gcd", b)), undefined);
}

/** torch.lcm: the least common multiple of integers (0 when either is 0). */
export function lcm(a: Tensor, b: Tensor): Tensor {
  return apply(lcmOp, integerOnly("lcm_cpu", a, tensorOperand("lcm", b)), undefined);
}

declare module "../tensor" {
  interface Tensor {
    /** PyTorch's `copysign`: |self| with other's sign. */
    copysign(other: TensorOrScalar): Tensor;
    /** PyTorch's `nextafter`: the next float after self towards other. */
    nextafter(other: Tensor): Tensor;
    /** PyTorch's `ldexp`: self · 2^other. */
    ldexp(other: Tensor): Tensor;
    /** PyTorch's `fmax`: elementwise maximum ignoring NaN. */
    fmax(other: Tensor): Tensor;
    /** PyTorch's `fmin`: elementwise minimum ignoring NaN. */
    fmin(other: Tensor): Tensor;
    /** PyTorch's `heaviside`: the step function, `values` at 0. */
    heaviside(values: Tensor): Tensor;
    /** PyTorch's `gcd` of integers. */
    gcd(other: Tensor): Tensor;
    /** PyTorch's `lcm` of integers. */
    lcm(other: Tensor): Tensor;
  }
}

addMethods({
  copysign(this: Tensor, other: TensorOrScalar) {
    return copysign(this, other);
  },
  nextafter(this: Tensor, other: Tensor) {
    return nextafter(this, other);
  },
  ldexp(this: Tensor, other: Tensor) {
    return ldexp(this, other);
  },
  fmax(this: Tensor, other: Tensor) {
    return fmax(this, other);
  },
  fmin(this: Tensor, other: Tensor) {
    return fmin(this, other);
  },
  heaviside(this: Tensor, values: Tensor) {
    return heaviside(this, values);
  },
  gcd(this: Tensor, other: Tensor) {
    return gcd(this, other);
  },
  lcm(this: Tensor, other: Tensor) {
    return lcm(this, other);
  },
});

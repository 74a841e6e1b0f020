/** Rounding: floor, ceil, round (half to even, with decimals), trunc, frac. Step functions have a zero gradient; frac's
 * is the identity. Integer inputs keep their dtype (and values); bool inputs are refused, as PyTorch does. */
import { Tensor, addMethods } from "../tensor";
import { refuse, unaryOp, zeroGrad } from "./pointwise_op";

/** C's nearbyint in the default rounding mode: halves go to the even neighbour (Math.round sends them up). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export const floor = unaryOp({
  name: "floor", gradFnName: "FloorBackward0", result: "same", identityOnIntegers: true, f: Math.floor,
  refuses: { bool: "floor_vml_cpu" }, backward: (_, g) => [zeroGrad(g)], saves: {},
});

export const ceil = unaryOp({
  name: "ceil", gradFnName: "CeilBackward0", result: "same", identityOnIntegers: true, f: Math.ceil,
  refuses: { bool: "ceil_vml_cpu" }, backward: (_, g) => [zeroGrad(g)], saves: {},
});

export const trunc = unaryOp({
  name: "trunc", gradFnName: "TruncBackward0", result: "same", identityOnIntegers: true, f: Math.trunc,
  refuses: { bool: "trunc_vml_cpu" }, backward: (_, g) => [zeroGrad(g)], saves: {},
});

const roundOp = unaryOp({
  name: "round", gradFnName: "RoundBackward0", result: "same", identityOnIntegers: true, f: roundHalfEven,
  refuses: { bool: "round_vml_cpu" }, backward: (_, g) => [zeroGrad(g)], saves: {},
});

interface Decimals {
  decimals: number;
  /** Work in float32 arithmetic, as PyTorch's kernel does for a float32 tensor. */
  single: boolean;
}

/** PyTorch's round(decimals=d): nearbyint(x·10^d)/10^d, or for negative d nearbyint(x/10^-d)·10^-d, in the tensor's
 * own precision. */
const roundDecimalsOp = unaryOp<Decimals>({
  name: "roundDecimals", gradFnName: "RoundBackward1", result: "same",
  f: (x, { decimals, single }) => {
    const r = single ? Math.fround : (v: number) => v;
    const scale = r(10 ** Math.abs(decimals));
    return decimals > 0 ? r(roundHalfEven(r(x * scale)) / scale) : r(roundHalfEven(r(x / scale)) * scale);
  },
  backward: (_, g) => [zeroGrad(g)], saves: {},
});

export function round(t: Tensor, options?: { decimals?: number }): Tensor {
  const decimals = options?.decimals ?? 0;
  if (!Number.isInteger(decimals)) throw new TypeError(`round(): decimals must be an integer, but got ${decimals}`);
  if (decimals === 0) return roundOp(t);
  if (t.dtype === "int64" || t.dtype === "bool") refuse("round_cpu", t.dtype);
  return roundDecimalsOp(t, { decimals, single: t.dtype === "float32" });
}

export const frac = unaryOp({
  name: "frac", gradFnName: "FracBackward0", result: "same", f: (x) => x - Math.trunc(x),
  refuses: { int64: "frac_cpu", bool: "frac_cpu" }, backward: (_, g) => [g], saves: {},
});

declare module "../tensor" {
  interface Tensor {
    floor(): Tensor;
    ceil(): Tensor;
    /** Halves round to even, as PyTorch; `{decimals}` rounds to that many digits. */
    round(options?: { decimals?: number }): Tensor;
    trunc(): Tensor;
    fix(): Tensor;
    frac(): Tensor;
  }
}

addMethods({
  floor(this: Tensor) {
    return floor(this);
  },
  ceil(this: Tensor) {
    return ceil(this);
  },
  round(this: Tensor, options?: { decimals?: number }) {
    return round(this, options);
  },
  trunc(this: Tensor) {
    return trunc(this);
  },
  fix(this: Tensor) {
    return trunc(this);
  },
  frac(this: Tensor) {
    return frac(this);
  },
});

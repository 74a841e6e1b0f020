/**
 * The arithmetic of PyTorch 1.13's CPU kernels on x86-64 (AVX2 build), one element at a time, in the parameter's
 * dtype. Measured against real PyTorch (scripts/fixtures/optim_fixtures.py checks each rule on random data):
 * - `a.add(b, alpha=s)` is fma(b, s, a), rounded once; `s` is first rounded to the dtype (a Python float scalar
 *   becomes the tensor's dtype before the kernel runs).
 * - `a.addcmul(t1, t2, value=v)` is fma(v * t1, t2, a): the product v * t1 is rounded, then fused.
 * - `a.addcdiv(t1, t2, value=v)` is a + (v * t1) / t2, each step rounded (a division cannot be fused).
 * - `a.mul(s)`, `a.div(s)`, `a.add(s)` round once, with `s` rounded to the dtype first; `s / a` (Python's
 *   `__rtruediv__`) is `a.reciprocal() * s`.
 * In float32 every step is a double computation rounded with Math.fround: a product, quotient, sum or square root
 * of two float32 values rounded to double and then to float32 is the correctly rounded float32 result.
 */
import { fma, fmaf } from "../random/fused";

export interface FloatOps {
  /** Rounds a double to the dtype: Math.fround for float32, nothing for float64. */
  readonly r: (x: number) => number;
  /** a * b + c, rounded once to the dtype. */
  readonly fma: (a: number, b: number, c: number) => number;
  /** The square root, rounded to the dtype. */
  readonly sqrt: (x: number) => number;
}

const identity = (x: number): number => x;

export const FLOAT32_OPS: FloatOps = { r: Math.fround, fma: fmaf, sqrt: (x) => Math.fround(Math.sqrt(x)) };
export const FLOAT64_OPS: FloatOps = { r: identity, fma, sqrt: Math.sqrt };

export function floatOps(dtype: string): FloatOps {
  return dtype === "float32" ? FLOAT32_OPS : FLOAT64_OPS;
}

/** torch.maximum / amax: NaN wins. */
export function maxPropagatingNaN(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  return a > b ? a : b;
}

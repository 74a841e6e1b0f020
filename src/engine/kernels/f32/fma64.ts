/**
 * double fma(a, b, c), rounded once, for every input: random/fused.ts's error-free transformations where they are
 * exact, and exact integer arithmetic (BigInt) where they are not — a product whose rounding error falls below the
 * smallest subnormal, or operands near overflow. ATen's double kernels meet both (normalising subnormal rows).
 */
import { fma as fmaNormal } from "../../random/fused";

/** Inside these bounds Dekker's product and Knuth's sum are exact. */
const SMALLEST_SAFE_PRODUCT = 2 ** -960;
const LARGEST_SAFE = 2 ** 990;

export function fma64(a: number, b: number, c: number): number {
  // An exact product (a factor of 1, as a weight at its initial value or a gradient of ones has): one rounding.
  if (a === 1 || b === 1) return a * b + c;
  const p = a * b;
  const exactZero = a === 0 || b === 0;
  if (c === 0) {
    // Nothing to add: the product's own rounding — a nonzero product that underflowed keeps its sign whatever c's.
    return p === 0 && !exactZero && Number.isFinite(a) && Number.isFinite(b) ? p : p + c;
  }
  if (!Number.isFinite(p) || !Number.isFinite(c) || p === 0) {
    // An infinity or NaN, or an exact zero product: IEEE's own rules. A finite product that overflowed or underflowed
    // the double range is recomputed exactly.
    if (Number.isFinite(a) && Number.isFinite(b) && Number.isFinite(c) && !exactZero) return exactFma(a, b, c);
    return p + c;
  }
  const ap = Math.abs(p);
  if (ap > SMALLEST_SAFE_PRODUCT && ap < LARGEST_SAFE && Math.abs(a) < LARGEST_SAFE && Math.abs(b) < LARGEST_SAFE && Math.abs(c) < LARGEST_SAFE) return fmaNormal(a, b, c);
  return exactFma(a, b, c);
}

const view = new DataView(new ArrayBuffer(8));

/** A finite double as an integer mantissa and a power of two: x = m·2^e. */
function decompose(x: number): [bigint, number] {
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased !== 0) m |= 1n << 52n;
  if (hi >>> 31) m = -m;
  return [m, (biased === 0 ? 1 : biased) - 1075];
}

function bitLength(m: bigint): number {
  return m.toString(2).length;
}

/** m·2^e rounded to the nearest double, ties to even. */
function roundToDouble(m: bigint, e: number): number {
  if (m === 0n) return 0;
  const negative = m < 0n;
  let q = negative ? -m : m;
  const length = bitLength(q);
  const top = e + length - 1;
  if (top > 1023) return negative ? -Infinity : Infinity;
  // Below half the smallest subnormal: zero.
  if (top < -1075) return negative ? -0 : 0;
  // Significant bits the result can hold: 53, fewer for a subnormal.
  const precision = top >= -1022 ? 53 : 53 - (-1022 - top);
  let shift = length - Math.max(precision, 0);
  if (shift > 0) {
    const rest = q & ((1n << BigInt(shift)) - 1n);
    q >>= BigInt(shift);
    const half = 1n << BigInt(shift - 1);
    if (rest > half || (rest === half && (q & 1n) === 1n)) q += 1n;
  } else {
    shift = 0;
  }
  // q·2^(e + shift) is a double: scale in steps that stay exact.
  let v = Number(q);
  let exponent = e + shift;
  while (exponent < -1000) {
    v *= 2 ** -1000;
    exponent += 1000;
  }
  while (exponent > 1000) {
    v *= 2 ** 1000;
    exponent -= 1000;
  }
  v *= 2 ** exponent;
  return negative ? -v : v;
}

function exactFma(a: number, b: number, c: number): number {
  const [ma, ea] = decompose(a);
  const [mb, eb] = decompose(b);
  const [mc, ec] = decompose(c);
  const mp = ma * mb;
  const ep = ea + eb;
  const e = Math.min(ep, ec);
  const sum = (mp << BigInt(ep - e)) + (mc << BigInt(ec - e));
  if (sum === 0n) return mp === 0n && mc === 0n ? a * b + c : 0;
  return roundToDouble(sum, e);
}

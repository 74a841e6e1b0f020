/**
 * Payne–Hanek argument reduction for float32 sin, cos and tan of large arguments, as SLEEF 3.5's `rempif` does it:
 * x · (1/2π) is formed from a per-exponent table of 1/2π with the bits that only contribute whole turns removed,
 * carried as four floats, so the fractional turn comes out to double-float accuracy even for x near FLT_MAX.
 *
 * The table is computed here (once, on first use) by SLEEF's recipe: for the input's binary exponent i in
 * [25, 127], frac(2^(i−23)/2π) / 2^(i−23) (scaled by 2^64 when i > 90), split into four floats, each rounded
 * through double and with its two lowest bits cleared but the last.
 */
import { bitsOf, cvtTrunc, f, fromBits, ilogb2k, ldexp3, rint } from "./bits";
import { R, add2DD, mulDD, mulDF, mulFF, normalize } from "./df";

/** Fixed-point scale of the exact arithmetic below. */
const S = 640n;

let table: Float32Array | null = null;

/** π·2^P, by Machin's formula π = 16·atan(1/5) − 4·atan(1/239), with guard bits. */
function piFixed(p: bigint): bigint {
  const guard = 32n;
  const one = 1n << (p + guard);
  const atanInv = (n: bigint): bigint => {
    let sum = 0n;
    let power = one / n;
    const n2 = n * n;
    for (let k = 1n; power !== 0n; k += 2n) {
      const term = power / k;
      sum += ((k - 1n) / 2n) % 2n === 0n ? term : -term;
      power /= n2;
    }
    return sum;
  };
  return (16n * atanInv(5n) - 4n * atanInv(239n)) >> guard;
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** The double nearest n · 2^−S (n > 0), rounded once. */
function toDouble(n: bigint): number {
  const negative = n < 0n;
  if (negative) n = -n;
  const b = bitLength(n);
  let shift = 0;
  if (b > 64) {
    shift = b - 64;
    const sticky = (n & ((1n << BigInt(shift)) - 1n)) !== 0n ? 1n : 0n;
    n = (n >> BigInt(shift)) | sticky;
  }
  const v = Number(n) * 2 ** (shift - Number(S));
  return negative ? -v : v;
}

/** The exact value of a float as n · 2^−S. */
function fromFloat(x: number): bigint {
  if (x === 0) return 0n;
  const e = Math.floor(Math.log2(Math.abs(x)));
  const mantissa = BigInt(Math.round(Math.abs(x) * 2 ** (52 - e)));
  const shift = BigInt(e - 52) + S;
  const v = shift >= 0n ? mantissa << shift : mantissa >> -shift;
  return x < 0 ? -v : v;
}

function clearLowBits(x: number): number {
  return fromBits(bitsOf(x) & 0xfffffffc);
}

function buildTable(): Float32Array {
  const rpi = (1n << (2n * S - 1n)) / piFixed(S); // 1/(2π) · 2^S
  const out = new Float32Array(4 * 103);
  for (let i = 25; i < 128; i++) {
    const ex = BigInt(i - 23);
    // frac(2^ex · rpi) / 2^ex, as n · 2^-S: the bits of rpi below 2^-ex.
    let v = rpi & ((1n << (S - ex)) - 1n);
    if (i > 90) v <<= 64n;
    const row = 4 * (i - 25);
    for (let k = 0; k < 3; k++) {
      const part = clearLowBits(f(toDouble(v)));
      out[row + k] = part;
      v -= fromFloat(part);
    }
    out[row + 3] = f(toDouble(v));
  }
  return out;
}

/** SLEEF's rempisubf: the fraction of x in quarter turns, and the quarter count mod 4 (its low bits). */
function rempisub(x: number): number {
  const y = rint(f(x * 4));
  QUARTERS = cvtTrunc(f(y - f(rint(x) * 4)));
  return f(x - f(y * 0.25));
}
let QUARTERS = 0;

const TWO_PI_H = f(3.1415927410125732422 * 2);
const TWO_PI_L = f(-8.7422776573475857731e-8 * 2);

/** rempif: a reduced to r ∈ [−π/4, π/4]-ish as a double-float in R, returning the quadrant count q. */
export function rempi(a: number): number {
  const tab = (table ??= buildTable());
  let ex = ilogb2k(a) - 25;
  const q0 = ex > 90 - 25 ? -64 : 0;
  a = ldexp3(a, q0);
  if (ex < 0) ex = 0;
  const at = ex * 4;
  mulFF(a, tab[at]);
  let xh = rempisub(R[0]);
  let q = QUARTERS;
  normalize(xh, R[1]);
  xh = R[0];
  let xl = R[1];
  mulFF(a, tab[at + 1]);
  add2DD(xh, xl, R[0], R[1]);
  xh = rempisub(R[0]);
  q = (q + QUARTERS) | 0;
  normalize(xh, R[1]);
  xh = R[0];
  xl = R[1];
  mulDF(tab[at + 2], tab[at + 3], a);
  add2DD(xh, xl, R[0], R[1]);
  normalize(R[0], R[1]);
  mulDD(R[0], R[1], TWO_PI_H, TWO_PI_L);
  if (Math.abs(a) < 0.7) {
    R[0] = a;
    R[1] = 0;
  }
  return q;
}

/** The table, for tests that compare it with SLEEF's. */
export function rempiTable(): Float32Array {
  return (table ??= buildTable());
}

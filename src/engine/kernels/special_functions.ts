/**
 * Special functions in float64, from @stdlib (ports of Cephes, FreeBSD's msun and Boost, accurate to a few ulps of a
 * double, which is what rounding once to float32 needs), plus the Hurwitz zeta function for polygamma, which @stdlib
 * does not have.
 */
import stdlibDigamma from "@stdlib/math-base-special-digamma";
import stdlibErf from "@stdlib/math-base-special-erf";
import stdlibErfc from "@stdlib/math-base-special-erfc";
import stdlibErfinv from "@stdlib/math-base-special-erfinv";
import stdlibGammaln from "@stdlib/math-base-special-gammaln";

export const erf: (x: number) => number = stdlibErf;
export const erfc: (x: number) => number = stdlibErfc;
export const erfinv: (x: number) => number = stdlibErfinv;

/** ln|Γ(x)|, +inf at 0 and the negative integers (as PyTorch's lgamma). */
export function lgamma(x: number): number {
  if ((x <= 0 && Number.isInteger(x)) || x === -Infinity) return Infinity;
  return stdlibGammaln(x);
}

/** ψ(x); at ±0 it is ∓inf and at negative integers NaN, as PyTorch's calc_digamma. */
export function digamma(x: number): number {
  if (x === 0) return Object.is(x, -0) ? Infinity : -Infinity;
  if (x < 0 && Number.isInteger(x)) return NaN;
  return stdlibDigamma(x);
}

/** (2j)!/B₂ⱼ, the Euler–Maclaurin coefficients of Cephes's zeta. */
const EULER_MACLAURIN = [
  12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1892437580.3183792, 74724249600, -2950130727918.164,
  116467828143500.67, -4597978722407473, 181521054019435460, -7166165256175667000,
];

/** The Hurwitz zeta function ζ(s, q) = Σₖ (q + k)^-s, by direct sums up to q + 9 and Euler–Maclaurin after. */
export function hurwitzZeta(s: number, q: number): number {
  if (s === 1) return Infinity;
  if (s < 1 || Number.isNaN(s) || Number.isNaN(q)) return NaN;
  if (q <= 0) {
    if (q === Math.floor(q)) return Infinity;
    if (s !== Math.floor(s)) return NaN;
  }
  let sum = Math.pow(q, -s);
  let a = q;
  let b = 0;
  let i = 0;
  while (i < 9 || a <= 9) {
    i++;
    a += 1;
    b = Math.pow(a, -s);
    sum += b;
    if (Math.abs(b / sum) < 1.1e-16) return sum;
  }
  const w = a;
  sum += (b * w) / (s - 1);
  sum -= 0.5 * b;
  let factor = 1;
  let k = 0;
  for (const coefficient of EULER_MACLAURIN) {
    factor *= s + k;
    b /= w;
    const term = (factor * b) / coefficient;
    sum += term;
    if (Math.abs(term / sum) < 1.1e-16) break;
    k++;
    factor *= s + k;
    b /= w;
    k++;
  }
  return sum;
}

/** ψ'(x) as PyTorch's calc_trigamma computes it: reflection below 1/2, six steps of the recurrence, then the
 * asymptotic series (so its values at the poles and far left match PyTorch's, not an exact ζ). */
export function trigamma(x: number): number {
  let sign = 1;
  let result = 0;
  if (x < 0.5) {
    sign = -1;
    const sinPiX = Math.sin(Math.PI * x);
    result -= (Math.PI * Math.PI) / (sinPiX * sinPiX);
    x = 1 - x;
  }
  for (let i = 0; i < 6; i++) {
    result += 1 / (x * x);
    x += 1;
  }
  const ixx = 1 / (x * x);
  result += (1 + 1 / (2 * x) + ixx * (1 / 6 - ixx * (1 / 30 - ixx * (1 / 42)))) / x;
  return sign * result;
}

/** ψ⁽ⁿ⁾(x) = (-1)ⁿ⁺¹ n! ζ(n + 1, x) for n ≥ 2; trigamma for n = 1 and digamma for n = 0, as PyTorch. */
export function polygamma(n: number, x: number): number {
  if (n === 0) return digamma(x);
  if (n === 1) return trigamma(x);
  let factorial = 1;
  for (let i = 2; i <= n; i++) factorial *= i;
  return (n % 2 === 1 ? 1 : -1) * factorial * hurwitzZeta(n + 1, x);
}

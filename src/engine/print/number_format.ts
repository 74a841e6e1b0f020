/**
 * Python's float formatting ('{:.4f}', '{:.4e}', '{:.0f}', repr) in JavaScript. JavaScript's toFixed and
 * toExponential round exact ties up, Python rounds them to even ('{:.4f}'.format(0.03125) is '0.0312'); both work on
 * the exact binary value, so only exact ties need mending.
 */

/** Python's '{:.Nf}'. */
export function formatFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  const a = Math.abs(x);
  if (a >= 1e21) return sign + bigFixed(a, digits);
  let s = a.toFixed(digits);
  if (isTie(a, digits)) s = roundTieToEven(a, digits);
  return sign + s;
}

/** Python's '{:.Ne}': mantissa with N digits after the point, exponent with a sign and at least two digits. */
export function formatExponent(x: number, digits: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  const a = Math.abs(x);
  let s = a.toExponential(digits);
  if (a !== 0) {
    const exponent = Math.floor(Math.log10(a));
    // A tie at the last mantissa digit rounds to even in Python.
    const scaled = a / 10 ** exponent;
    if (Number.isFinite(scaled) && isExactTieExp(a, digits, s)) s = tieToEvenExp(a, digits, s);
  }
  const [mantissa, exp] = s.split("e");
  const e = Number(exp);
  return `${sign}${mantissa}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
}

function nonFinite(x: number): string {
  return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
}

/** The exact decimal expansion of a, to `digits + extra` places (toFixed is exact up to 100 places). */
function expansion(a: number, places: number): string {
  return a.toFixed(Math.min(100, places));
}

function isTie(a: number, digits: number): boolean {
  if (!couldBeTie(a, digits)) return false;
  const e = expansion(a, digits + 30);
  const frac = e.slice(e.indexOf(".") + 1 + digits);
  return /^50*$/.test(frac);
}

/**
 * False when a·10^digits is surely not halfway between two integers, which almost every value is: its product in
 * double is off by at most half an ulp, so a fraction further than that from .5 settles it without the exact
 * expansion (a 130-character toFixed per printed number otherwise).
 */
function couldBeTie(a: number, digits: number): boolean {
  if (digits > 22) return true;
  const t = a * 10 ** digits;
  if (!(t < 2 ** 52)) return true;
  return Math.abs(t - Math.floor(t) - 0.5) <= t * 2 ** -50;
}

function roundTieToEven(a: number, digits: number): string {
  const e = expansion(a, digits + 30);
  const cut = e.indexOf(".") + (digits === 0 ? 0 : 1 + digits);
  const truncated = digits === 0 ? e.slice(0, e.indexOf(".")) : e.slice(0, cut);
  const lastDigit = Number(truncated.replace(".", "").slice(-1));
  return lastDigit % 2 === 0 ? truncated : a.toFixed(digits);
}

function isExactTieExp(a: number, digits: number, rounded: string): boolean {
  // Ties need a short exact binary value: check the exact expansion of a at the mantissa's last digit.
  const exp = Number(rounded.split("e")[1]);
  const places = digits - exp;
  if (places < 0 || places + 30 > 100) return false;
  return isTie(a, places);
}

function tieToEvenExp(a: number, digits: number, rounded: string): string {
  const exp = Number(rounded.split("e")[1]);
  const places = digits - exp;
  const fixed = roundTieToEven(a, places);
  // Re-express the even-rounded fixed value in exponent form with the same digits.
  return Number(fixed).toExponential(digits);
}

function bigFixed(a: number, digits: number): string {
  const whole = BigInt(a).toString();
  return digits > 0 ? `${whole}.${"0".repeat(digits)}` : whole;
}

/** Python's repr of a float: the shortest string that reads back as the same double ('0.1', '1e-05', '1.5'). */
export function pythonFloatRepr(x: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const s = String(x);
  const a = Math.abs(x);
  if (a >= 1e16 || a < 1e-4) {
    // Python switches to exponent form outside [1e-4, 1e16): 1e-05, 1.5e+16.
    const [m, e] = x.toExponential().split("e");
    const n = Number(e);
    return `${m}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
  }
  return s.includes(".") || s.includes("e") ? s : `${s}.0`;
}

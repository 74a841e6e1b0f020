/**
 * float32 fused multiply-add, rounded once, as the CPU's vfmadd does. PyTorch's AVX2 kernels use it where GCC
 * contracts `a * b + c`, and SLEEF uses it explicitly; JavaScript has none, so it is computed exactly here.
 *
 * For float32 a, b the product a·b is exact in a double (48 significant bits), so s = a·b + c is off the exact value
 * only by the rounding of one double sum. Rounding s to float32 then gives the right answer unless s is itself a
 * float32 or exactly halfway between two (the only doubles where the two roundings can disagree): every such number
 * has at most 25 significant bits, which Veltkamp's split tests in three operations, without a conversion and with a
 * branch that almost never goes the rare way. Cheap enough for V8 to inline at every call site (it stays below the
 * size V8 always inlines), which matters: a call that is not inlined boxes its double arguments and result.
 */
const f = Math.fround;

/** 2^28 + 1: Veltkamp's splitter; `g − (g − s)` for g = s·SPLITTER_25 is s rounded to 25 significant bits. */
export const SPLITTER_25 = 268435457;

export function fmaf(a: number, b: number, c: number): number {
  const s = a * b + c;
  return short25(s) ? fmafShort(a, b, c, s) : f(s);
}

/**
 * Whether the double s has at most 25 significant bits: every float32 and every midpoint between two has, and
 * hardly any other sum. Kept this small (under V8's 27 bytes of bytecode for functions it always inlines) so that
 * kernels with many fused multiply-adds can spell each one out inline, where a call of fmaf past the inlining
 * budget would box its arguments:
 *
 *     s = a * b + c;
 *     x = short25(s) ? fmafShort(a, b, c, s) : f(s);
 */
export function short25(s: number): boolean {
  const g = s * SPLITTER_25;
  return g - (g - s) === s;
}

/** fma(a, b, c) when s = a·b + c (the double sum) has at most 25 significant bits: a float32 (then exact, or the
 * rounding of an exact value that is not a tie), or a tie between two floats, which the sum's rounding error
 * breaks. Out of line: rare. */
export function fmafShort(a: number, b: number, c: number, s: number): number {
  const r = f(s);
  // s is a midpoint exactly when its mirror image about s, seen from r, is a float too.
  const other = 2 * s - r;
  if (r === s || f(other) !== other || r === Infinity || r === -Infinity) return r;
  // Knuth's TwoSum: a·b + c = s + e exactly.
  const p = a * b;
  const bb = s - p;
  const e = p - (s - bb) + (c - bb);
  if (e === 0) return r;
  return e > 0 === other > r ? other : r;
}

/** fmsub: a·b − c rounded once. */
export function fmsf(a: number, b: number, c: number): number {
  return fmaf(a, b, -c);
}

/** fnmadd: −(a·b) + c rounded once. */
export function fnmaf(a: number, b: number, c: number): number {
  return fmaf(-a, b, c);
}

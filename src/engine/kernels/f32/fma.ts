/**
 * float32 fused multiply-add, rounded once, as the CPU's vfmadd does. PyTorch's AVX2 kernels use it where GCC
 * contracts `a * b + c`, and SLEEF uses it explicitly; JavaScript has none, so it is computed exactly here.
 *
 * For float32 a, b the product a·b is exact in a double (48 significant bits), so s = a·b + c is off the exact value
 * only by the double rounding of one sum, e. Rounding s to float32 gives the right answer unless s sits exactly
 * halfway between two floats (then the exact value is on the side e points to) — the one case checked.
 */
export function fmaf(a: number, b: number, c: number): number {
  const s = a * b + c;
  const r = Math.fround(s);
  // s is a midpoint exactly when its mirror image about s, seen from r, is a float too (NaN never is).
  const other = 2 * s - r;
  if (r === s || Math.fround(other) !== other) return r;
  return midpoint(a * b, c, s, r, other);
}

/** The rare case, out of line so that fmaf stays small enough for V8 to inline everywhere: s = p + c is exactly
 * halfway between the floats r and other, so the error of that double sum decides (or r is infinite). */
function midpoint(p: number, c: number, s: number, r: number, other: number): number {
  if (r === Infinity || r === -Infinity) return r;
  // Knuth's TwoSum: p + c = s + e exactly.
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

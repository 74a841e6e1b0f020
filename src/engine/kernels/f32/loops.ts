/**
 * ATen's cpu_kernel_vec splits a contiguous loop in two: whole blocks of 2 vectors (16 floats) go through the
 * op's vectorised formula, the leftover elements through its scalar formula, and the two can round differently
 * (SLEEF against the C library, a fused multiply-add against none). `vml` ops (exp, log, sin...) instead run the
 * leftover through the vectorised formula too, padded with zeros.
 */
export const VECTOR_BLOCK = 16;

/** Where the scalar leftover of a contiguous run of n elements starts. */
export function vectorEnd(n: number): number {
  return n - (n % VECTOR_BLOCK);
}

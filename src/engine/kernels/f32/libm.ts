/**
 * The C library's float functions that ATen's scalar code paths call (`std::exp(float)` in the leftover elements
 * of a vectorised loop, in non-contiguous and broadcast loops, and in tensors of fewer than 16 elements): glibc
 * 2.36's expf, as its x86-64 FMA build (__expf_fma, picked on CPUs with AVX2) runs it. It works in double: x·32/ln2
 * is split into an integer k and a fraction r, 2^(k/32) comes from a 32-entry table and 2^(r/32) from a cubic;
 * the compiled code fuses four of its products into sums, and so does this one.
 *
 * About 0.06% of expf's results differ from the correctly rounded exp(x), so an exact copy is needed to match.
 */
import { fma } from "../../random/fused";

/** A C99 hexadecimal floating constant (glibc writes its coefficients so). */
export function hexFloat(text: string): number {
  const m = /^(-?)0x([0-9a-f]+)(?:\.([0-9a-f]*))?p([+-]?\d+)$/i.exec(text);
  if (!m) throw new Error(`not a hex float: ${text}`);
  const frac = m[3] ?? "";
  const mantissa = parseInt(m[2] + frac, 16);
  const v = mantissa * 2 ** (Number(m[4]) - 4 * frac.length);
  return m[1] ? -v : v;
}

const N = 32;
const INV_LN2_N = hexFloat("0x1.71547652b82fep+0") * N;
const SHIFT = hexFloat("0x1.8p+52");
const C0 = hexFloat("0x1.c6af84b912394p-5") / N / N / N;
const C1 = hexFloat("0x1.ebfce50fac4f3p-3") / N / N;
const C2 = hexFloat("0x1.62e42ff0c52d6p-1") / N;

/** 2^(i/32) for i in [0, 32), correctly rounded: the high 53 bits of the integer 32nd root of 2^(i + 32·K). */
function exp2Table(): Float64Array {
  const out = new Float64Array(N);
  const K = 60n;
  for (let i = 0; i < N; i++) {
    const target = 1n << (BigInt(i) + 32n * K);
    // Newton's method for the integer 32nd root, from above.
    let y = 1n << (K + 1n);
    for (;;) {
      const next = (31n * y + target / y ** 31n) / 32n;
      if (next >= y) break;
      y = next;
    }
    // y = floor(2^(i/32) · 2^K) with 61 bits; round to 53 (the exact root is irrational, so no ties).
    const top = y >> 8n;
    const rounded = (y & 0x80n) !== 0n ? top + 1n : top;
    out[i] = Number(rounded) * 2 ** -(Number(K) - 8);
  }
  return out;
}
/** 2^(i/32), i in [0, 32): expf's and powf's table. */
export const EXP2_TABLE = exp2Table();

const OVERFLOW = hexFloat("0x1.62e42ep6");
const UNDERFLOW = hexFloat("-0x1.9fe368p6");
const MAY_UNDERFLOW = hexFloat("-0x1.9d1d9ep6");
/** What glibc's __math_may_uflowf returns: 0x1.4p-75f squared in float, the smallest subnormal. */
const TINY = Math.fround(hexFloat("0x1.4p-75") * hexFloat("0x1.4p-75"));

/** glibc's expf (FMA build). */
export function libmExpf(x: number): number {
  if (!(Math.abs(x) < 88)) {
    if (x === -Infinity) return 0;
    if (x !== x || x === Infinity) return x + x;
    if (x > OVERFLOW) return Infinity;
    if (x < UNDERFLOW) return 0;
    if (x < MAY_UNDERFLOW) return TINY;
  }
  // Adding 1.5·2^52 rounds x·32/ln2 to the integer k (ties to even) in the low bits of kd.
  const kd = fma(INV_LN2_N, x, SHIFT) - SHIFT;
  const k = kd | 0;
  const r = fma(INV_LN2_N, x, -kd);
  const z = fma(C0, r, C1);
  const r2 = r * r;
  let y = fma(C2, r, 1);
  y = fma(z, r2, y);
  const s = EXP2_TABLE[k & 31] * 2 ** (k >> 5);
  return Math.fround(y * s);
}

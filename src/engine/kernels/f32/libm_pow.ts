/**
 * glibc 2.36's powf as its x86-64 FMA build (__powf_fma) runs it, for ATen's scalar path of a float32 pow with a
 * tensor exponent (`std::pow(float, float)`). It works in double: log2 x from a 16-entry table (c near x's
 * mantissa, log2 c) and a degree-5 polynomial in x/c − 1, then 2^(y·log2 x) from the same 32-entry table as expf.
 * Its results are off the correctly rounded x^y in about 1 case in 100 (0.82 ulp at worst), hence a faithful copy;
 * the table values and coefficients are glibc's (they were fitted, not derivable).
 */
import { fma } from "../../random/fused";
import { bitsOf, fromBits } from "./bits";
import { EXP2_TABLE, hexFloat } from "./libm";

const INVC = [
  "0x1.661ec79f8f3bep+0", "0x1.571ed4aaf883dp+0", "0x1.49539f0f010bp+0", "0x1.3c995b0b80385p+0",
  "0x1.30d190c8864a5p+0", "0x1.25e227b0b8eap+0", "0x1.1bb4a4a1a343fp+0", "0x1.12358f08ae5bap+0",
  "0x1.0953f419900a7p+0", "0x1p+0", "0x1.e608cfd9a47acp-1", "0x1.ca4b31f026aap-1",
  "0x1.b2036576afce6p-1", "0x1.9c2d163a1aa2dp-1", "0x1.886e6037841edp-1", "0x1.767dcf5534862p-1",
].map(hexFloat);
const LOGC = [
  "-0x1.efec65b963019p-2", "-0x1.b0b6832d4fca4p-2", "-0x1.7418b0a1fb77bp-2", "-0x1.39de91a6dcf7bp-2",
  "-0x1.01d9bf3f2b631p-2", "-0x1.97c1d1b3b7afp-3", "-0x1.2f9e393af3c9fp-3", "-0x1.960cbbf788d5cp-4",
  "-0x1.a6f9db6475fcep-5", "0x0p+0", "0x1.338ca9f24f53dp-4", "0x1.476a9543891bap-3",
  "0x1.e840b4ac4e4d2p-3", "0x1.40645f0c6651cp-2", "0x1.88e9c2c1b9ff8p-2", "0x1.ce0a44eb17bccp-2",
].map(hexFloat);
const [A0, A1, A2, A3, A4] = [
  "0x1.27616c9496e0bp-2", "-0x1.71969a075c67ap-2", "0x1.ec70a6ca7baddp-2", "-0x1.7154748bef6c8p-1", "0x1.71547652ab82bp0",
].map(hexFloat);
const [C0, C1, C2] = ["0x1.c6af84b912394p-5", "0x1.ebfce50fac4f3p-3", "0x1.62e42ff0c52d6p-1"].map(hexFloat);
const SHIFT_32 = hexFloat("0x1.8p+52") / 32;
const OFF = 0x3f330000;
const OVERFLOW = hexFloat("0x1.fffffffd1d571p+6");

/** log2 of the float with bits `ix` (positive; a subnormal's bits pre-normalised to a negative exponent). */
function log2Inline(ix: number): number {
  const tmp = (ix - OFF) >>> 0;
  const i = (tmp >>> 19) & 15;
  const top = (tmp & 0xff800000) | 0;
  const k = top >> 23;
  const z = fromBits((ix - top) | 0);
  const r = fma(z, INVC[i], -1);
  const y0 = LOGC[i] + k;
  const r2 = r * r;
  let y = fma(A0, r, A1);
  const p = fma(A2, r, A3);
  const r4 = r2 * r2;
  let q = fma(A4, r, y0);
  q = fma(p, r2, q);
  y = fma(y, r4, q);
  return y;
}

function exp2Inline(xd: number, negative: boolean): number {
  const kd = xd + SHIFT_32 - SHIFT_32;
  const k = Math.round(kd * 32);
  const r = xd - kd;
  const z = fma(C0, r, C1);
  const r2 = r * r;
  let y = fma(C2, r, 1);
  y = fma(z, r2, y);
  const s = EXP2_TABLE[k & 31] * 2 ** (k >> 5);
  return y * (negative ? -s : s);
}

/** 0: not an integer, 1: odd, 2: even (for the bits of a finite non-zero float). */
function checkInt(iy: number): number {
  const e = (iy >>> 23) & 0xff;
  if (e < 0x7f) return 0;
  if (e > 0x7f + 23) return 2;
  if ((iy & ((1 << (0x7f + 23 - e)) - 1)) !== 0) return 0;
  if ((iy & (1 << (0x7f + 23 - e))) !== 0) return 1;
  return 2;
}

function zeroInfNan(ix: number): boolean {
  return ((2 * ix - 1) >>> 0) >= 2 * 0x7f800000 - 1;
}

/** glibc's powf (FMA build); x and y are float32 values. */
export function libmPowf(x: number, y: number): number {
  let negative = false;
  let ix = bitsOf(x) >>> 0;
  const iy = bitsOf(y) >>> 0;
  if (((ix - 0x00800000) >>> 0) >= 0x7f800000 - 0x00800000 || zeroInfNan(iy)) {
    if (zeroInfNan(iy)) {
      if (((2 * iy) >>> 0) === 0) return 1;
      if (ix === 0x3f800000) return 1;
      if (((2 * ix) >>> 0) > 2 * 0x7f800000 || ((2 * iy) >>> 0) > 2 * 0x7f800000) return x + y;
      if (((2 * ix) >>> 0) === 2 * 0x3f800000) return 1;
      if (((2 * ix) >>> 0) < 2 * 0x3f800000 === ((iy & 0x80000000) === 0)) return 0;
      return y * y;
    }
    if (zeroInfNan(ix)) {
      let x2 = Math.fround(x * x);
      if ((ix & 0x80000000) !== 0 && checkInt(iy) === 1) x2 = -x2;
      return (iy & 0x80000000) !== 0 ? Math.fround(1 / x2) : x2;
    }
    if ((ix & 0x80000000) !== 0) {
      const yint = checkInt(iy);
      if (yint === 0) return NaN;
      if (yint === 1) negative = true;
      ix &= 0x7fffffff;
    }
    if (ix < 0x00800000) {
      ix = bitsOf(Math.fround(fromBits(ix) * 2 ** 23)) & 0x7fffffff;
      ix -= 23 << 23;
    }
  }
  const ylogx = y * log2Inline(ix);
  if (Math.abs(ylogx) >= 126) {
    if (ylogx > OVERFLOW) return negative ? -Infinity : Infinity;
    if (ylogx <= -150) return negative ? -0 : 0;
    if (ylogx < -149) return negative ? -(2 ** -149) : 2 ** -149;
  }
  return Math.fround(exp2Inline(ylogx, negative));
}

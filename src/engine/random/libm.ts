/**
 * glibc 2.36's double-precision log, sin and cos, operation for operation as its x86-64 FMA variants run them
 * (the versions glibc picks on CPUs with AVX2): PyTorch's float64 normal kernel calls them, and V8's Math.log,
 * Math.sin and Math.cos (fdlibm) differ from them in the last bit for a few percent of inputs. Where the compiled
 * glibc fuses a product into a sum, so does this code (with an emulated fma); where a product is exact, a plain
 * product is used. Inputs outside the range the normal kernel can produce fall back to Math.
 *
 * log: table-driven, log(x) = k ln2 + log(c) + log1p(z/c - 1) (Szabolcs Nagy's algorithm, 2018), with its own
 * polynomial near 1. sin/cos: IBM's Accurate Mathematical Library (s_sin.c): a Taylor polynomial for small
 * arguments, otherwise a table of sin and cos at multiples of 1/128 corrected by short polynomials, after a
 * reduction by multiples of pi/2 carried in two doubles.
 */
import { fma } from "./fused";
import { LOG_CONSTANTS, LOG_TABLE, SINCOS_TABLE } from "./glibc_tables";

function decode(hex: string): Float64Array {
  const out = new Float64Array(hex.length / 16);
  const view = new DataView(new ArrayBuffer(8));
  for (let i = 0; i < out.length; i++) {
    view.setUint32(0, parseInt(hex.slice(16 * i, 16 * i + 8), 16));
    view.setUint32(4, parseInt(hex.slice(16 * i + 8, 16 * i + 16), 16));
    out[i] = view.getFloat64(0);
  }
  return out;
}

const scratch = new Float64Array(1);
const words = new Uint32Array(scratch.buffer);
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

function highWord(x: number): number {
  scratch[0] = x;
  return words[HIGH];
}

function fromWords(high: number, low: number): number {
  words[HIGH] = high;
  words[1 - HIGH] = low;
  return scratch[0];
}

// ---- log ----

const [LN2_HI, LN2_LO, A0, A1, A2, A3, A4, B0, B1, B2, B3, B4, B5, B6, B7, B8, B9, B10] = decode(LOG_CONSTANTS);
const LOG_TAB = decode(LOG_TABLE);
/** The table's subintervals start at 0x1.6p-1: `OFF_HIGH` is the high word of that double. */
const OFF_HIGH = 0x3fe60000;
const NEAR_ONE_LOW = 1 - 2 ** -4;
const NEAR_ONE_HIGH = 1 + 0x109 * 2 ** -12;
const TWO_POW_27 = 134217728;

export function libmLog(x: number): number {
  if (x >= NEAR_ONE_LOW && x < NEAR_ONE_HIGH) return x === 1 ? 0 : logNearOne(x);
  if (!(x >= 2 ** -1022 && x < Infinity)) return Math.log(x);
  scratch[0] = x;
  const high = words[HIGH];
  const low = words[1 - HIGH];
  // x = 2^k z with z in [0x1.6p-1, 0x1.6p0); i picks the subinterval of z.
  const tmpHigh = (high - OFF_HIGH) | 0;
  const i = (tmpHigh >>> 13) & 0x7f;
  const k = tmpHigh >> 20;
  const z = fromWords((high - (tmpHigh & 0xfff00000)) >>> 0, low);
  const invc = LOG_TAB[2 * i];
  const logc = LOG_TAB[2 * i + 1];
  const r = fma(z, invc, -1);
  const w = k * LN2_HI + logc; // k * LN2_HI is exact: LN2_HI has 42 significant bits
  const hi = w + r;
  const lo = fma(k, LN2_LO, w - hi + r);
  const r2 = r * r;
  const r3 = r * r2;
  const p = fma(fma(r, A4, A3), r2, fma(r, A2, A1));
  return fma(r3, p, fma(r2, A0, lo)) + hi;
}

function logNearOne(x: number): number {
  const r = x - 1;
  const r2 = r * r;
  const r3 = r * r2;
  const p1 = fma(r2, B3, fma(r, B2, B1));
  const p2 = fma(r2, B6, fma(r, B5, B4));
  const p3 = fma(r3, B10, fma(r2, B9, fma(r, B8, B7)));
  const poly = fma(fma(p3, r3, p2), r3, p1);
  // r split into rhi (27 bits, so rhi^2 is exact) and rlo; B0 = -0.5, so the products with it are exact.
  const rhi = r + r * TWO_POW_27 - r * TWO_POW_27;
  const rlo = r - rhi;
  const rhi2 = rhi * rhi;
  const hi = r + rhi2 * B0;
  let lo = r - hi + rhi2 * B0;
  lo = fma(B0 * rlo, rhi + r, lo);
  return hi + fma(poly, r3, lo);
}

// ---- sin and cos ----

const SINCOS = decode(SINCOS_TABLE);
const SN3 = -0.16666666666666488;
const SN5 = 0.008333332142857223;
const CS2 = 0.5;
const CS4 = -0.04166666666666644;
const CS6 = 0.001388888740079376;
const S1 = -0.16666666666666666;
const S2 = 0.008333333333332329;
const S3 = -0.00019841269834414642;
const S4 = 2.755729806860771e-6;
const S5 = -2.5022014848318398e-8;
/** 1.5 * 2^45: adding it rounds |x| to a multiple of 1/128, the table's step. */
const BIG = 52776558133248;
const TAYLOR_LIMIT = 0.126;
/** pi/2 as hp0 + hp1. */
const HP0 = 1.5707963267948966;
const HP1 = 6.123233995736766e-17;
/** 2/pi, and 1.5 * 2^52 to round to an integer; pi/2 = mp1 + mp2 + pp3 + pp4 (the first three short). */
const HPINV = 0.6366197723675814;
const TOINT = 6755399441055744;
const MP1 = 1.5707963407039642;
const MP2 = -1.3909067564377153e-8;
const PP3 = -4.97899623147991e-17;
const PP4 = -1.9034889620193266e-25;

function taylorSin(a: number, da: number): number {
  const xx = a * a;
  const poly = fma(xx, fma(xx, fma(xx, fma(xx, S5, S4), S3), S2), S1);
  return a + fma(xx, fma(poly, a, -0.5 * da), da);
}

/** sin(x + dx), |x| < 0.855469, |dx| tiny. */
function doSin(x: number, dx: number): number {
  if (Math.abs(x) < TAYLOR_LIMIT) return taylorSin(x, dx);
  if (x <= 0) dx = -dx;
  const ax = Math.abs(x);
  const u = BIG + ax;
  const at = 4 * ((u - BIG) * 128);
  const t = ax - (u - BIG);
  const xx = t * t;
  const s = t + fma(t * xx, fma(xx, SN5, SN3), dx);
  const c = fma(t, dx, xx * fma(xx, fma(xx, CS6, CS4), CS2));
  const sn = SINCOS[at];
  const cor = fma(s, SINCOS[at + 2], fma(-c, sn, fma(s, SINCOS[at + 3], SINCOS[at + 1])));
  return copySign(sn + cor, x);
}

/** cos(x + dx), |x| < 0.855469, |dx| tiny. */
function doCos(x: number, dx: number): number {
  if (x < 0) dx = -dx;
  const ax = Math.abs(x);
  const u = BIG + ax;
  const at = 4 * ((u - BIG) * 128);
  const t = ax - (u - BIG) + dx;
  const xx = t * t;
  const s = fma(t * xx, fma(xx, SN5, SN3), t);
  const c = xx * fma(xx, fma(xx, CS6, CS4), CS2);
  return SINCOS[at + 2] + fma(-s, SINCOS[at], fma(-c, SINCOS[at + 2], fma(-s, SINCOS[at + 1], SINCOS[at + 3])));
}

/** x = n pi/2 + (a + da): returns n mod 4 and leaves a, da in `reduced`. xn * MP1 is exact (26-bit constant,
 * xn < 2^27). */
const reduced = new Float64Array(2);
function reduce(x: number): number {
  const t = fma(x, HPINV, TOINT);
  const xn = t - TOINT;
  const y = fma(-xn, MP2, x - xn * MP1);
  const t2 = fma(-xn, PP3, y);
  let db = fma(-xn, PP3, y - t2);
  const b = fma(-xn, PP4, t2);
  db += fma(-xn, PP4, t2 - b);
  reduced[0] = b;
  reduced[1] = db;
  return xn & 3;
}

function copySign(magnitude: number, sign: number): number {
  const m = Math.abs(magnitude);
  return sign < 0 || Object.is(sign, -0) ? -m : m;
}

const HIGH_TINY_SIN = 0x3e500000;
const HIGH_TINY_COS = 0x3e400000;
const HIGH_TABLE = 0x3feb6000;
const HIGH_NEAR_HALF_PI = 0x400368fd;
const HIGH_REDUCE = 0x419921fb;

export function libmSin(x: number): number {
  const k = highWord(x) & 0x7fffffff;
  if (k < HIGH_TINY_SIN) return x;
  if (k < HIGH_TABLE) return doSin(x, 0);
  if (k < HIGH_NEAR_HALF_PI) {
    return copySign(doCos(HP0 - Math.abs(x), HP1), x);
  }
  if (k < HIGH_REDUCE) {
    const n = reduce(x);
    const r = n & 1 ? doCos(reduced[0], reduced[1]) : doSin(reduced[0], reduced[1]);
    return n & 2 ? -r : r;
  }
  return Math.sin(x);
}

export function libmCos(x: number): number {
  const k = highWord(x) & 0x7fffffff;
  if (k < HIGH_TINY_COS) return 1;
  if (k < HIGH_TABLE) return doCos(x, 0);
  if (k < HIGH_NEAR_HALF_PI) {
    const y = HP0 - Math.abs(x);
    const a = y + HP1;
    return doSin(a, y - a + HP1);
  }
  if (k < HIGH_REDUCE) {
    const n = reduce(x) + 1;
    const r = n & 1 ? doCos(reduced[0], reduced[1]) : doSin(reduced[0], reduced[1]);
    return n & 2 ? -r : r;
  }
  return Math.cos(x);
}

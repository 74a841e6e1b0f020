/**
 * glibc 2.36's float erf, tanh, expm1 and log1p, for ATen's scalar code paths (gelu's and softplus's leftover
 * elements). These are Sun's fdlibm algorithms carried over to float: rational approximations evaluated in float32
 * arithmetic, built for plain x86-64 (no fused multiply-adds), so every operation below rounds to float once.
 * erf calls the library's expf, which is the FMA build (libm.ts).
 */
import { bitsOf, f, fromBits } from "./bits";
import { libmExpf } from "./libm";

const c = (v: number): number => f(v);

const ERX = c(8.4506291151e-1);
const EFX = c(1.2837916613e-1);
const PP = [1.2837916613e-1, -3.2504209876e-1, -2.8481749818e-2, -5.770270247e-3, -2.3763017452e-5].map(c);
const QQ = [3.9791721106e-1, 6.50222525e-2, 5.0813062117e-3, 1.3249473704e-4, -3.9602282413e-6].map(c);
const PA = [-2.3621185683e-3, 4.1485610604e-1, -3.7220788002e-1, 3.1834661961e-1, -1.1089469492e-1, 3.5478305072e-2, -2.1663755178e-3].map(c);
const QA = [1.0642088205e-1, 5.4039794207e-1, 7.1828655899e-2, 1.2617121637e-1, 1.3637083583e-2, 1.1984500103e-2].map(c);
const RA = [-9.8649440333e-3, -6.938585639e-1, -1.0558626175e1, -6.2375331879e1, -1.6239666748e2, -1.8460508728e2, -8.1287437439e1, -9.8143291473].map(c);
const SA = [1.965127182e1, 1.3765776062e2, 4.3456588745e2, 6.4538726807e2, 4.2900814819e2, 1.0863500214e2, 6.5702495575, -6.0424413532e-2].map(c);
const RB = [-9.864943102e-3, -7.9928326607e-1, -1.7757955551e1, -1.6063638306e2, -6.3756646729e2, -1.0250950928e3, -4.8351919556e2].map(c);
const SB = [3.0338060379e1, 3.2579251099e2, 1.5367296143e3, 3.1998581543e3, 2.553050293e3, 4.7452853394e2, -2.2440952301e1].map(c);

/** p[0] + z·(p[1] + z·(… + z·p[n−1])) in float. */
function horner(p: readonly number[], z: number): number {
  let r = p[p.length - 1];
  for (let i = p.length - 2; i >= 0; i--) r = f(p[i] + f(z * r));
  return r;
}

/** 1 + z·(q[0] + z·(… + z·q[n−1])) in float. */
function horner1(q: readonly number[], z: number): number {
  return f(1 + f(z * horner(q, z)));
}

/** glibc's erff. */
export function libmErff(x: number): number {
  const hx = bitsOf(x);
  const ix = hx & 0x7fffffff;
  if (ix >= 0x7f800000) return f(f(1 - ((hx >>> 31) << 1)) + f(1 / x));
  if (ix < 0x3f580000) {
    if (ix < 0x31800000) {
      if (ix < 0x04000000) return f(0.0625 * f(f(16 * x) + f(f(16 * EFX) * x)));
      return f(x + f(EFX * x));
    }
    const z = f(x * x);
    const r = horner(PP, z);
    const s = horner1(QQ, z);
    const y = f(r / s);
    return f(x + f(x * y));
  }
  if (ix < 0x3fa00000) {
    const s = f(Math.abs(x) - 1);
    const p = horner(PA, s);
    const q = horner1(QA, s);
    return hx >= 0 ? f(ERX + f(p / q)) : f(-ERX - f(p / q));
  }
  if (ix >= 0x40c00000) return hx >= 0 ? 1 : -1;
  const ax = Math.abs(x);
  const s = f(1 / f(ax * ax));
  let r: number;
  let q: number;
  if (ix < 0x4036db6e) {
    r = horner(RA, s);
    q = horner1(SA, s);
  } else {
    r = horner(RB, s);
    q = horner1(SB, s);
  }
  const z = fromBits(bitsOf(ax) & 0xfffff000);
  const e = f(libmExpf(f(f(-z * z) - 0.5625)) * libmExpf(f(f(f(z - ax) * f(z + ax)) + f(r / q))));
  return hx >= 0 ? f(1 - f(e / ax)) : f(f(e / ax) - 1);
}

const O_THRESHOLD = c(8.8721679688e1);
const LN2_HI = c(6.9313812256e-1);
const LN2_LO = c(9.0580006145e-6);
const INV_LN2 = c(1.4426950216);
const Q = [-3.3333335072e-2, 1.5873016091e-3, -7.936507609e-5, 4.0082177293e-6, -2.0109921195e-7].map(c);

/** glibc's expm1f. */
export function libmExpm1f(x: number): number {
  let hx = bitsOf(x);
  const negative = hx < 0;
  hx &= 0x7fffffff;
  if (hx >= 0x4195b844) {
    if (hx >= 0x42b17218) {
      if (hx > 0x7f800000) return x + x;
      if (hx === 0x7f800000) return negative ? -1 : x;
      if (x > O_THRESHOLD) return Infinity;
    }
    if (negative) return -1;
  }
  let k = 0;
  let cc = 0;
  if (hx > 0x3eb17218) {
    let hi: number;
    let lo: number;
    if (hx < 0x3f851592) {
      if (!negative) {
        hi = f(x - LN2_HI);
        lo = LN2_LO;
        k = 1;
      } else {
        hi = f(x + LN2_HI);
        lo = -LN2_LO;
        k = -1;
      }
    } else {
      k = Math.trunc(f(f(INV_LN2 * x) + (negative ? -0.5 : 0.5)));
      const t = k;
      hi = f(x - f(t * LN2_HI));
      lo = f(t * LN2_LO);
    }
    x = f(hi - lo);
    cc = f(f(hi - x) - lo);
  } else if (hx < 0x33000000) {
    return x;
  }
  const hfx = f(0.5 * x);
  const hxs = f(x * hfx);
  const r1 = horner1(Q, hxs);
  const t = f(3 - f(r1 * hfx));
  let e = f(hxs * f(f(r1 - t) / f(6 - f(x * t))));
  if (k === 0) return f(x - f(f(x * e) - hxs));
  e = f(f(x * f(e - cc)) - cc);
  e = f(e - hxs);
  if (k === -1) return f(f(0.5 * f(x - e)) - 0.5);
  if (k === 1) return x < -0.25 ? f(-2 * f(e - f(x + 0.5))) : f(1 + f(2 * f(x - e)));
  if (k <= -2 || k > 56) {
    const y = f(1 - f(e - x));
    return f(fromBits((bitsOf(y) + (k << 23)) | 0) - 1);
  }
  let y: number;
  if (k < 23) {
    const t1 = fromBits(0x3f800000 - (0x1000000 >> k));
    y = f(t1 - f(e - x));
  } else {
    const t1 = fromBits((0x7f - k) << 23);
    y = f(x - f(e + t1));
    y = f(y + 1);
  }
  return fromBits((bitsOf(y) + (k << 23)) | 0);
}

/** glibc's tanhf. */
export function libmTanhf(x: number): number {
  const jx = bitsOf(x);
  const ix = jx & 0x7fffffff;
  if (ix >= 0x7f800000) return jx >= 0 ? f(f(1 / x) + 1) : f(f(1 / x) - 1);
  let z: number;
  if (ix < 0x41b00000) {
    if (ix === 0) return x;
    if (ix < 0x24000000) return f(x * f(1 + x));
    if (ix >= 0x3f800000) {
      const t = libmExpm1f(f(2 * Math.abs(x)));
      z = f(1 - f(2 / f(t + 2)));
    } else {
      const t = libmExpm1f(f(-2 * Math.abs(x)));
      z = f(-t / f(t + 2));
    }
  } else z = 1;
  return jx >= 0 ? z : -z;
}

const LP = [6.6666668653e-1, 4.0000000596e-1, 2.8571429849e-1, 2.2222198546e-1, 1.818357259e-1, 1.5313838422e-1, 1.479819864e-1].map(c);
const TWO_THIRDS = c(0.6666666666666666);

/** glibc's log1pf. */
export function libmLog1pf(x: number): number {
  const hx = bitsOf(x);
  const ax = hx & 0x7fffffff;
  let k = 1;
  let fpart = 0;
  let hu = 0;
  let cc = 0;
  if (hx < 0x3ed413d7) {
    if (ax >= 0x3f800000) return x === -1 ? -Infinity : NaN;
    if (ax < 0x31000000) {
      if (ax < 0x24800000) return x;
      return f(x - f(f(x * x) * 0.5));
    }
    if (hx > 0 || hx <= (0xbe95f61f | 0)) {
      k = 0;
      fpart = x;
      hu = 1;
    }
  }
  if (hx >= 0x7f800000) return x + x;
  if (k !== 0) {
    let u: number;
    if (hx < 0x5a000000) {
      u = f(1 + x);
      hu = bitsOf(u);
      k = (hu >> 23) - 127;
      cc = k > 0 ? f(1 - f(u - x)) : f(x - f(u - 1));
      cc = f(cc / u);
    } else {
      u = x;
      hu = bitsOf(u);
      k = (hu >> 23) - 127;
      cc = 0;
    }
    hu &= 0x007fffff;
    if (hu < 0x3504f7) {
      u = fromBits(hu | 0x3f800000);
    } else {
      k += 1;
      u = fromBits(hu | 0x3f000000);
      hu = (0x00800000 - hu) >> 2;
    }
    fpart = f(u - 1);
  }
  const hfsq = f(f(0.5 * fpart) * fpart);
  if (hu === 0) {
    if (fpart === 0) {
      if (k === 0) return 0;
      cc = f(cc + f(k * LN2_LO));
      return f(f(k * LN2_HI) + cc);
    }
    const r = f(hfsq * f(1 - f(TWO_THIRDS * fpart)));
    if (k === 0) return f(fpart - r);
    return f(f(k * LN2_HI) - f(f(r - f(f(k * LN2_LO) + cc)) - fpart));
  }
  const s = f(fpart / f(2 + fpart));
  const z = f(s * s);
  const r = f(z * horner(LP, z));
  if (k === 0) return f(fpart - f(hfsq - f(s * f(hfsq + r))));
  return f(f(k * LN2_HI) - f(f(hfsq - f(f(s * f(hfsq + r)) + f(f(k * LN2_LO) + cc))) - fpart));
}

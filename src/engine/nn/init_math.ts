/**
 * The numerics behind two of nn.init's functions:
 * - orthogonal_: a QR factorisation. PyTorch calls LAPACK (geqrf/orgqr) in the tensor's dtype; this is Householder
 *   QR in double, so a float32 result is the exact Q rounded once, where LAPACK's float32 Q carries its own
 *   rounding (values agree to about 1e-6, not bit for bit).
 * - trunc_normal_: ATen's float32 `erfinv` (`calc_erfinv`: a rational first guess, then two Newton steps), with
 *   its polynomials fused as the AVX2 build fuses them, calling glibc's erff (Sun's float algorithm, below, with
 *   its float constants) and expf / logf (taken as the double function rounded to float, which they equal but in
 *   rare last-bit cases).
 */
import { libmLog } from "../random/libm";
import { pyExp } from "../random/libm_pow";
import { fma, fmaf } from "../random/fused";
import { libmErf } from "../random/libm_erf";

/** The thin Q (m x n, row-major) of A = QR for an m x n matrix with m >= n, its columns multiplied by the signs of
 * R's diagonal (so that R's diagonal is non-negative, PyTorch's `q *= r.diag().sign()`). */
export function orthonormalColumns(a: Float64Array, m: number, n: number): Float64Array {
  const A = Float64Array.from(a);
  const vs: Float64Array[] = [];
  const diag = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let norm = 0;
    for (let i = k; i < m; i++) norm = Math.hypot(norm, A[i * n + k]);
    const x0 = A[k * n + k];
    // LAPACK's reflector: beta = -sign(x0) * |x|, v = x - beta e1 (v = 0 when the column is already zero)
    const beta = norm === 0 ? 0 : x0 >= 0 ? -norm : norm;
    const v = new Float64Array(m - k);
    for (let i = k; i < m; i++) v[i - k] = A[i * n + k];
    v[0] -= beta;
    let vNorm2 = 0;
    for (const x of v) vNorm2 += x * x;
    vs.push(v);
    diag[k] = norm === 0 ? x0 : beta;
    if (vNorm2 === 0) continue;
    for (let j = k; j < n; j++) {
      let dot = 0;
      for (let i = k; i < m; i++) dot += v[i - k] * A[i * n + j];
      const f = (2 * dot) / vNorm2;
      for (let i = k; i < m; i++) A[i * n + j] -= f * v[i - k];
    }
  }
  // Q = H_0 H_1 ... H_{n-1} applied to the first n columns of the identity
  const Q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) Q[j * n + j] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const v = vs[k];
    let vNorm2 = 0;
    for (const x of v) vNorm2 += x * x;
    if (vNorm2 === 0) continue;
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let i = k; i < m; i++) dot += v[i - k] * Q[i * n + j];
      const f = (2 * dot) / vNorm2;
      for (let i = k; i < m; i++) Q[i * n + j] -= f * v[i - k];
    }
  }
  for (let j = 0; j < n; j++) {
    const s = Math.sign(diag[j]);
    for (let i = 0; i < m; i++) Q[i * n + j] *= s;
  }
  return Q;
}

const f = Math.fround;
const COEFFS = {
  a: [0.886226899, -1.645349621, 0.914624893, -0.140543331],
  b: [-2.118377725, 1.442710462, -0.329097515, 0.012229801],
  c: [-1.970840454, -1.624906493, 3.429567803, 1.641345311],
  d: [3.5438892, 1.6370678],
};
const F32 = { a: COEFFS.a.map(f), b: COEFFS.b.map(f), c: COEFFS.c.map(f), d: COEFFS.d.map(f) };

const expf = (x: number) => f(pyExp(x));
const logf = (x: number) => f(libmLog(x));

const bits = new Float32Array(1);
const bitsU = new Uint32Array(bits.buffer);

function fromBits(u: number): number {
  bitsU[0] = u;
  return bits[0];
}

/** glibc's float erf coefficients (s_erff.c), by their bit patterns. */
const [ERX, EFX] = [0x3f58560b, 0x3e0375d4].map(fromBits);
const PP = [0x3e0375d4, 0xbea66beb, 0xbce9528f, 0xbbbd1489, 0xb7c756b1].map(fromBits);
const QQ = [0x3ecbbbce, 0x3d852a63, 0x3ba68116, 0x390aee49, 0xb684e21a].map(fromBits);
const PA = [0xbb1acdc6, 0x3ed46805, 0xbebe9208, 0x3ea2fe54, 0xbde31cc2, 0x3d1151b3, 0xbb0df9c0].map(fromBits);
const QA = [0x3dd9f331, 0x3f0a5785, 0x3d931ae7, 0x3e013307, 0x3c5f6e13, 0x3c445aa3].map(fromBits);
const RA = [0xbc21a093, 0xbf31a0b7, 0xc128f022, 0xc2798057, 0xc322658c, 0xc3389ae7, 0xc2a2932b, 0xc11d077e].map(fromBits);
const SA = [0x419d35ce, 0x4309a863, 0x43d9486f, 0x442158c9, 0x43d6810b, 0x42d9451f, 0x40d23f7c, 0xbd777f97].map(fromBits);
const RB = [0xbc21a092, 0xbf4c9dd4, 0xc18e104b, 0xc320a2ea, 0xc41f6441, 0xc480230b, 0xc3f1c275].map(fromBits);
const SB = [0x41f2b459, 0x43a2e571, 0x44c01759, 0x4547fdbb, 0x451f90ce, 0x43ed43a7, 0xc1b38712].map(fromBits);

/** c[0] + z (c[1] + z (c[2] + ...)) in float, each step rounded (fdlibm's Horner form). */
function hornerf(c: readonly number[], z: number): number {
  let acc = c[c.length - 1];
  for (let i = c.length - 2; i >= 0; i--) acc = f(c[i] + f(z * acc));
  return acc;
}

/** glibc 2.36's erff (Sun's s_erff.c): float arithmetic throughout, two expf calls in the tails. */
export function erff(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax === Infinity) return x > 0 ? 1 : -1;
  if (ax < 0.84375) {
    if (ax < 2 ** -28) return f(x + f(EFX * x));
    const z = f(x * x);
    const r = hornerf(PP, z);
    const s = hornerf([1, ...QQ], z);
    return f(x + f(x * f(r / s)));
  }
  if (ax < 1.25) {
    const s = f(ax - 1);
    const p = hornerf(PA, s);
    const q = hornerf([1, ...QA], s);
    const v = f(ERX + f(p / q));
    return x > 0 ? v : -v;
  }
  if (ax >= 6) return x > 0 ? 1 : -1;
  const s = f(1 / f(ax * ax));
  let R: number;
  let S: number;
  if (ax < fromBits(0x4036db6e)) {
    R = hornerf(RA, s);
    S = hornerf([1, ...SA], s);
  } else {
    R = hornerf(RB, s);
    S = hornerf([1, ...SB], s);
  }
  bits[0] = ax;
  bitsU[0] &= 0xfffff000;
  const z = bits[0];
  const r = f(expf(f(f(-z * z) - 0.5625)) * expf(f(f(f(z - ax) * f(z + ax)) + f(R / S))));
  const v = f(1 - f(r / ax));
  return x > 0 ? v : -v;
}

interface ErfinvArith {
  r: (x: number) => number;
  fma: (a: number, b: number, c: number) => number;
  erf: (x: number) => number;
  exp: (x: number) => number;
  log: (x: number) => number;
  k: typeof COEFFS;
  twoOverSqrtPi: number;
  centralRange: number;
}

const FLOAT_ARITH: ErfinvArith = {
  r: f, fma: fmaf, erf: erff, exp: expf, log: logf, k: F32, twoOverSqrtPi: f(2 / f(Math.sqrt(Math.PI))), centralRange: f(0.7),
};
const DOUBLE_ARITH: ErfinvArith = {
  r: (x) => x, fma, erf: libmErf, exp: pyExp, log: libmLog, k: COEFFS, twoOverSqrtPi: 2 / Math.sqrt(Math.PI), centralRange: 0.7,
};

/** ATen's `calc_erfinv` in the tensor's dtype: a rational first guess, then two Newton steps. */
export function erfinv(y: number, dtype: "float32" | "float64"): number {
  const { r, fma: fused, erf, exp, log, k, twoOverSqrtPi, centralRange } = dtype === "float32" ? FLOAT_ARITH : DOUBLE_ARITH;
  const ay = Math.abs(y);
  if (ay > 1 || Number.isNaN(y)) return NaN;
  if (ay === 1) return y > 0 ? Infinity : -Infinity;
  let x: number;
  if (ay <= centralRange) {
    const z = r(y * y);
    const num = fused(fused(fused(k.a[3], z, k.a[2]), z, k.a[1]), z, k.a[0]);
    const dem = fused(fused(fused(fused(k.b[3], z, k.b[2]), z, k.b[1]), z, k.b[0]), z, 1);
    x = r(r(y * num) / dem);
  } else {
    const z = r(Math.sqrt(-log(r(r(1 - ay) / 2))));
    const num = fused(fused(fused(k.c[3], z, k.c[2]), z, k.c[1]), z, k.c[0]);
    const dem = fused(fused(k.d[1], z, k.d[0]), z, 1);
    x = r((y < 0 ? -Math.abs(num) : Math.abs(num)) / dem);
  }
  for (let i = 0; i < 2; i++) x = r(x - r(r(erf(x) - y) / r(twoOverSqrtPi * exp(r(-x * x)))));
  return x;
}

/** `erfinv` of a float32 value. */
export function erfinvFloat(y: number): number {
  return erfinv(y, "float32");
}

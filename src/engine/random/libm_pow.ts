/**
 * x ** y as CPython computes it for floats (glibc's pow), which optimizers and schedulers call in double: Adam's
 * `1 - beta1 ** step`, NAdam's `0.96 ** (step * momentum_decay)`, ExponentialLR's `gamma ** epoch`. glibc 2.28+
 * rounds pow correctly in all but astronomically rare cases; V8's Math.pow (fdlibm) is off by one ulp for about 7%
 * of `0.9 ** step`. So the result is computed here in double-double (about 100 correct bits) and rounded once.
 *
 * Integral exponents use exponentiation by squaring, which is exact whenever the result is representable (as
 * glibc's is); other exponents go through exp(y log x) with a series log and a squared Taylor exp.
 */

/** A double-double value hi + lo with |lo| <= ulp(hi) / 2. */
interface DD {
  hi: number;
  lo: number;
}

const SPLITTER = 134217729; // 2^27 + 1

function twoProd(a: number, b: number): DD {
  const p = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return { hi: p, lo: ah * bh - p + ah * bl + al * bh + al * bl };
}

function quickSum(hi: number, lo: number): DD {
  const s = hi + lo;
  return { hi: s, lo: lo - (s - hi) };
}

function add(a: DD, b: DD): DD {
  const s = a.hi + b.hi;
  const bb = s - a.hi;
  const e = a.hi - (s - bb) + (b.hi - bb) + a.lo + b.lo;
  return quickSum(s, e);
}

function mul(a: DD, b: DD): DD {
  const p = twoProd(a.hi, b.hi);
  return quickSum(p.hi, p.lo + (a.hi * b.lo + a.lo * b.hi));
}

function div(a: DD, b: DD): DD {
  const q1 = a.hi / b.hi;
  const r = add(a, neg(mul(b, { hi: q1, lo: 0 })));
  const q2 = r.hi / b.hi;
  const r2 = add(r, neg(mul(b, { hi: q2, lo: 0 })));
  const q3 = r2.hi / b.hi;
  return add(quickSum(q1, q2), { hi: q3, lo: 0 });
}

function neg(a: DD): DD {
  return { hi: -a.hi, lo: -a.lo };
}

const ONE: DD = { hi: 1, lo: 0 };
/** ln 2 to 106 bits. */
const LN2: DD = { hi: 0.6931471805599453, lo: 2.3190468138462996e-17 };
const SQRT_HALF = Math.SQRT1_2;

/** ln(x) for a finite x > 0 (normal). */
function logDD(x: number): DD {
  let k = Math.floor(Math.log2(x));
  let m = x / 2 ** k; // exact: a power of two
  if (m < 1) {
    m *= 2;
    k -= 1;
  } else if (m >= 2) {
    m /= 2;
    k += 1;
  }
  if (m > 2 * SQRT_HALF) {
    m /= 2;
    k += 1;
  }
  // ln m = 2 atanh(z), z = (m - 1) / (m + 1); m - 1 is exact (Sterbenz), |z| < 0.172.
  const z = div({ hi: m - 1, lo: 0 }, add({ hi: m, lo: 0 }, ONE));
  const z2 = mul(z, z);
  let term = z;
  let sum = z;
  for (let n = 3; n < 60; n += 2) {
    term = mul(term, z2);
    const piece = div(term, { hi: n, lo: 0 });
    sum = add(sum, piece);
    if (Math.abs(piece.hi) < Math.abs(sum.hi) * 2 ** -112) break;
  }
  const lnM = { hi: 2 * sum.hi, lo: 2 * sum.lo };
  return add(mul(LN2, { hi: k, lo: 0 }), lnM);
}

/** e^a for a double-double a of moderate size (|a| < 709). */
function expDD(a: DD): DD {
  const k = Math.round(a.hi / LN2.hi);
  const r = add(a, neg(mul(LN2, { hi: k, lo: 0 })));
  // e^r = (e^(r / 2^10))^(2^10), carried as e^s - 1 so that squaring keeps its small part exact.
  const s = { hi: r.hi / 1024, lo: r.lo / 1024 };
  let term = s;
  let em1 = s;
  for (let n = 2; n < 30; n++) {
    term = div(mul(term, s), { hi: n, lo: 0 });
    em1 = add(em1, term);
    if (Math.abs(term.hi) < 2 ** -120) break;
  }
  for (let i = 0; i < 10; i++) em1 = add(mul(em1, { hi: 2, lo: 0 }), mul(em1, em1));
  const result = add(ONE, em1);
  const scale = 2 ** k;
  return { hi: result.hi * scale, lo: result.lo * scale };
}

function powInt(x: number, n: number): DD {
  let base: DD = { hi: x, lo: 0 };
  let result = ONE;
  let e = Math.abs(n);
  while (e > 0) {
    if (e % 2 === 1) result = mul(result, base);
    e = Math.floor(e / 2);
    if (e > 0) base = mul(base, base);
  }
  return n < 0 ? div(ONE, result) : result;
}

const TINY = 2 ** -1000;
const HUGE = 2 ** 1000;

/** CPython's `x ** y` for floats, as glibc's pow rounds it. Falls back to Math.pow off the finite, positive,
 * normal-result domain (where V8 and glibc agree on the special values). */
export function pyPow(x: number, y: number): number {
  if (y === 0 || x === 1) return 1;
  if (!(x >= 2 ** -1022 && Number.isFinite(x) && Number.isFinite(y))) return Math.pow(x, y);
  const guess = Math.pow(x, y);
  if (!(guess > TINY && guess < HUGE)) return guess;
  const dd = Number.isInteger(y) && Math.abs(y) <= 2 ** 31 ? powInt(x, y) : expDD(mul(logDD(x), { hi: y, lo: 0 }));
  return dd.hi + dd.lo;
}

/** e^x as glibc's exp rounds it (correctly, but for astronomically rare cases), for CPython's math.exp. */
export function pyExp(x: number): number {
  if (!Number.isFinite(x) || Math.abs(x) > 700) return Math.exp(x);
  if (x === 0) return 1;
  const dd = expDD({ hi: x, lo: 0 });
  return dd.hi + dd.lo;
}

/**
 * Float32 kernels four lanes at a time, as WebAssembly SIMD code written from TypeScript: the SLEEF functions that
 * PyTorch's AVX2 kernels run eight lanes at a time, spelled here with the same operations in the same order as the
 * one-lane JS versions beside them (exp.ts, tanh.ts, ...), so that both give the same bits. A float32 operation in
 * WebAssembly is one correctly rounded instruction, where JS needs a double operation and Math.fround.
 *
 * `Lanes` writes straight-line code into a function body: every operation takes operands (locals or constants) and
 * returns a new local. Fused multiply-adds are formed in float64 (the product of two floats is exact there) and
 * rounded once; that is exact unless the double sum lands exactly halfway between two floats without being the
 * exact sum, which a mask test of its low bits and then the sum's error detect, and such lanes are only flagged
 * (`inexact`): the caller recomputes their vector with the exact JS code, so the SIMD path never decides a tie.
 * Everything here assumes straight-line code (no branches between a value's definition and its uses outside the
 * branch), which the SLEEF functions are: they select, they do not branch.
 */
import { type FunctionBody, Op, SimdOp, ValType } from "../wasm_emit";

/** Four float32 lanes, four int32 lanes, or a mask (all-ones lanes where true): a local, or a constant. */
export type F4 = Operand<"f32">;
export type I4 = Operand<"i32">;
export type M4 = Operand<"mask">;
type D2 = Operand<"f64">;
interface Local<T> {
  readonly local: number;
  readonly type?: T;
}
interface Constant<T> {
  readonly bytes: Uint8Array;
  readonly type?: T;
  /** For float32 constants, the value (a fused multiply-add uses it as a float64 constant). */
  readonly value?: number;
}
type Operand<T> = Local<T> | Constant<T>;

const f32Bytes = (x: number): Uint8Array => new Uint8Array(new Float32Array([x, x, x, x]).buffer);
const i32Bytes = (x: number): Uint8Array => new Uint8Array(new Int32Array([x, x, x, x]).buffer);
const f64Bytes = (x: number): Uint8Array => new Uint8Array(new Float64Array([x, x]).buffer);

/** Lanes 2 and 3 moved to lanes 0 and 1 (for promoting the upper half to float64). */
const UPPER_HALF = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];
/** Lanes 0 and 1 of the first vector, then lanes 0 and 1 of the second (joining two demoted halves). */
const JOIN_HALVES = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
/** The low 29 bits of a double's significand, and their pattern in a number halfway between two float32s. */
const LOW_29 = new Uint8Array(new BigInt64Array([0x1fffffffn, 0x1fffffffn]).buffer);
const TIE = new Uint8Array(new BigInt64Array([0x10000000n, 0x10000000n]).buffer);

export class Lanes {
  /** Accumulates, over a vector's code, the fused multiply-adds whose rounding must be decided exactly. */
  readonly inexact: Local<"mask">;
  private promoted = new Map<number, [D2, D2]>();

  constructor(readonly f: FunctionBody) {
    this.inexact = { local: f.local(ValType.V128) };
  }

  /** Starts a vector's code: no lane flagged yet, no promoted halves reusable. */
  begin(): void {
    this.f.zeroVector().set(this.inexact.local);
    this.promoted.clear();
  }

  /** Pushes an operand on the stack. */
  push(x: Operand<unknown>): void {
    if ("local" in x) this.f.get(x.local);
    else this.f.vector(x.bytes);
  }

  /** Stores the value on the stack in a new local. */
  result<T>(): Local<T> {
    const local = this.f.local(ValType.V128);
    this.f.set(local);
    return { local };
  }

  /** A local holding what `emit` leaves on the stack. */
  let<T>(emit: () => void): Local<T> {
    emit();
    return this.result<T>();
  }

  private unary<T>(op: SimdOp, a: Operand<unknown>): Local<T> {
    this.push(a);
    this.f.simd(op);
    return this.result<T>();
  }

  private binary<T>(op: SimdOp, a: Operand<unknown>, b: Operand<unknown>): Local<T> {
    this.push(a);
    this.push(b);
    this.f.simd(op);
    return this.result<T>();
  }

  // ---- constants ----

  /** A float32 constant (the number rounded to float32) in every lane. */
  c(x: number): F4 {
    const v = Math.fround(x);
    return { bytes: f32Bytes(v), value: v };
  }

  i(x: number): I4 {
    return { bytes: i32Bytes(x) };
  }

  // ---- float32 arithmetic, correctly rounded ----

  add(a: F4, b: F4): F4 { return this.binary(SimdOp.F32x4Add, a, b); }
  sub(a: F4, b: F4): F4 { return this.binary(SimdOp.F32x4Sub, a, b); }
  mul(a: F4, b: F4): F4 { return this.binary(SimdOp.F32x4Mul, a, b); }
  div(a: F4, b: F4): F4 { return this.binary(SimdOp.F32x4Div, a, b); }
  neg(a: F4): F4 { return this.unary(SimdOp.F32x4Neg, a); }
  abs(a: F4): F4 { return this.unary(SimdOp.F32x4Abs, a); }
  sqrt(a: F4): F4 { return this.unary(SimdOp.F32x4Sqrt, a); }
  floor(a: F4): F4 { return this.unary(SimdOp.F32x4Floor, a); }
  trunc(a: F4): F4 { return this.unary(SimdOp.F32x4Trunc, a); }
  /** Round to the nearest integer, ties to even (vroundps), keeping the sign of zero. */
  rint(a: F4): F4 { return this.unary(SimdOp.F32x4Nearest, a); }

  /** a·b + c rounded once; lanes whose exact rounding this cannot vouch for are flagged in `inexact`. */
  fma(a: F4, b: F4, c: F4): F4 {
    const [aLo, aHi] = this.halves(a);
    const [bLo, bHi] = this.halves(b);
    const [cLo, cHi] = this.halves(c);
    const sLo = this.sumOfProduct(aLo, bLo, cLo);
    const sHi = this.sumOfProduct(aHi, bHi, cHi);
    this.push(sLo);
    this.f.simd(SimdOp.F32x4DemoteF64x2Zero);
    this.push(sHi);
    this.f.simd(SimdOp.F32x4DemoteF64x2Zero);
    this.f.shuffle(JOIN_HALVES);
    return this.result();
  }

  /**
   * p·q + r in float64, flagged when it is exactly halfway between two normal float32s but not the exact sum: the
   * one case where rounding the double sum can differ from rounding the exact one. A tie has a 1 right below
   * float32's last bit and zeros below (its low 29 significand bits are 0x10000000); for those lanes (rare, but
   * not as rare as chance: double-float low parts have few bits, and their exact sums are often ties) the error of
   * the double sum (Knuth's TwoSum) decides. A float32 itself (low bits all zero, as for every sum of zeros) rounds
   * exactly, and so does an infinity or NaN (from an infinite or NaN operand: float32 products and sums cannot
   * overflow a double). Ties on the subnormal grid (below 2^−126) have other low bits: a kernel whose sums can be
   * that small flags those lanes itself (flagTiny).
   */
  private sumOfProduct(p: D2, q: D2, r: D2): D2 {
    this.push(p);
    this.push(q);
    this.f.simd(SimdOp.F64x2Mul);
    const pq = this.result<"f64">();
    this.push(pq);
    this.push(r);
    this.f.simd(SimdOp.F64x2Add);
    const s = this.result<"f64">();
    this.push(s);
    this.f.vector(LOW_29).simd(SimdOp.V128And).vector(TIE).simd(SimdOp.I64x2Eq);
    const tie = this.result<"mask">();
    this.f.get(tie.local).simd(SimdOp.V128AnyTrue).open(Op.If);
    {
      // bb = s − pq; error = (pq − (s − bb)) + (r − bb); flag the ties with a nonzero error.
      this.push(s);
      this.push(pq);
      this.f.simd(SimdOp.F64x2Sub);
      const bb = this.result<"f64">();
      this.f.get(this.inexact.local).get(tie.local);
      this.push(pq);
      this.push(s);
      this.push(bb);
      this.f.simd(SimdOp.F64x2Sub).simd(SimdOp.F64x2Sub);
      this.push(r);
      this.push(bb);
      this.f.simd(SimdOp.F64x2Sub).simd(SimdOp.F64x2Add).zeroVector().simd(SimdOp.F64x2Ne);
      this.f.simd(SimdOp.V128And).simd(SimdOp.V128Or).set(this.inexact.local);
    }
    this.f.end();
    return s;
  }

  /** Flags the lanes of `m` (the caller's reason: a case the kernel leaves to JS). */
  flag(m: M4): void {
    this.f.get(this.inexact.local);
    this.push(m);
    this.f.simd(SimdOp.V128Or).set(this.inexact.local);
  }

  /** Flags lanes where x is not zero but below `below` in magnitude: a kernel calls it on the value its fused sums
   * scale with, where those sums could reach the subnormal float32 grid (and its ties, which sumOfProduct does not
   * see). */
  flagTiny(x: F4, below: number): void {
    const a = this.abs(x);
    this.f.get(this.inexact.local);
    this.push(this.and(this.lt(a, this.c(below)), this.gt(a, this.c(0))));
    this.f.simd(SimdOp.V128Or).set(this.inexact.local);
  }

  /** The float64 values of lanes 0–1 and 2–3 (each promotion is made once per vector and reused). */
  private halves(x: F4): [D2, D2] {
    if (!("local" in x)) {
      const bytes = f64Bytes(x.value!);
      return [{ bytes }, { bytes }];
    }
    const known = this.promoted.get(x.local);
    if (known) return known;
    this.push(x);
    this.f.simd(SimdOp.F64x2PromoteLowF32x4);
    const lo = this.result<"f64">();
    this.push(x);
    this.push(x);
    this.f.shuffle(UPPER_HALF).simd(SimdOp.F64x2PromoteLowF32x4);
    const hi = this.result<"f64">();
    this.promoted.set(x.local, [lo, hi]);
    return [lo, hi];
  }

  /** a − b computed in float64 and rounded once, for differences that are exact in a double (exp's reduction). */
  subExact(a: F4, b: F4, c: F4): F4 {
    // a − b·c with b·c exact in float64 and the difference exact too, so one rounding gives the fused result.
    const [aLo, aHi] = this.halves(a);
    const [bLo, bHi] = this.halves(b);
    const [cLo, cHi] = this.halves(c);
    for (const [x, y, z] of [[aLo, bLo, cLo], [aHi, bHi, cHi]] as const) {
      this.push(x);
      this.push(y);
      this.push(z);
      this.f.simd(SimdOp.F64x2Mul).simd(SimdOp.F64x2Sub).simd(SimdOp.F32x4DemoteF64x2Zero);
    }
    this.f.shuffle(JOIN_HALVES);
    return this.result();
  }

  // ---- comparisons and selection ----

  lt(a: F4, b: F4): M4 { return this.binary(SimdOp.F32x4Lt, a, b); }
  gt(a: F4, b: F4): M4 { return this.binary(SimdOp.F32x4Gt, a, b); }
  le(a: F4, b: F4): M4 { return this.binary(SimdOp.F32x4Le, a, b); }
  eq(a: F4, b: F4): M4 { return this.binary(SimdOp.F32x4Eq, a, b); }
  /** NaN lanes. */
  isNaN(a: F4): M4 { return this.binary(SimdOp.F32x4Ne, a, a); }
  or(a: M4, b: M4): M4 { return this.binary(SimdOp.V128Or, a, b); }
  and(a: M4, b: M4): M4 { return this.binary(SimdOp.V128And, a, b); }
  not(a: M4): M4 { return this.unary(SimdOp.V128Not, a); }

  /** m ? a : b, lane by lane. */
  select<T>(m: M4, a: Operand<T>, b: Operand<T>): Local<T> {
    this.push(a);
    this.push(b);
    this.push(m);
    this.f.simd(SimdOp.V128Bitselect);
    return this.result<T>();
  }

  // ---- bits and integers (SLEEF's vreinterpret, vcast, vrint) ----

  bits(a: F4): I4 { return a as unknown as I4; }
  float(a: I4): F4 { return a as unknown as F4; }
  iadd(a: I4, b: I4): I4 { return this.binary(SimdOp.I32x4Add, a, b); }
  isub(a: I4, b: I4): I4 { return this.binary(SimdOp.I32x4Sub, a, b); }
  iand(a: I4, b: I4): I4 { return this.binary(SimdOp.V128And, a, b); }
  ior(a: I4, b: I4): I4 { return this.binary(SimdOp.V128Or, a, b); }
  ixor(a: I4, b: I4): I4 { return this.binary(SimdOp.V128Xor, a, b); }
  ieq(a: I4, b: I4): M4 { return this.binary(SimdOp.I32x4Eq, a, b); }
  ilt(a: I4, b: I4): M4 { return this.binary(SimdOp.I32x4LtS, a, b); }

  private shift(op: SimdOp, a: I4, by: number): I4 {
    this.push(a);
    this.f.i32(by).simd(op);
    return this.result();
  }

  shl(a: I4, by: number): I4 { return this.shift(SimdOp.I32x4Shl, a, by); }
  /** Arithmetic shift right. */
  sar(a: I4, by: number): I4 { return this.shift(SimdOp.I32x4ShrS, a, by); }
  shr(a: I4, by: number): I4 { return this.shift(SimdOp.I32x4ShrU, a, by); }

  /** int32 → float32, rounded (vcvtdq2ps). */
  toFloat(a: I4): F4 { return this.unary(SimdOp.F32x4ConvertI32x4S, a); }

  /** vcvtps2dq: to int32 rounding half to even; out of range and NaN give INT_MIN, as x86 does (WebAssembly's own
   * conversion saturates instead). */
  cvtRound(a: F4): I4 {
    return this.toIntFixed(this.rint(a));
  }

  /** vcvttps2dq: to int32 toward zero; out of range and NaN give INT_MIN. */
  cvtTrunc(a: F4): I4 {
    return this.toIntFixed(a);
  }

  private toIntFixed(a: F4): I4 {
    const i = this.unary<"i32">(SimdOp.I32x4TruncSatF32x4S, a);
    const inRange = this.lt(this.abs(a), this.c(2 ** 31));
    return this.select(inRange, i, this.i(-2147483648));
  }

  /** x with the sign bit of y xored in (SLEEF's vmulsign). */
  mulsign(x: F4, y: F4): F4 {
    return this.float(this.ixor(this.bits(x), this.iand(this.bits(y), this.i(-2147483648))));
  }
}

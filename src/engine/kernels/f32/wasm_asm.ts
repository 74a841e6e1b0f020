/**
 * A thin assembler over matmul_wasm_emit's FunctionBody for the normalisation kernels: the scalar and SIMD opcodes
 * they use beyond the gemm's, by name, and the exact float32 fused multiply-add written out in instructions (f32x4
 * through f64x2, and scalar). Every f32/f32x4 arithmetic instruction rounds to float32 as the CPU's own does (no
 * flush to zero in WebAssembly), so ATen's float arithmetic carries over one instruction for one.
 */
import { FunctionBody, Op, SimdOp, ValType } from "../wasm_emit";

/** Core opcodes (one byte). */
export const C = {
  block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b, br: 0x0c, brIf: 0x0d, call: 0x10, select: 0x1b,
  i32Load: 0x28, f32Load: 0x2a, i32Store: 0x36, f32Store: 0x38,
  i32Eqz: 0x45, i32Eq: 0x46, i32Ne: 0x47, i32LtS: 0x48, i32GtS: 0x4a, i32LeS: 0x4c, i32GeS: 0x4e,
  f32Eq: 0x5b, f32Ne: 0x5c, f32Lt: 0x5d, f32Gt: 0x5e, f64Eq: 0x61, f64Ne: 0x62, f64Lt: 0x63, f64Gt: 0x64,
  i32Add: 0x6a, i32Sub: 0x6b, i32Mul: 0x6c, i32DivS: 0x6d, i32And: 0x71, i32Or: 0x72, i32Xor: 0x73, i32Shl: 0x74, i32ShrS: 0x75,
  f32Abs: 0x8b, f32Neg: 0x8c, f32Sqrt: 0x91, f32Add: 0x92, f32Sub: 0x93, f32Mul: 0x94, f32Div: 0x95,
  f64Abs: 0x99, f64Neg: 0x9a, f64Add: 0xa0, f64Sub: 0xa1, f64Mul: 0xa2,
  f32ConvertI32S: 0xb2, f32DemoteF64: 0xb6, f64PromoteF32: 0xbb,
} as const;

/** SIMD opcodes (after 0xfd). */
export const S = {
  load: 0x00, load32Splat: 0x09, store: 0x0b, shuffle: 0x0d, f32x4Splat: 0x13, f32x4ExtractLane: 0x1f,
  f64x2Eq: 0x47, f64x2Ne: 0x48, f64x2Lt: 0x49, f64x2Gt: 0x4a,
  not: 0x4d, and: 0x4e, andNot: 0x4f, or: 0x50, xor: 0x51, bitselect: 0x52, anyTrue: 0x53,
  f32x4DemoteF64x2Zero: 0x5e, f64x2PromoteLowF32x4: 0x5f,
  f32x4Add: 0xe4, f32x4Sub: 0xe5, f32x4Mul: 0xe6, f32x4Div: 0xe7,
  f64x2Abs: 0xec, f64x2Add: 0xf0, f64x2Sub: 0xf1, f64x2Mul: 0xf2,
  i64x2ShrS: 0xcc, i64x2Add: 0xce, i64x2Eq: 0xd6,
} as const;

export class Asm {
  constructor(readonly f: FunctionBody) {}

  /** Core opcodes, in order. */
  op(...codes: number[]): this {
    for (const c of codes) this.f.op(c as Op);
    return this;
  }

  /** SIMD opcodes, in order. */
  v(...codes: number[]): this {
    for (const c of codes) this.f.simd(c as SimdOp);
    return this;
  }

  get(...locals: number[]): this {
    for (const l of locals) this.f.get(l);
    return this;
  }

  set(local: number): this {
    this.f.set(local);
    return this;
  }

  tee(local: number): this {
    this.f.tee(local);
    return this;
  }

  i32(value: number): this {
    this.f.i32(value);
    return this;
  }

  f32(value: number): this {
    const bytes = new Uint8Array(new Float32Array([value]).buffer);
    this.f.code.push(0x43, ...bytes);
    return this;
  }

  f64(value: number): this {
    const bytes = new Uint8Array(new Float64Array([value]).buffer);
    this.f.code.push(0x44, ...bytes);
    return this;
  }

  /** A v128 of zero bits (+0 in every lane). */
  zero(): this {
    this.f.zeroVector();
    return this;
  }

  /** An f64x2 of `value` in both lanes. */
  splat64(value: number): this {
    this.f64(value);
    this.f.simd(SimdOp.F64x2Splat);
    return this;
  }

  /** f32.load / f32.store / i32.load / i32.store at the address on the stack plus `offset` bytes. */
  mem(code: number, offset = 0): this {
    this.f.memory(code as Op, offset, 2);
    return this;
  }

  /** v128.load / v128.store / v128.load32_splat at the address on the stack plus `offset` bytes (unaligned). */
  vmem(code: number, offset = 0): this {
    this.f.simdMemory(code as SimdOp, offset, code === S.load32Splat ? 2 : 0);
    return this;
  }

  /** i8x16.shuffle of the two vectors on the stack by 16 byte indices. */
  shuffle(bytes: readonly number[]): this {
    this.f.simd(S.shuffle as SimdOp);
    this.f.code.push(...bytes);
    return this;
  }

  lane(code: number, index: number): this {
    this.f.simd(code as SimdOp);
    this.f.code.push(index);
    return this;
  }

  open(kind: "block" | "loop" | "if"): this {
    this.f.open((kind === "block" ? Op.Block : kind === "loop" ? Op.Loop : Op.If) as Op.Block);
    return this;
  }

  else(): this {
    this.f.code.push(C.else);
    return this;
  }

  end(): this {
    this.f.end();
    return this;
  }

  br(depth: number): this {
    this.f.branch(Op.Br, depth);
    return this;
  }

  brIf(depth: number): this {
    this.f.branch(Op.BrIf, depth);
    return this;
  }

  call(index: number): this {
    this.f.code.push(C.call, index);
    return this;
  }

  local(type: "i32" | "f32" | "f64" | "v128"): number {
    return this.f.local(type === "i32" ? ValType.I32 : type === "f32" ? ValType.F32 : type === "f64" ? ValType.F64 : ValType.V128);
  }

  /** `for (i = from; i < to; i += step) body()`, i and `to` locals (i32); `from` pushed by the caller's `init`. */
  forRange(i: number, init: () => void, to: number, step: number, body: () => void): this {
    init();
    this.set(i);
    this.open("block").open("loop");
    this.get(i, to).op(C.i32GeS).brIf(1);
    body();
    this.get(i).i32(step).op(C.i32Add).set(i).br(0);
    this.end().end();
    return this;
  }
}

/** Locals a SIMD exact fma needs (declare once per function, reuse). */
export interface FmaScratch {
  /** Constants, set where fmaScratch declares the locals: the i64x2 (1, 1); the low 29 bits of a double's mantissa
   * and the top one of them; the f64x2s 2^-126 (the least normal float) and +∞. */
  one: number;
  low29: number;
  mid29: number;
  tiny: number;
  inf: number;
  a: number;
  b: number;
  c: number;
  p: number;
  s: number;
  r: number;
  other: number;
  mid: number;
  lo: number;
  hi: number;
}

export function fmaScratch(asm: Asm): FmaScratch {
  const i64x2 = (value: number) => {
    const local = asm.local("v128");
    const lane = [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff, 0, 0, 0, 0];
    asm.f.simd(SimdOp.V128Const);
    asm.f.code.push(...lane, ...lane);
    asm.set(local);
    return local;
  };
  const f64x2 = (value: number) => {
    const local = asm.local("v128");
    asm.splat64(value).set(local);
    return local;
  };
  const [one, low29, mid29, tiny, inf] = [i64x2(1), i64x2(0x1fffffff), i64x2(0x10000000), f64x2(2 ** -126), f64x2(Infinity)];
  return { one, low29, mid29, tiny, inf, a: asm.local("v128"), b: asm.local("v128"), c: asm.local("v128"), p: asm.local("v128"), s: asm.local("v128"), r: asm.local("v128"), other: asm.local("v128"), mid: asm.local("v128"), lo: asm.local("v128"), hi: asm.local("v128") };
}

/** Lanes 2 and 3 of an f32x4 moved to lanes 0 and 1 (for promote_low). */
const HIGH_TO_LOW = [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];
/** Lanes 0, 1 of the first vector and 0, 1 of the second. */
const JOIN_LOWS = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];

/**
 * One half (two lanes) of an exact float fma: the f32x4 vectors in locals x, y, z, their lanes 0-1 (or 2-3 when
 * `high`) widened to f64x2; leaves in `out` an f64x2 whose rounding to float is the result. p = x·y is exact in
 * double and s = p + z rounds once, so float(s) is exact unless s is a float midpoint (its 29 bits below float
 * precision are 1000…0) that is not the exact sum: only where some lane may be one (or lies outside the normal float
 * range, where that bit test does not apply) does the careful path run, settling it by the sum's error (TwoSum).
 */
function fmaHalf(asm: Asm, t: FmaScratch, x: number, y: number, z: number, high: boolean, out: number): void {
  widenTo(asm, x, high);
  widenTo(asm, y, high);
  asm.v(S.f64x2Mul).set(t.p);
  widenTo(asm, z, high);
  asm.set(t.c);
  asm.get(t.p, t.c).v(S.f64x2Add).tee(t.s).set(out);
  asm.get(t.s, t.low29).v(S.and).get(t.mid29).v(S.i64x2Eq);
  asm.get(t.s).v(S.f64x2Abs).get(t.tiny).v(S.f64x2Lt, S.or, S.anyTrue).open("if");
  {
    asm.get(t.s).v(S.f32x4DemoteF64x2Zero, S.f64x2PromoteLowF32x4).set(t.r);
    // other = 2s − r: the float on the other side when s is halfway between floats.
    asm.get(t.s, t.s).v(S.f64x2Add).get(t.r).v(S.f64x2Sub).set(t.other);
    asm.get(t.other).v(S.f32x4DemoteF64x2Zero, S.f64x2PromoteLowF32x4).get(t.other).v(S.f64x2Eq);
    asm.get(t.r, t.s).v(S.f64x2Ne, S.and).set(t.mid);
    // e = (p − (s − bb)) + (z − bb), bb = s − p: the exact sum is s + e. Take `other` where s is a midpoint, r finite,
    // e ≠ 0 and e points from r towards other; else r.
    const bb = t.a;
    const e = t.b;
    asm.get(t.s, t.p).v(S.f64x2Sub).set(bb);
    asm.get(t.p, t.s, bb).v(S.f64x2Sub, S.f64x2Sub).get(t.c, bb).v(S.f64x2Sub, S.f64x2Add).set(e);
    asm.get(t.mid);
    asm.get(e).zero().v(S.f64x2Ne, S.and);
    asm.get(t.r).v(S.f64x2Abs).get(t.inf).v(S.f64x2Lt, S.and);
    asm.get(e).zero().v(S.f64x2Gt).get(t.other, t.r).v(S.f64x2Gt, S.xor, S.not, S.and).set(t.mid);
    asm.get(t.other, t.r, t.mid).v(S.bitselect).set(out);
  }
  asm.end();
}

/** Pushes lanes 0-1 (or 2-3) of the f32x4 in `local` widened to f64x2. */
function widenTo(asm: Asm, local: number, high: boolean): void {
  asm.get(local);
  if (high) asm.get(local).shuffle(HIGH_TO_LOW);
  asm.v(S.f64x2PromoteLowF32x4);
}

/**
 * out = fma(x, y, z) for the f32x4 values in locals x, y, z, each lane rounded once to float32, fastest on arbitrary
 * data: a branch skips the midpoint work, which such data almost never needs. For accumulations whose sums are often
 * exact in double (a factor of 1), where that branch would be mispredicted, fma4Odd.
 */
export function fma4(asm: Asm, t: FmaScratch, x: number, y: number, z: number, out: number): void {
  fmaHalf(asm, t, x, y, z, false, t.lo);
  fmaHalf(asm, t, x, y, z, true, t.hi);
  asm.get(t.lo).v(S.f32x4DemoteF64x2Zero).get(t.hi).v(S.f32x4DemoteF64x2Zero).shuffle(JOIN_LOWS).set(out);
}

/** Locals a scalar exact fma needs. */
export interface FmaScalarScratch {
  p: number;
  s: number;
  c: number;
  r: number;
  other: number;
  bb: number;
  e: number;
}

export function fmaScalarScratch(asm: Asm): FmaScalarScratch {
  return { p: asm.local("f64"), s: asm.local("f64"), c: asm.local("f64"), r: asm.local("f64"), other: asm.local("f64"), bb: asm.local("f64"), e: asm.local("f64") };
}

/** Pushes fma(x, y, z) (f32) for x, y, z pushed by the callbacks (each an f32), rounded once. */
export function fma1(asm: Asm, t: FmaScalarScratch, x: () => void, y: () => void, z: () => void): void {
  x();
  asm.op(C.f64PromoteF32);
  y();
  asm.op(C.f64PromoteF32, C.f64Mul).set(t.p);
  z();
  asm.op(C.f64PromoteF32).set(t.c);
  asm.get(t.p, t.c).op(C.f64Add).set(t.s);
  asm.get(t.s).op(C.f32DemoteF64, C.f64PromoteF32).set(t.r);
  asm.get(t.s, t.s).op(C.f64Add).get(t.r).op(C.f64Sub).set(t.other);
  // A midpoint (and not the float itself)?
  asm.get(t.other).op(C.f32DemoteF64, C.f64PromoteF32).get(t.other).op(C.f64Eq).get(t.r, t.s).op(C.f64Ne, C.i32And);
  asm.get(t.r).op(C.f64Abs).f64(Infinity).op(C.f64Lt, C.i32And);
  asm.open("if");
  asm.get(t.s, t.p).op(C.f64Sub).set(t.bb);
  asm.get(t.p, t.s, t.bb).op(C.f64Sub, C.f64Sub).get(t.c, t.bb).op(C.f64Sub, C.f64Add).set(t.e);
  asm.get(t.e).f64(0).op(C.f64Ne);
  asm.get(t.e).f64(0).op(C.f64Gt).get(t.other, t.r).op(C.f64Gt, C.i32Eq, C.i32And);
  asm.open("if").get(t.other).set(t.r).end();
  asm.end();
  asm.get(t.r).op(C.f32DemoteF64);
}

/**
 * The same fma half without a branch, by rounding to odd: s = x·y + z rounds once in double, with error e (TwoSum);
 * where e ≠ 0 and s's last bit is even, s moves one ulp towards the exact value (its bit pattern ±1), which leaves
 * an odd last bit; rounding that to float is then the rounding of the exact value (53 ≥ 24 + 2 bits). Infinite or NaN
 * s stays as it is.
 */
function fmaHalfOdd(asm: Asm, t: FmaScratch, x: number, y: number, z: number, high: boolean, out: number): void {
  widenTo(asm, x, high);
  widenTo(asm, y, high);
  asm.v(S.f64x2Mul).set(t.p);
  widenTo(asm, z, high);
  asm.set(t.c);
  asm.get(t.p, t.c).v(S.f64x2Add).set(t.s);
  const bb = t.a;
  const e = t.b;
  asm.get(t.s, t.p).v(S.f64x2Sub).set(bb);
  asm.get(t.p, t.s, bb).v(S.f64x2Sub, S.f64x2Sub).get(t.c, bb).v(S.f64x2Sub, S.f64x2Add).set(e);
  // adjust = (e ≠ 0 and s finite and s even) ? (sign(e) = sign(s) ? +1 : −1) : 0, on the bit pattern.
  asm.get(e).zero().v(S.f64x2Ne);
  asm.get(t.s).v(S.f64x2Abs).get(t.inf).v(S.f64x2Lt, S.and);
  asm.get(t.s, t.one).v(S.and).zero().v(S.i64x2Eq, S.and);
  asm.get(t.s, e).v(S.xor).i32(63).v(S.i64x2ShrS).get(t.one).v(S.or, S.and);
  asm.get(t.s).v(S.i64x2Add).set(out);
}

/** fma4 by rounding to odd: no branch, the same instructions whatever the data (for accumulations, see fma4). */
export function fma4Odd(asm: Asm, t: FmaScratch, x: number, y: number, z: number, out: number): void {
  fmaHalfOdd(asm, t, x, y, z, false, t.lo);
  fmaHalfOdd(asm, t, x, y, z, true, t.hi);
  asm.get(t.lo).v(S.f32x4DemoteF64x2Zero).get(t.hi).v(S.f32x4DemoteF64x2Zero).shuffle(JOIN_LOWS).set(out);
}

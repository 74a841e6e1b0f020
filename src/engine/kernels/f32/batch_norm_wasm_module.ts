/**
 * The WebAssembly SIMD side of float32 batch norm over [N, C, S] planes (S > 1): the arithmetic of
 * batch_norm_forward.ts and batch_norm_backward.ts, instruction for instruction (f32x4 arithmetic rounds as AVX2's
 * does; the fused multiply-adds through wasm_asm's exact fma), four lanes at a time. Addresses are byte offsets into
 * the module's memory, laid out by batch_norm_wasm.ts; every data region has room after it for a vector that runs
 * past the end. The planes of `n` samples × `c` channels are visited in memory order, so a plane's last vector may
 * write into the next plane, which is written afterwards.
 *
 * - `apply(x, n, c, s, alpha, beta, y)`: y = fma(x, alpha, beta) per channel.
 * - `reduce(x, dy, n, c, s, mean, sums, dots)`: per plane vec::reduce_all(+) of dy and vec::map2_reduce_all of
 *   (x − mean)·dy as the contiguous kernel folds them (8 lanes as two f32x4, further products fused, a partial last
 *   vector into its first lanes, AVX2's shuffle tree; planes shorter than 8 lane by lane), each added to the
 *   channel's double in `sums` and `dots`.
 * - `dots(x, dy, n, c, s, mean, dots)`: the TensorIterator loop's dot product, (x − mean)·dy in float added to the
 *   channel's double element by element.
 * - `gradInput(x, dy, n, c, s, mean, k, gradMean, invstd, w, dx, mode)`: dX per element; mode 0: the kernel's
 *   ((dy − grad_mean) − (x − mean)·k fused)·invstd·w, 1: evaluation's dy·invstd·w, 2: the TensorIterator loops'
 *   (((dy − grad_mean) − (x − mean)·k)·invstd)·w with nothing fused.
 */
import { FunctionBody, SimdOp, ValType, encodeModule, type ExportedFunction } from "../wasm_emit";
import { Asm, C, S, fma4, fmaScratch } from "./wasm_asm";

/** Opcodes beyond wasm_asm's. */
const F64_LOAD = 0x2b;
const F64_STORE = 0x39;
const F64_ADD = 0xa0;
const F32X4_NEG = 0xe1;
const I32X4_SPLAT = 0x11;
const I32X4_LT_S = 0x39;

export function buildBatchNormModule(pages: number): Uint8Array<ArrayBuffer> {
  return encodeModule([applyFunction(), reduceFunction(), dotsFunction(), gradInputFunction()], pages);
}

/** Locals every plane loop has: the sample, the channel and the plane's byte offset. */
interface Planes {
  b: number;
  f: number;
  at: number;
}

/** for each sample b, each channel f: at = ((b·c + f)·s)·4, then body(). */
function forPlanes(asm: Asm, n: number, c: number, s: number, body: (p: Planes) => void): void {
  const p = { b: asm.local("i32"), f: asm.local("i32"), at: asm.local("i32") };
  asm.forRange(p.b, () => asm.i32(0), n, 1, () => {
    asm.forRange(p.f, () => asm.i32(0), c, 1, () => {
      asm.get(p.b, c).op(C.i32Mul).get(p.f).op(C.i32Add).get(s).op(C.i32Mul).i32(2).op(C.i32Shl).set(p.at);
      body(p);
    });
  });
}

/** Pushes the f32 at `base` + 4·`index` (both locals). */
function loadAt(asm: Asm, base: number, index: number): Asm {
  return asm.get(base, index).i32(2).op(C.i32Shl, C.i32Add).mem(C.f32Load);
}

/** Pushes base + at + k (locals): a byte address inside a plane. */
function addr(asm: Asm, base: number, at: number, k: number): Asm {
  return asm.get(base, at).op(C.i32Add).get(k).op(C.i32Add);
}

function i32x4(asm: Asm, lanes: readonly number[]): Asm {
  asm.f.simd(SimdOp.V128Const);
  for (const v of lanes) asm.f.code.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  return asm;
}

function applyFunction(): ExportedFunction {
  const params = Array.from({ length: 7 }, () => ValType.I32);
  const [x, n, c, s, alpha, beta, y] = params.map((_, i) => i);
  const asm = new Asm(new FunctionBody(params.length));
  const [k, bytes] = [asm.local("i32"), asm.local("i32")];
  const [av, bv, xv, out] = Array.from({ length: 4 }, () => asm.local("v128"));
  const scratch = fmaScratch(asm);
  asm.get(s).i32(2).op(C.i32Shl).set(bytes);
  forPlanes(asm, n, c, s, ({ f, at }) => {
    loadAt(asm, alpha, f).v(S.f32x4Splat).set(av);
    loadAt(asm, beta, f).v(S.f32x4Splat).set(bv);
    asm.forRange(k, () => asm.i32(0), bytes, 16, () => {
      addr(asm, x, at, k).vmem(S.load).set(xv);
      fma4(asm, scratch, xv, av, bv, out);
      addr(asm, y, at, k).get(out).vmem(S.store);
    });
  });
  return { name: "apply", params, body: asm.f };
}

function reduceFunction(): ExportedFunction {
  const params = Array.from({ length: 8 }, () => ValType.I32);
  const [x, dy, n, c, s, mean, sums, dots] = params.map((_, i) => i);
  const asm = new Asm(new FunctionBody(params.length));
  const [k, whole, bytes, rem] = Array.from({ length: 4 }, () => asm.local("i32"));
  const [m, ps, pd] = [asm.local("f32"), asm.local("f32"), asm.local("f32")];
  const [mv, lo, hi, dlo, dhi, dyv, t, fused, laneLo, laneHi] = Array.from({ length: 10 }, () => asm.local("v128"));
  const scratch = fmaScratch(asm);
  i32x4(asm, [0, 1, 2, 3]).set(laneLo);
  i32x4(asm, [4, 5, 6, 7]).set(laneHi);
  asm.get(s).i32(2).op(C.i32Shl).set(bytes);
  asm.get(s).i32(-8).op(C.i32And).i32(2).op(C.i32Shl).set(whole);
  asm.get(s).i32(7).op(C.i32And).set(rem);
  /** The half vector at byte k + off of the plane: dy into dyv, x − mean into t. */
  const halfAt = (at: number, off: number) => {
    addr(asm, dy, at, k).vmem(S.load, off).set(dyv);
    addr(asm, x, at, k).vmem(S.load, off).get(mv).v(S.f32x4Sub).set(t);
  };
  forPlanes(asm, n, c, s, ({ f, at }) => {
    loadAt(asm, mean, f).set(m);
    asm.get(s).i32(8).op(C.i32LtS).open("if");
    {
      // Shorter than a vector: lane by lane in order.
      asm.i32(0).set(k);
      addr(asm, dy, at, k).mem(C.f32Load).set(ps);
      addr(asm, x, at, k).mem(C.f32Load).get(m).op(C.f32Sub).get(ps).op(C.f32Mul).set(pd);
      asm.forRange(k, () => asm.i32(4), bytes, 4, () => {
        asm.get(ps);
        addr(asm, dy, at, k).mem(C.f32Load).op(C.f32Add).set(ps);
        asm.get(pd);
        addr(asm, x, at, k).mem(C.f32Load).get(m).op(C.f32Sub);
        addr(asm, dy, at, k).mem(C.f32Load).op(C.f32Mul, C.f32Add).set(pd);
      });
    }
    asm.else();
    {
      asm.get(m).v(S.f32x4Splat).set(mv);
      asm.i32(0).set(k);
      for (const [sum, dot, off] of [[lo, dlo, 0], [hi, dhi, 16]] as const) {
        halfAt(at, off);
        asm.get(dyv).set(sum).get(t, dyv).v(S.f32x4Mul).set(dot);
      }
      asm.forRange(k, () => asm.i32(32), whole, 32, () => {
        for (const [sum, dot, off] of [[lo, dlo, 0], [hi, dhi, 16]] as const) {
          halfAt(at, off);
          asm.get(sum, dyv).v(S.f32x4Add).set(sum);
          fma4(asm, scratch, t, dyv, dot, dot);
        }
      });
      // A partial last vector: its first `rem` lanes only.
      asm.get(rem).open("if");
      asm.get(whole).set(k);
      for (const [sum, dot, off, lanes] of [[lo, dlo, 0, laneLo], [hi, dhi, 16, laneHi]] as const) {
        halfAt(at, off);
        asm.get(sum, dyv).v(S.f32x4Add).get(sum);
        asm.get(lanes).get(rem).v(I32X4_SPLAT, I32X4_LT_S);
        asm.v(S.bitselect).set(sum);
        fma4(asm, scratch, t, dyv, dot, fused);
        asm.get(fused, dot).get(lanes).get(rem).v(I32X4_SPLAT, I32X4_LT_S).v(S.bitselect).set(dot);
      }
      asm.end();
      // AVX2's vec_reduce_all: lane i with i + 4, then (0 + 2) + (1 + 3).
      for (const [a, b, out] of [[lo, hi, ps], [dlo, dhi, pd]] as const) {
        asm.get(a, b).v(S.f32x4Add).set(t);
        asm.get(t).lane(S.f32x4ExtractLane, 0).get(t).lane(S.f32x4ExtractLane, 2).op(C.f32Add);
        asm.get(t).lane(S.f32x4ExtractLane, 1).get(t).lane(S.f32x4ExtractLane, 3).op(C.f32Add, C.f32Add).set(out);
      }
    }
    asm.end();
    for (const [base, v] of [[sums, ps], [dots, pd]] as const) {
      asm.get(base, f).i32(3).op(C.i32Shl, C.i32Add);
      asm.get(base, f).i32(3).op(C.i32Shl, C.i32Add).mem(F64_LOAD);
      asm.get(v).op(C.f64PromoteF32, F64_ADD).mem(F64_STORE);
    }
  });
  return { name: "reduce", params, body: asm.f };
}

function dotsFunction(): ExportedFunction {
  const params = Array.from({ length: 7 }, () => ValType.I32);
  const [x, dy, n, c, s, mean, dots] = params.map((_, i) => i);
  const asm = new Asm(new FunctionBody(params.length));
  const [k, bytes] = [asm.local("i32"), asm.local("i32")];
  const m = asm.local("f32");
  const acc = asm.local("f64");
  asm.get(s).i32(2).op(C.i32Shl).set(bytes);
  forPlanes(asm, n, c, s, ({ f, at }) => {
    loadAt(asm, mean, f).set(m);
    asm.get(dots, f).i32(3).op(C.i32Shl, C.i32Add).mem(F64_LOAD).set(acc);
    asm.forRange(k, () => asm.i32(0), bytes, 4, () => {
      asm.get(acc);
      addr(asm, x, at, k).mem(C.f32Load).get(m).op(C.f32Sub);
      addr(asm, dy, at, k).mem(C.f32Load).op(C.f32Mul, C.f64PromoteF32, F64_ADD).set(acc);
    });
    asm.get(dots, f).i32(3).op(C.i32Shl, C.i32Add).get(acc).mem(F64_STORE);
  });
  return { name: "dots", params, body: asm.f };
}

function gradInputFunction(): ExportedFunction {
  const params = Array.from({ length: 12 }, () => ValType.I32);
  const [x, dy, n, c, s, mean, kk, gradMean, invstd, w, dx, mode] = params.map((_, i) => i);
  const asm = new Asm(new FunctionBody(params.length));
  const [k, bytes] = [asm.local("i32"), asm.local("i32")];
  const [mv, kv, gv, iv, wv, t, diff, out] = Array.from({ length: 8 }, () => asm.local("v128"));
  const scratch = fmaScratch(asm);
  asm.get(s).i32(2).op(C.i32Shl).set(bytes);
  forPlanes(asm, n, c, s, ({ f, at }) => {
    for (const [base, v] of [[mean, mv], [kk, kv], [gradMean, gv], [invstd, iv], [w, wv]] as const) loadAt(asm, base, f).v(S.f32x4Splat).set(v);
    const loop = (body: () => void) =>
      asm.forRange(k, () => asm.i32(0), bytes, 16, () => {
        body();
        addr(asm, dx, at, k).get(out).get(iv).v(S.f32x4Mul).get(wv).v(S.f32x4Mul).vmem(S.store);
      });
    asm.get(mode).open("if");
    {
      asm.get(mode).i32(1).op(C.i32Eq).open("if");
      loop(() => addr(asm, dy, at, k).vmem(S.load).set(out));
      asm.else();
      loop(() => {
        addr(asm, dy, at, k).vmem(S.load).get(gv).v(S.f32x4Sub);
        addr(asm, x, at, k).vmem(S.load).get(mv).v(S.f32x4Sub).get(kv).v(S.f32x4Mul, S.f32x4Sub).set(out);
      });
      asm.end();
    }
    asm.else();
    loop(() => {
      addr(asm, dy, at, k).vmem(S.load).get(gv).v(S.f32x4Sub).set(diff);
      addr(asm, x, at, k).vmem(S.load).get(mv).v(S.f32x4Sub, F32X4_NEG).set(t);
      fma4(asm, scratch, t, kv, diff, out);
    });
    asm.end();
  });
  return { name: "gradInput", params, body: asm.f };
}

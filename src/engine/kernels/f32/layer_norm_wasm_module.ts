/**
 * The WebAssembly SIMD side of float32 layer norm: the same arithmetic as moments.ts and layer_norm.ts, instruction for
 * instruction (f32x4 arithmetic rounds as AVX2's does; the fused multiply-adds through wasm_asm's exact fma), four
 * lanes at a time. Addresses are byte offsets into the module's memory; layer_norm_wasm.ts lays it out.
 *
 * - `stats(x, rows, size, mean, rstd, eps)`: RowwiseMoments per row (8 lanes as two f32x4, chunks of 16 vectors, the
 *   cascade of levels at LEVELS, the leftover elements, the lanes merged one by one), rstd = 1/√(var + eps).
 * - `apply(x, gamma, beta, rows, size, mean, rstd, y)`: y = fma(fma(x, rstd, −rstd·mean), γ, β).
 * - `backward(dy, x, mean, rstd, gamma, rows, size, dx, dgamma, dbeta, flags)`: dγ and dβ accumulated into what
 *   dgamma/dbeta hold; dx from the lane sums of map_reduce_all. flags: 1 dx, 2 dγ, 4 dβ, 8 γ given.
 * - `merge(level, count, source)`: AddMomentsVec of the 8-lane moments at `source` into `level` (internal).
 */
import { FunctionBody, ValType, encodeModule, type ExportedFunction } from "../wasm_emit";
import { Asm, C, S, fma1, fma4, fma4Odd, fmaScalarScratch, fmaScratch } from "./wasm_asm";

/** Fixed regions (bytes): Welford's weights 1/(j+1), the chunk being merged, the cascade's levels. */
export const WEIGHTS = 0;
const SLOT = 64;
export const LEVELS = 128;
const LEVEL_BYTES = 80; // mean (8 floats), m2 (8 floats), count (i32), padding
const MAX_LEVELS = 64;
/** Lane scratch for the backward's partial vectors. */
const LANES = LEVELS + MAX_LEVELS * LEVEL_BYTES;
/** Where the data regions may begin. */
export const FIXED_END = LANES + 64;

const FN_MERGE = 0;

export function buildLayerNormModule(pages: number): Uint8Array<ArrayBuffer> {
  return encodeModule([mergeFunction(), statsFunction(), applyFunction(), backwardFunction()], pages);
}

/** Loads the f32 at address `addr` + 4·`index` (both locals). */
function loadAt(asm: Asm, addr: number, index: number): Asm {
  return asm.get(addr, index).i32(2).op(C.i32Shl, C.i32Add).mem(C.f32Load);
}

function mergeFunction(): ExportedFunction {
  const params = [ValType.I32, ValType.I32, ValType.I32];
  const [level, count, source] = [0, 1, 2];
  const asm = new Asm(new FunctionBody(params.length));
  const before = asm.local("i32");
  const total = asm.local("i32");
  const c = asm.local("v128");
  const n = asm.local("v128");
  const delta = asm.local("v128");
  asm.get(level).mem(C.i32Load, 64).set(before);
  asm.get(before, count).op(C.i32Add).set(total);
  // c = count / total (0 for an empty merge), n = the count before.
  asm.get(count).op(C.f32ConvertI32S).get(total).op(C.f32ConvertI32S, C.f32Div).f32(0).get(total).op(C.select).v(S.f32x4Splat).set(c);
  asm.get(before).op(C.f32ConvertI32S).v(S.f32x4Splat).set(n);
  for (const half of [0, 16]) {
    asm.get(source).vmem(S.load, half).get(level).vmem(S.load, half).v(S.f32x4Sub).set(delta);
    asm.get(level).get(level).vmem(S.load, half).get(c, delta).v(S.f32x4Mul, S.f32x4Add).vmem(S.store, half);
    asm.get(level).get(level).vmem(S.load, 32 + half);
    asm.get(source).vmem(S.load, 32 + half).get(delta, delta).v(S.f32x4Mul).get(c).v(S.f32x4Mul).get(n).v(S.f32x4Mul, S.f32x4Add);
    asm.v(S.f32x4Add).vmem(S.store, 32 + half);
  }
  asm.get(level, total).mem(C.i32Store, 64);
  return { name: "merge", params, body: asm.f };
}

function statsFunction(): ExportedFunction {
  const params = [ValType.I32, ValType.I32, ValType.I32, ValType.I32, ValType.I32, ValType.F32];
  const [x, rows, size, mean, rstd, eps] = [0, 1, 2, 3, 4, 5];
  const asm = new Asm(new FunctionBody(params.length));
  const [row, at, vectors, chunks, depth, i, steps, j, ptr, mask, count, total, level] = Array.from({ length: 13 }, () => asm.local("i32"));
  const [m, m2, v, delta, c] = Array.from({ length: 5 }, () => asm.local("f32"));
  const [mlo, mhi, slo, shi, xv, d, w] = Array.from({ length: 7 }, () => asm.local("v128"));
  const levelAddr = (index: () => void) => {
    index();
    asm.i32(LEVEL_BYTES).op(C.i32Mul).i32(LEVELS).op(C.i32Add);
  };

  asm.forRange(row, () => asm.i32(0), rows, 1, () => {
    asm.get(x, row, size).op(C.i32Mul).i32(2).op(C.i32Shl, C.i32Add).set(at);
    asm.get(size).i32(3).op(C.i32ShrS).set(vectors);
    asm.get(vectors).i32(15).op(C.i32Add).i32(4).op(C.i32ShrS).set(chunks);
    // depth = CeilLog2(chunks), at least 1.
    asm.i32(1).set(depth).i32(2).set(j);
    asm.open("block").open("loop").get(j, chunks).op(C.i32GeS).brIf(1);
    asm.get(depth).i32(1).op(C.i32Add).set(depth).get(j).i32(1).op(C.i32Shl).set(j).br(0).end().end();
    asm.forRange(level, () => asm.i32(0), depth, 1, () => {
      levelAddr(() => asm.get(level));
      asm.set(ptr);
      for (const off of [0, 16, 32, 48]) asm.get(ptr).zero().vmem(S.store, off);
      asm.get(ptr).i32(0).mem(C.i32Store, 64);
    });
    asm.forRange(i, () => asm.i32(0), chunks, 1, () => {
      asm.get(vectors, i).i32(4).op(C.i32Shl, C.i32Sub).set(steps);
      asm.i32(16).get(steps).get(steps).i32(16).op(C.i32GtS, C.select).set(steps);
      for (const l of [mlo, mhi, slo, shi]) asm.zero().set(l);
      asm.get(at, i).i32(9).op(C.i32Shl, C.i32Add).set(ptr);
      asm.forRange(j, () => asm.i32(0), steps, 1, () => {
        asm.get(j).i32(2).op(C.i32Shl).vmem(S.load32Splat, WEIGHTS).set(w);
        for (const [mv, sv, off] of [[mlo, slo, 0], [mhi, shi, 16]] as const) {
          asm.get(ptr).vmem(S.load, off).set(xv);
          asm.get(xv, mv).v(S.f32x4Sub).set(d);
          asm.get(mv, d, w).v(S.f32x4Mul, S.f32x4Add).set(mv);
          asm.get(sv, d, xv, mv).v(S.f32x4Sub, S.f32x4Mul, S.f32x4Add).set(sv);
        }
        asm.get(ptr).i32(32).op(C.i32Add).set(ptr);
      });
      asm.i32(SLOT).get(mlo).vmem(S.store, 0).i32(SLOT).get(mhi).vmem(S.store, 16);
      asm.i32(SLOT).get(slo).vmem(S.store, 32).i32(SLOT).get(shi).vmem(S.store, 48);
      asm.i32(LEVELS).get(steps).i32(SLOT).call(FN_MERGE);
      // Each level whose merges complete a pair goes into the next.
      asm.get(i).i32(1).op(C.i32Add).set(mask).i32(1).set(j);
      asm.open("block").open("loop");
      asm.get(j, depth).op(C.i32GeS).get(mask).i32(1).op(C.i32And).op(C.i32Or).brIf(1);
      levelAddr(() => asm.get(j));
      levelAddr(() => asm.get(j).i32(1).op(C.i32Sub));
      asm.tee(ptr).mem(C.i32Load, 64).get(ptr).call(FN_MERGE);
      for (const off of [0, 16, 32, 48]) asm.get(ptr).zero().vmem(S.store, off);
      asm.get(ptr).i32(0).mem(C.i32Store, 64);
      asm.get(mask).i32(1).op(C.i32ShrS).set(mask).get(j).i32(1).op(C.i32Add).set(j).br(0);
      asm.end().end();
    });
    asm.forRange(level, () => asm.i32(1), depth, 1, () => {
      asm.i32(LEVELS);
      levelAddr(() => asm.get(level));
      asm.tee(ptr).mem(C.i32Load, 64).get(ptr).call(FN_MERGE);
    });
    // The leftover elements by plain Welford, then each lane merged into them.
    asm.f32(0).set(m).f32(0).set(m2).i32(0).set(count);
    asm.forRange(j, () => asm.get(vectors).i32(3).op(C.i32Shl), size, 1, () => {
      loadAt(asm, at, j).set(v);
      asm.get(v, m).op(C.f32Sub).set(delta);
      asm.get(count).i32(1).op(C.i32Add).set(count);
      asm.get(m, delta, count).op(C.f32ConvertI32S, C.f32Div, C.f32Add).set(m);
      asm.get(m2, delta, v, m).op(C.f32Sub, C.f32Mul, C.f32Add).set(m2);
    });
    for (let l = 0; l < 8; l++) {
      asm.get(count, vectors).op(C.i32Add).set(total);
      asm.get(vectors).op(C.f32ConvertI32S).get(total).op(C.f32ConvertI32S, C.f32Div).f32(0).get(total).op(C.select).set(c);
      asm.i32(LEVELS).mem(C.f32Load, 4 * l).get(m).op(C.f32Sub).set(delta);
      asm.get(m, c, delta).op(C.f32Mul, C.f32Add).set(m);
      asm.get(m2).i32(LEVELS).mem(C.f32Load, 32 + 4 * l).get(delta, delta).op(C.f32Mul).get(c).op(C.f32Mul).get(count).op(C.f32ConvertI32S, C.f32Mul, C.f32Add, C.f32Add).set(m2);
      asm.get(total).set(count);
    }
    asm.get(mean, row).i32(2).op(C.i32Shl, C.i32Add).get(m).mem(C.f32Store);
    asm.get(rstd, row).i32(2).op(C.i32Shl, C.i32Add).f32(1).get(m2, size).op(C.f32ConvertI32S, C.f32Div).get(eps).op(C.f32Add, C.f32Sqrt, C.f32Div).mem(C.f32Store);
  });
  return { name: "stats", params, body: asm.f };
}

function applyFunction(): ExportedFunction {
  const params = Array.from({ length: 8 }, () => ValType.I32);
  const [x, gamma, beta, rows, size, mean, rstd, y] = params.map((_, k) => k);
  const asm = new Asm(new FunctionBody(params.length));
  const [row, at, k, whole] = Array.from({ length: 4 }, () => asm.local("i32"));
  const [s, bias] = [asm.local("f32"), asm.local("f32")];
  const [sv, biasv, xv, t, gv, bv, out] = Array.from({ length: 7 }, () => asm.local("v128"));
  const scratch = fmaScratch(asm);
  const scalar = fmaScalarScratch(asm);
  asm.get(size).i32(-4).op(C.i32And).set(whole);
  asm.forRange(row, () => asm.i32(0), rows, 1, () => {
    asm.get(row, size).op(C.i32Mul).i32(2).op(C.i32Shl).set(at);
    loadAt(asm, rstd, row).set(s);
    asm.get(s).op(C.f32Neg);
    loadAt(asm, mean, row).op(C.f32Mul).set(bias);
    asm.get(s).v(S.f32x4Splat).set(sv).get(bias).v(S.f32x4Splat).set(biasv);
    asm.forRange(k, () => asm.i32(0), whole, 4, () => {
      asm.get(x, at).op(C.i32Add).get(k).i32(2).op(C.i32Shl, C.i32Add).vmem(S.load).set(xv);
      asm.get(gamma, k).i32(2).op(C.i32Shl, C.i32Add).vmem(S.load).set(gv);
      asm.get(beta, k).i32(2).op(C.i32Shl, C.i32Add).vmem(S.load).set(bv);
      fma4(asm, scratch, xv, sv, biasv, t);
      fma4(asm, scratch, t, gv, bv, out);
      asm.get(y, at).op(C.i32Add).get(k).i32(2).op(C.i32Shl, C.i32Add).get(out).vmem(S.store);
    });
    asm.forRange(k, () => asm.get(whole), size, 1, () => {
      asm.get(y, at).op(C.i32Add).get(k).i32(2).op(C.i32Shl, C.i32Add);
      fma1(asm, scalar, () => fma1(asm, scalar, () => asm.get(x, at).op(C.i32Add).get(k).i32(2).op(C.i32Shl, C.i32Add).mem(C.f32Load), () => asm.get(s), () => asm.get(bias)),
        () => loadAt(asm, gamma, k), () => loadAt(asm, beta, k));
      asm.mem(C.f32Store);
    });
  });
  return { name: "apply", params, body: asm.f };
}

function backwardFunction(): ExportedFunction {
  const params = Array.from({ length: 11 }, () => ValType.I32);
  const [dy, x, mean, rstd, gamma, rows, size, dx, dgamma, dbeta, flags] = params.map((_, k) => k);
  const asm = new Asm(new FunctionBody(params.length));
  const [row, at, k, whole, l] = Array.from({ length: 5 }, () => asm.local("i32"));
  const [a, m, b, coefB, coefC, ds, db, inv, u] = Array.from({ length: 9 }, () => asm.local("f32"));
  const [av, bv, dyv, xv, gv, t, acc, slo, shi, blo, bhi, cv] = Array.from({ length: 12 }, () => asm.local("v128"));
  const scratch = fmaScratch(asm);
  const scalar = fmaScalarScratch(asm);
  const hasGamma = () => asm.get(flags).i32(8).op(C.i32And);
  /** Pushes the byte address of element k (a local) of the row of `base` (a pointer param). */
  const rowAddr = (base: number, index: number) => asm.get(base, at).op(C.i32Add).get(index).i32(2).op(C.i32Shl, C.i32Add);
  const vecAddr = (base: number, index: number) => asm.get(base, index).i32(2).op(C.i32Shl, C.i32Add);

  asm.get(size).i32(-4).op(C.i32And).set(whole);
  asm.f32(1).get(size).op(C.f32ConvertI32S, C.f32Div).set(inv);
  asm.forRange(row, () => asm.i32(0), rows, 1, () => {
    asm.get(row, size).op(C.i32Mul).i32(2).op(C.i32Shl).set(at);
    loadAt(asm, rstd, row).set(a);
    loadAt(asm, mean, row).set(m);
    // dγ += dy·fma(rstd, x, −rstd·mean)
    asm.get(flags).i32(2).op(C.i32And).open("if");
    {
      asm.get(a).op(C.f32Neg).get(m).op(C.f32Mul).set(b);
      asm.get(a).v(S.f32x4Splat).set(av).get(b).v(S.f32x4Splat).set(bv);
      asm.forRange(k, () => asm.i32(0), whole, 4, () => {
        rowAddr(x, k).vmem(S.load).set(xv);
        rowAddr(dy, k).vmem(S.load).set(dyv);
        vecAddr(dgamma, k).vmem(S.load).set(acc);
        fma4(asm, scratch, av, xv, bv, t);
        fma4Odd(asm, scratch, dyv, t, acc, acc);
        vecAddr(dgamma, k).get(acc).vmem(S.store);
      });
      asm.forRange(k, () => asm.get(whole), size, 1, () => {
        vecAddr(dgamma, k);
        fma1(asm, scalar, () => rowAddr(dy, k).mem(C.f32Load), () => fma1(asm, scalar, () => asm.get(a), () => rowAddr(x, k).mem(C.f32Load), () => asm.get(b)), () => loadAt(asm, dgamma, k));
        asm.mem(C.f32Store);
      });
    }
    asm.end();
    // dβ += dy
    asm.get(flags).i32(4).op(C.i32And).open("if");
    asm.forRange(k, () => asm.i32(0), whole, 4, () => {
      vecAddr(dbeta, k).get(dbeta, k).i32(2).op(C.i32Shl, C.i32Add).vmem(S.load);
      rowAddr(dy, k).vmem(S.load).v(S.f32x4Add).vmem(S.store);
    });
    asm.forRange(k, () => asm.get(whole), size, 1, () => {
      vecAddr(dbeta, k);
      loadAt(asm, dbeta, k);
      rowAddr(dy, k).mem(C.f32Load).op(C.f32Add).mem(C.f32Store);
    });
    asm.end();
    asm.get(flags).i32(1).op(C.i32And).open("if");
    {
      rowSums(asm, { dy, x, gamma, size, k, l, ds, db, ms: u, mb: coefC, dyv, xv, gv, t, slo, shi, blo, bhi, hasGamma, rowAddr, vecAddr, scratch, scalar });
      // b = (db·mean − ds)·rstd³/N, c = −b·mean − db·rstd/N
      fma1(asm, scalar, () => asm.get(db), () => asm.get(m), () => asm.get(ds).op(C.f32Neg));
      asm.get(a).op(C.f32Mul).get(a).op(C.f32Mul).get(a).op(C.f32Mul).get(inv).op(C.f32Mul).set(coefB);
      fma1(asm, scalar, () => asm.get(coefB).op(C.f32Neg), () => asm.get(m), () => asm.get(db, a).op(C.f32Mul).get(inv).op(C.f32Mul, C.f32Neg));
      asm.set(coefC);
      asm.get(a).v(S.f32x4Splat).set(av).get(coefB).v(S.f32x4Splat).set(bv).get(coefC).v(S.f32x4Splat).set(cv);
      // dx = fma(b, x, a·dy·γ) + c
      asm.forRange(k, () => asm.i32(0), whole, 4, () => {
        rowAddr(dy, k).vmem(S.load).get(av).v(S.f32x4Mul).set(t);
        hasGamma().open("if").get(t).get(gamma, k).i32(2).op(C.i32Shl, C.i32Add).vmem(S.load).v(S.f32x4Mul).set(t).end();
        rowAddr(x, k).vmem(S.load).set(xv);
        fma4(asm, scratch, bv, xv, t, acc);
        rowAddr(dx, k).get(acc, cv).v(S.f32x4Add).vmem(S.store);
      });
      asm.forRange(k, () => asm.get(whole), size, 1, () => {
        rowAddr(dx, k);
        rowAddr(dy, k).mem(C.f32Load).get(a).op(C.f32Mul).set(u);
        hasGamma().open("if").get(u);
        loadAt(asm, gamma, k).op(C.f32Mul).set(u);
        asm.end();
        fma1(asm, scalar, () => asm.get(coefB), () => rowAddr(x, k).mem(C.f32Load), () => asm.get(u));
        asm.get(coefC).op(C.f32Add).mem(C.f32Store);
      });
    }
    asm.end();
  });
  return { name: "backward", params, body: asm.f };
}

interface RowSumsContext {
  dy: number;
  x: number;
  gamma: number;
  size: number;
  k: number;
  l: number;
  ds: number;
  db: number;
  ms: number;
  mb: number;
  dyv: number;
  xv: number;
  gv: number;
  t: number;
  slo: number;
  shi: number;
  blo: number;
  bhi: number;
  hasGamma: () => Asm;
  rowAddr: (base: number, index: number) => Asm;
  vecAddr: (base: number, index: number) => Asm;
  scratch: ReturnType<typeof fmaScratch>;
  scalar: ReturnType<typeof fmaScalarScratch>;
}

/**
 * ds = Σ dy·x·γ and db = Σ dy·γ of the row (γ absent: 1) into locals ds, db, as vec::map_reduce_all folds them: a row
 * shorter than 8 lane by lane; else 8 lanes (two f32x4) from the first vector's mapped values, each further vector's
 * product fused in, a partial last vector into its first lanes only, then the lanes by AVX2's shuffle tree.
 */
function rowSums(asm: Asm, c: RowSumsContext): void {
  const { dy, x, gamma, size, k, l, ds, db, ms, mb, dyv, xv, gv, t, slo, shi, blo, bhi, hasGamma, rowAddr, vecAddr, scratch, scalar } = c;
  /** ms, mb = the mapped values of element k: dy·x (·γ) and dy (·γ). */
  const mapped = () => {
    rowAddr(dy, k).mem(C.f32Load).set(mb);
    asm.get(mb);
    rowAddr(x, k).mem(C.f32Load).op(C.f32Mul).set(ms);
    hasGamma().open("if");
    asm.get(ms);
    loadAt(asm, gamma, k).op(C.f32Mul).set(ms);
    asm.get(mb);
    loadAt(asm, gamma, k).op(C.f32Mul).set(mb);
    asm.end();
  };
  asm.get(size).i32(8).op(C.i32LtS).open("if");
  {
    asm.i32(0).set(k);
    mapped();
    asm.get(ms).set(ds).get(mb).set(db);
    asm.forRange(k, () => asm.i32(1), size, 1, () => {
      mapped();
      asm.get(ds, ms).op(C.f32Add).set(ds).get(db, mb).op(C.f32Add).set(db);
    });
  }
  asm.else();
  {
    asm.i32(0).set(k);
    for (const [sv, bv, off] of [[slo, blo, 0], [shi, bhi, 16]] as const) {
      rowAddr(dy, k).vmem(S.load, off).set(dyv);
      rowAddr(x, k).vmem(S.load, off).set(xv);
      asm.get(dyv, xv).v(S.f32x4Mul).set(sv).get(dyv).set(bv);
      hasGamma().open("if");
      asm.get(gamma).vmem(S.load, off).set(gv);
      asm.get(sv, gv).v(S.f32x4Mul).set(sv).get(bv, gv).v(S.f32x4Mul).set(bv);
      asm.end();
    }
    asm.get(size).i32(-8).op(C.i32And).set(l);
    asm.forRange(k, () => asm.i32(8), l, 8, () => {
      for (const [sv, bv, off] of [[slo, blo, 0], [shi, bhi, 16]] as const) {
        rowAddr(dy, k).vmem(S.load, off).set(dyv);
        rowAddr(x, k).vmem(S.load, off).set(xv);
        hasGamma().open("if");
        vecAddr(gamma, k).vmem(S.load, off).set(gv);
        asm.get(dyv, xv).v(S.f32x4Mul).set(t);
        fma4Odd(asm, scratch, t, gv, sv, sv);
        fma4Odd(asm, scratch, dyv, gv, bv, bv);
        asm.else();
        fma4Odd(asm, scratch, dyv, xv, sv, sv);
        asm.get(bv, dyv).v(S.f32x4Add).set(bv);
        asm.end();
      }
    });
    // A partial last vector: its lanes one by one through the scalar fma, in the lane scratch.
    asm.get(l, size).op(C.i32LtS).open("if");
    {
      const lanes = [[slo, 0], [shi, 16], [blo, 32], [bhi, 48]] as const;
      for (const [v, off] of lanes) asm.i32(LANES).get(v).vmem(S.store, off);
      const laneAddr = (off: number) => asm.get(k, l).op(C.i32Sub).i32(2).op(C.i32Shl).i32(LANES + off).op(C.i32Add);
      const laneValue = (off: number) => laneAddr(off).mem(C.f32Load);
      asm.forRange(k, () => asm.get(l), size, 1, () => {
        const dyk = () => rowAddr(dy, k).mem(C.f32Load);
        const xk = () => rowAddr(x, k).mem(C.f32Load);
        const gk = () => loadAt(asm, gamma, k);
        hasGamma().open("if");
        laneAddr(0);
        fma1(asm, scalar, () => { dyk(); xk().op(C.f32Mul); }, gk, () => laneValue(0));
        asm.mem(C.f32Store);
        laneAddr(32);
        fma1(asm, scalar, dyk, gk, () => laneValue(32));
        asm.mem(C.f32Store);
        asm.else();
        laneAddr(0);
        fma1(asm, scalar, dyk, xk, () => laneValue(0));
        asm.mem(C.f32Store);
        laneAddr(32);
        laneValue(32);
        dyk().op(C.f32Add).mem(C.f32Store);
        asm.end();
      });
      for (const [v, off] of lanes) asm.i32(LANES).vmem(S.load, off).set(v);
    }
    asm.end();
    // AVX2's vec_reduce_all: lane i with i+4, then (0+2) + (1+3).
    for (const [lo, hi, out] of [[slo, shi, ds], [blo, bhi, db]] as const) {
      asm.get(lo, hi).v(S.f32x4Add).set(t);
      asm.get(t).lane(S.f32x4ExtractLane, 0).get(t).lane(S.f32x4ExtractLane, 2).op(C.f32Add);
      asm.get(t).lane(S.f32x4ExtractLane, 1).get(t).lane(S.f32x4ExtractLane, 3).op(C.f32Add, C.f32Add).set(out);
    }
  }
  asm.end();
}

/**
 * The WebAssembly side of gemm, written instruction by instruction: two packing loops and the SIMD block multiply.
 * All addresses are byte offsets into the module's memory; the JS side (matmul_wasm.ts) decides the layout.
 *
 * `multiply(mTiles, nTiles, depth, ap, bp, c, cRowBytes, first)`: A and B are packed as panels of 4 lines, each
 * panel depth-major (panel[p][r], float64). For every 4×4 tile the 16 sums stay in eight f64x2 locals for the whole
 * depth; per step the kernel loads one row of the B panel (two vectors), broadcasts each of the four A values and
 * does eight vector multiply-adds. Tiles are stored row-major in C (row stride `cRowBytes`); `first` starts the sums
 * from zero, otherwise from what C holds. Sums are float64 and formed in order of depth, as in the JS kernel.
 *
 * `packLines(src, lineBytes, panels, depth, dst)`: source lines contiguous along depth (line stride `lineBytes`).
 * `packDepths(src, depthBytes, panels, depth, dst)`: source lines adjacent at each depth (depth stride `depthBytes`).
 *
 * `gatherPanels(src, lineOffsets, depthOffsets, lines, depth, dst)`: panels of any matrix whose element (line, t)
 * is the float64 at src + lineOffsets[line] + depthOffsets[t] (two i32 tables of byte offsets), lines past `lines`
 * up to a multiple of 4 zero. A convolution's im2col matrix is such a sum of a position's offset and a tap's offset
 * in its (zero-padded) input, so its panels are packed straight from the input, with no column matrix between.
 *
 * `scatterAddF32(c, cRowBytes, rows, cols, rowOffsets, colOffsets, dst)`: for every element (r, k) of the float64
 * matrix at c, rounds it to float32 and adds it into the float32 at dst + rowOffsets[r] + colOffsets[k], row after
 * row (col2im: each destination receives its addends in the order of the rows).
 */
import { FunctionBody, Op, SimdOp, ValType, encodeModule, type ExportedFunction } from "./wasm_emit";

const F64 = 8;
const I32_PARAMS = (count: number): ValType[] => Array.from({ length: count }, () => ValType.I32);

export function buildGemmModule(memoryPages: number): Uint8Array<ArrayBuffer> {
  return encodeModule([multiplyFunction(), packLinesFunction(), packDepthsFunction(), gatherPanelsFunction(), scatterAddF32Function()], memoryPages);
}

function multiplyFunction(): ExportedFunction {
  const params = I32_PARAMS(8);
  const [mTiles, nTiles, depth, ap, bp, c, cRowBytes, first] = params.map((_, i) => i);
  const f = new FunctionBody(params.length);
  const jt = f.local(ValType.I32);
  const it = f.local(ValType.I32);
  const p = f.local(ValType.I32);
  const aPtr = f.local(ValType.I32);
  const bPtr = f.local(ValType.I32);
  const bPanel = f.local(ValType.I32);
  const bPanelBytes = f.local(ValType.I32);
  const tile = f.local(ValType.I32);
  const tileRowBytes = f.local(ValType.I32);
  const row = f.local(ValType.I32);
  // sums[2r + h]: row r, columns 2h and 2h+1 of the tile.
  const sums = Array.from({ length: 8 }, () => f.local(ValType.V128));
  const b0 = f.local(ValType.V128);
  const b1 = f.local(ValType.V128);
  const aSplat = f.local(ValType.V128);

  const forEachTileRow = (body: (r: number) => void): void => {
    f.get(tile).set(row);
    for (let r = 0; r < 4; r++) {
      if (r > 0) f.get(row).get(cRowBytes).op(Op.I32Add).set(row);
      body(r);
    }
  };

  f.get(depth).i32(4 * F64).op(Op.I32Mul).set(bPanelBytes);
  f.get(cRowBytes).i32(4).op(Op.I32Mul).set(tileRowBytes);
  f.get(bp).set(bPanel);
  f.i32(0).set(jt);
  f.open(Op.Loop); // B panels: the panel stays in L1 while all of A's panels stream past it
  {
    f.get(ap).set(aPtr);
    f.get(c).get(jt).i32(4 * F64).op(Op.I32Mul).op(Op.I32Add).set(tile);
    f.i32(0).set(it);
    f.open(Op.Loop); // A panels
    {
      f.get(first).open(Op.If);
      for (const s of sums) f.zeroVector().set(s);
      f.op(Op.Else);
      forEachTileRow((r) => {
        f.get(row).simdMemory(SimdOp.V128Load, 0, 3).set(sums[2 * r]);
        f.get(row).simdMemory(SimdOp.V128Load, 16, 3).set(sums[2 * r + 1]);
      });
      f.end();

      f.get(bPanel).set(bPtr);
      f.get(depth).set(p);
      f.open(Op.Loop); // depth
      {
        f.get(bPtr).simdMemory(SimdOp.V128Load, 0, 3).set(b0);
        f.get(bPtr).simdMemory(SimdOp.V128Load, 16, 3).set(b1);
        for (let r = 0; r < 4; r++) {
          f.get(aPtr).simdMemory(SimdOp.V128Load64Splat, r * F64, 3).set(aSplat);
          for (const [h, b] of [[0, b0], [1, b1]]) {
            const s = sums[2 * r + h];
            f.get(s).get(aSplat).get(b).simd(SimdOp.F64x2Mul).simd(SimdOp.F64x2Add).set(s);
          }
        }
        f.get(aPtr).i32(4 * F64).op(Op.I32Add).set(aPtr);
        f.get(bPtr).i32(4 * F64).op(Op.I32Add).set(bPtr);
        f.get(p).i32(1).op(Op.I32Sub).tee(p).branch(Op.BrIf, 0);
      }
      f.end();

      forEachTileRow((r) => {
        f.get(row).get(sums[2 * r]).simdMemory(SimdOp.V128Store, 0, 3);
        f.get(row).get(sums[2 * r + 1]).simdMemory(SimdOp.V128Store, 16, 3);
      });
      f.get(tile).get(tileRowBytes).op(Op.I32Add).set(tile);
      f.get(it).i32(1).op(Op.I32Add).tee(it).get(mTiles).op(Op.I32LtU).branch(Op.BrIf, 0);
    }
    f.end();
    f.get(bPanel).get(bPanelBytes).op(Op.I32Add).set(bPanel);
    f.get(jt).i32(1).op(Op.I32Add).tee(jt).get(nTiles).op(Op.I32LtU).branch(Op.BrIf, 0);
  }
  f.end();
  return { name: "multiply", params, body: f };
}

/** Four source lines, each contiguous along depth, interleaved into a panel one depth step at a time. */
function packLinesFunction(): ExportedFunction {
  const params = I32_PARAMS(5);
  const [src, lineBytes, panels, depth, dst] = params.map((_, i) => i);
  const f = new FunctionBody(params.length);
  const q = f.local(ValType.I32);
  const p = f.local(ValType.I32);
  const s = f.local(ValType.I32);
  const d = f.local(ValType.I32);
  const line = f.local(ValType.I32);
  f.get(dst).set(d);
  f.i32(0).set(q);
  f.open(Op.Loop);
  {
    f.get(src).get(q).get(lineBytes).i32(4).op(Op.I32Mul).op(Op.I32Mul).op(Op.I32Add).set(s);
    f.get(depth).set(p);
    f.open(Op.Loop);
    {
      f.get(s).set(line);
      for (let r = 0; r < 4; r++) {
        if (r > 0) f.get(line).get(lineBytes).op(Op.I32Add).set(line);
        f.get(d).get(line).memory(Op.F64Load, 0, 3).memory(Op.F64Store, r * F64, 3);
      }
      f.get(s).i32(F64).op(Op.I32Add).set(s);
      f.get(d).i32(4 * F64).op(Op.I32Add).set(d);
      f.get(p).i32(1).op(Op.I32Sub).tee(p).branch(Op.BrIf, 0);
    }
    f.end();
    f.get(q).i32(1).op(Op.I32Add).tee(q).get(panels).op(Op.I32LtU).branch(Op.BrIf, 0);
  }
  f.end();
  return { name: "packLines", params, body: f };
}

/** Four adjacent source values per depth step, copied as two vectors. */
function packDepthsFunction(): ExportedFunction {
  const params = I32_PARAMS(5);
  const [src, depthBytes, panels, depth, dst] = params.map((_, i) => i);
  const f = new FunctionBody(params.length);
  const q = f.local(ValType.I32);
  const p = f.local(ValType.I32);
  const s = f.local(ValType.I32);
  const d = f.local(ValType.I32);
  f.get(dst).set(d);
  f.i32(0).set(q);
  f.open(Op.Loop);
  {
    f.get(src).get(q).i32(4 * F64).op(Op.I32Mul).op(Op.I32Add).set(s);
    f.get(depth).set(p);
    f.open(Op.Loop);
    {
      f.get(d).get(s).simdMemory(SimdOp.V128Load, 0, 3).simdMemory(SimdOp.V128Store, 0, 3);
      f.get(d).get(s).simdMemory(SimdOp.V128Load, 16, 3).simdMemory(SimdOp.V128Store, 16, 3);
      f.get(s).get(depthBytes).op(Op.I32Add).set(s);
      f.get(d).i32(4 * F64).op(Op.I32Add).set(d);
      f.get(p).i32(1).op(Op.I32Sub).tee(p).branch(Op.BrIf, 0);
    }
    f.end();
    f.get(q).i32(1).op(Op.I32Add).tee(q).get(panels).op(Op.I32LtU).branch(Op.BrIf, 0);
  }
  f.end();
  return { name: "packDepths", params, body: f };
}

function gatherPanelsFunction(): ExportedFunction {
  const params = I32_PARAMS(6);
  const [src, lineOffsets, depthOffsets, lines, depth, dst] = params.map((_, i) => i);
  const f = new FunctionBody(params.length);
  const line = f.local(ValType.I32);
  const end = f.local(ValType.I32);
  const d = f.local(ValType.I32);
  const s = f.local(ValType.I32);
  const o = f.local(ValType.I32);
  const t = f.local(ValType.I32);
  // end = lines rounded up to a multiple of 4
  f.get(lines).i32(3).op(Op.I32Add).i32(-4).op(Op.I32And).set(end);
  f.i32(0).set(line);
  f.open(Op.Block);
  f.get(line).get(end).op(Op.I32GeU).branch(Op.BrIf, 0);
  f.open(Op.Loop); // lines
  {
    // d = dst + ((line >> 2)·depth·4 + (line & 3))·8: the line's first element; one depth step is 32 bytes on
    f.get(dst).get(line).i32(2).op(Op.I32ShrU).get(depth).op(Op.I32Mul).i32(2).op(Op.I32Shl)
      .get(line).i32(3).op(Op.I32And).op(Op.I32Add).i32(3).op(Op.I32Shl).op(Op.I32Add).set(d);
    f.i32(0).set(t);
    f.open(Op.Block);
    f.get(depth).op(Op.I32Eqz).branch(Op.BrIf, 0);
    f.get(line).get(lines).op(Op.I32LtU).open(Op.If);
    {
      f.get(src).get(lineOffsets).get(line).i32(2).op(Op.I32Shl).op(Op.I32Add).memory(Op.I32Load, 0, 2).op(Op.I32Add).set(s);
      f.get(depthOffsets).set(o);
      f.open(Op.Loop);
      f.get(d).get(s).get(o).memory(Op.I32Load, 0, 2).op(Op.I32Add).memory(Op.F64Load, 0, 3).memory(Op.F64Store, 0, 3);
      f.get(d).i32(32).op(Op.I32Add).set(d);
      f.get(o).i32(4).op(Op.I32Add).set(o);
      f.get(t).i32(1).op(Op.I32Add).tee(t).get(depth).op(Op.I32LtU).branch(Op.BrIf, 0);
      f.end();
    }
    f.op(Op.Else);
    {
      f.open(Op.Loop);
      f.get(d).zeroF64().memory(Op.F64Store, 0, 3);
      f.get(d).i32(32).op(Op.I32Add).set(d);
      f.get(t).i32(1).op(Op.I32Add).tee(t).get(depth).op(Op.I32LtU).branch(Op.BrIf, 0);
      f.end();
    }
    f.end();
    f.end();
    f.get(line).i32(1).op(Op.I32Add).tee(line).get(end).op(Op.I32LtU).branch(Op.BrIf, 0);
  }
  f.end();
  f.end();
  return { name: "gatherPanels", params, body: f };
}

function scatterAddF32Function(): ExportedFunction {
  const params = I32_PARAMS(7);
  const [c, cRowBytes, rows, cols, rowOffsets, colOffsets, dst] = params.map((_, i) => i);
  const f = new FunctionBody(params.length);
  const r = f.local(ValType.I32);
  const k = f.local(ValType.I32);
  const base = f.local(ValType.I32);
  const cp = f.local(ValType.I32);
  const o = f.local(ValType.I32);
  const a = f.local(ValType.I32);
  f.open(Op.Block);
  f.get(rows).op(Op.I32Eqz).branch(Op.BrIf, 0);
  f.get(cols).op(Op.I32Eqz).branch(Op.BrIf, 0);
  f.i32(0).set(r);
  f.open(Op.Loop); // rows
  {
    f.get(dst).get(rowOffsets).get(r).i32(2).op(Op.I32Shl).op(Op.I32Add).memory(Op.I32Load, 0, 2).op(Op.I32Add).set(base);
    f.get(c).get(r).get(cRowBytes).op(Op.I32Mul).op(Op.I32Add).set(cp);
    f.get(colOffsets).set(o);
    f.i32(0).set(k);
    f.open(Op.Loop); // columns
    {
      f.get(base).get(o).memory(Op.I32Load, 0, 2).op(Op.I32Add).tee(a);
      f.get(a).memory(Op.F32Load, 0, 2).get(cp).memory(Op.F64Load, 0, 3).op(Op.F32DemoteF64).op(Op.F32Add).memory(Op.F32Store, 0, 2);
      f.get(cp).i32(8).op(Op.I32Add).set(cp);
      f.get(o).i32(4).op(Op.I32Add).set(o);
      f.get(k).i32(1).op(Op.I32Add).tee(k).get(cols).op(Op.I32LtU).branch(Op.BrIf, 0);
    }
    f.end();
    f.get(r).i32(1).op(Op.I32Add).tee(r).get(rows).op(Op.I32LtU).branch(Op.BrIf, 0);
  }
  f.end();
  f.end();
  return { name: "scatterAddF32", params, body: f };
}

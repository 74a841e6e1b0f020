/**
 * The WebAssembly SIMD block kernel. Its module is built in memory (under 2 KB, below the 4 KB browsers allow to
 * compile synchronously) and compiled once; each kernel instantiates it over a memory of its own, sized for the
 * largest block (and a caller's staging area) and never grown: growing detaches the old buffer, which in V8
 * deoptimizes typed-array code throughout the program and adds a detachment check to its element accesses.
 *
 * Operands reach the module through TypedArray.prototype.set, which copies and converts to float64 natively (ten
 * times faster than an element loop); the module then interleaves them into panels, multiplies, and the block of
 * the product goes back with `set` too, which rounds each float64 sum once to float32 where the output is float32.
 */
import { KB, MB, NB, type BlockKernel } from "./matmul_packed";
import type { FloatArray } from "./matmul_types";
import { buildGemmModule } from "./matmul_wasm_kernel";

type Multiply = (mTiles: number, nTiles: number, depth: number, ap: number, bp: number, c: number, cRowBytes: number, first: number) => void;
type Pack = (src: number, strideBytes: number, panels: number, depth: number, dst: number) => void;
type GatherPanels = (src: number, lineOffsets: number, depthOffsets: number, lines: number, depth: number, dst: number) => void;
type ScatterAddF32 = (c: number, cRowBytes: number, rows: number, cols: number, rowOffsets: number, colOffsets: number, dst: number) => void;

const PAGE = 65536;
const F64 = 8;
/** Below this length a plain loop copies a run of elements faster than a subarray and `set`. */
const SET_MIN_LENGTH = 24;

/** Float64 offsets of the regions of the module's memory: staged operands, their panels, the block of the product;
 * a caller's own staging area (a convolution's input) follows them. */
const STAGE_A = 0;
const STAGE_B = STAGE_A + MB * KB;
const PANELS_A = STAGE_B + NB * KB;
const PANELS_B = PANELS_A + MB * KB;
const BLOCK_C = PANELS_B + NB * KB;
const END = BLOCK_C + MB * NB;

/** The block kernel, plus what a packer of its own needs: the memory, where its staging area starts, and the
 * module's gather and scatter loops (byte addresses throughout). */
export interface WasmKernel extends BlockKernel {
  readonly name: "wasm-simd";
  readonly memory: WebAssembly.Memory;
  /** Byte offset and length of the staging area. */
  readonly stagingByte: number;
  readonly stagingBytes: number;
  /** Byte offsets of the panels of A and B, and of the product block, with its row stride. */
  readonly panelsByte: { a: number; b: number };
  readonly productByte: number;
  productRowBytes(): number;
  gatherPanels(which: "a" | "b", src: number, lineOffsets: number, depthOffsets: number, lines: number, depth: number): void;
  /** For the float64 matrix at `src` (row stride `srcRowBytes`), adds each element rounded to float32 into the
   * float32 at dst + rowOffsets[r] + colOffsets[k], row after row. */
  scatterAddF32(src: number, srcRowBytes: number, rows: number, cols: number, rowOffsets: number, colOffsets: number, dst: number): void;
}

let compiled: WebAssembly.Module | null = null;

/** The kernel over a memory of its own with `stagingBytes` of room for the caller past the kernel's regions, or
 * null where WebAssembly (or its SIMD) is missing or forbidden. */
export function createWasmKernel(stagingBytes = 0): WasmKernel | null {
  let exports: WebAssembly.Exports;
  let memoryObject: WebAssembly.Memory;
  const pages = Math.ceil((END * F64 + stagingBytes) / PAGE);
  try {
    if (typeof WebAssembly !== "object") return null;
    compiled ??= new WebAssembly.Module(buildGemmModule(Math.ceil((END * F64) / PAGE)));
    memoryObject = new WebAssembly.Memory({ initial: pages });
    exports = new WebAssembly.Instance(compiled, { env: { memory: memoryObject } }).exports;
  } catch {
    // No SIMD support, or compilation forbidden (a Content-Security-Policy without 'wasm-unsafe-eval').
    return null;
  }
  const memory = new Float64Array(memoryObject.buffer);
  const multiply = exports.multiply as Multiply;
  const packLines = exports.packLines as Pack;
  const packDepths = exports.packDepths as Pack;
  const gatherPanels = exports.gatherPanels as GatherPanels;
  const scatterAddF32 = exports.scatterAddF32 as ScatterAddF32;
  let cStride = 0;

  /** memory[at..] = src[from..], natively for long runs (a subarray costs an allocation), by a loop for short ones. */
  function copy(src: FloatArray, from: number, at: number, count: number): void {
    if (count >= SET_MIN_LENGTH) memory.set(src.subarray(from, from + count), at);
    else for (let i = 0; i < count; i++) memory[at + i] = src[from + i];
  }

  /**
   * Copies lines × depth elements into the stage at `at` and packs them into panels at `dst`. The stage keeps the
   * source's orientation; lines past the last, up to a multiple of 4, are zero so that edge tiles sum zeros.
   */
  function pack(src: FloatArray, offset: number, lineStride: number, depthStride: number, lines: number, depth: number, at: number, dst: number): void {
    const panels = Math.ceil(lines / 4);
    const padded = panels * 4;
    if (depthStride === 1 && (lineStride !== 1 || lines === 1)) {
      // Lines contiguous along depth: stage them line after line.
      if (lineStride === depth) memory.set(src.subarray(offset, offset + lines * depth), at);
      else for (let l = 0; l < lines; l++) copy(src, offset + l * lineStride, at + l * depth, depth);
      memory.fill(0, at + lines * depth, at + padded * depth);
      packLines(at * F64, depth * F64, panels, depth, dst * F64);
    } else {
      // Lines adjacent at each depth: stage one depth step after another, each padded to a multiple of 4.
      if (depthStride === lines && lines === padded) memory.set(src.subarray(offset, offset + depth * lines), at);
      else {
        for (let p = 0; p < depth; p++) {
          const s = offset + p * depthStride;
          copy(src, s, at + p * padded, lines);
          if (padded !== lines) memory.fill(0, at + p * padded + lines, at + (p + 1) * padded);
        }
      }
      packDepths(at * F64, padded * F64, panels, depth, dst * F64);
    }
  }

  return {
    name: "wasm-simd",
    memory: memoryObject,
    stagingByte: END * F64,
    stagingBytes: pages * PAGE - END * F64,
    panelsByte: { a: PANELS_A * F64, b: PANELS_B * F64 },
    productByte: BLOCK_C * F64,
    productRowBytes: () => cStride * F64,
    gatherPanels(which, src, lineOffsets, depthOffsets, lines, depth): void {
      gatherPanels(src, lineOffsets, depthOffsets, lines, depth, (which === "a" ? PANELS_A : PANELS_B) * F64);
    },
    scatterAddF32,
    pack(which, src, offset, lineStride, depthStride, lines, depth): void {
      if (which === "a") pack(src, offset, lineStride, depthStride, lines, depth, STAGE_A, PANELS_A);
      else pack(src, offset, lineStride, depthStride, lines, depth, STAGE_B, PANELS_B);
    },
    multiply(mTiles, nTiles, depth, first): void {
      cStride = nTiles * 4;
      multiply(mTiles, nTiles, depth, PANELS_A * F64, PANELS_B * F64, BLOCK_C * F64, cStride * F64, first ? 1 : 0);
    },
    unpack(out, outOffset, outStride, rows, cols): void {
      if (cols === cStride && outStride === cols) {
        out.set(memory.subarray(BLOCK_C, BLOCK_C + rows * cols), outOffset);
        return;
      }
      for (let i = 0; i < rows; i++) {
        const s = BLOCK_C + i * cStride;
        const o = outOffset + i * outStride;
        if (cols >= SET_MIN_LENGTH) out.set(memory.subarray(s, s + cols), o);
        else for (let j = 0; j < cols; j++) out[o + j] = memory[s + j];
      }
    },
  };
}

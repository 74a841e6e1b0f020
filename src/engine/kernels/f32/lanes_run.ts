/**
 * Running a lane kernel (lanes.ts) over a float32 array: each kernel is its own small WebAssembly module, compiled on
 * first use, over one shared memory where a chunk of the input is staged, computed four lanes at a time (or eight,
 * for SLEEF functions whose eight lanes decide together), and copied back. A group of lanes the kernel flags (a
 * fused multiply-add it cannot round exactly, or a case the kernel leaves to JS) is computed again by the JS
 * kernel, which is the reference. Where WebAssembly is missing or forbidden, `runLanes` returns false and the
 * caller runs its JS loop.
 */
import { FunctionBody, Op, SimdOp, ValType, encodeModule } from "../wasm_emit";
import { type F4, Lanes } from "./lanes";

export interface LaneKernel {
  readonly name: string;
  /** Vectors of four lanes that decide together (2 for SLEEF's eight-lane range checks), 1 by default. */
  readonly vectors?: number;
  /**
   * Emits the code of one group: `x` holds its lanes (one operand per vector); returns the results. May push an
   * i32 "leave this group to JS" on `flags` through `L.or(L.inexact, ...)`.
   */
  emit(L: Lanes, x: F4[]): F4[];
  /** The JS kernel on out[from..to) from src[from..to): the exact path, and the reference. */
  exact(src: Float32Array, out: Float32Array, from: number, to: number): void;
}

/** Elements staged per call. */
const CHUNK = 1 << 16;
/** Below this many elements runLanes leaves the work to the caller's JS loop. */
const MIN_LENGTH = 32;
const SRC = 0;
const DST = SRC + 4 * CHUNK;
const FLAGS = DST + 4 * CHUNK;
const PAGES = Math.ceil((FLAGS + CHUNK) / 65536);

type Run = (src: number, dst: number, groups: number, flags: number) => number;

interface Shared {
  memory: WebAssembly.Memory;
  f32: Float32Array;
  i32: Int32Array;
}

let shared: Shared | null | undefined;
const compiled = new Map<LaneKernel, Run | null>();

function sharedMemory(): Shared | null {
  if (shared !== undefined) return shared;
  try {
    const memory = new WebAssembly.Memory({ initial: PAGES });
    shared = { memory, f32: new Float32Array(memory.buffer), i32: new Int32Array(memory.buffer) };
  } catch {
    shared = null;
  }
  return shared;
}

/**
 * The module of one kernel: `run(src, dst, groups, flags)` computes `groups` groups of 4·vectors lanes from src to
 * dst (byte addresses) and writes the index of each group it flags to flags[], returning how many it flagged.
 */
function build(kernel: LaneKernel): Uint8Array<ArrayBuffer> {
  const vectors = kernel.vectors ?? 1;
  const params = [ValType.I32, ValType.I32, ValType.I32, ValType.I32];
  const [src, dst, groups, flags] = [0, 1, 2, 3];
  const f = new FunctionBody(params.length);
  const g = f.local(ValType.I32);
  const count = f.local(ValType.I32);
  const L = new Lanes(f);
  f.i32(0).set(g).i32(0).set(count);
  f.open(Op.Block);
  f.get(groups).op(Op.I32Eqz).branch(Op.BrIf, 0);
  f.open(Op.Loop);
  {
    L.begin();
    const x: F4[] = [];
    for (let v = 0; v < vectors; v++) x.push(L.let(() => f.get(src).simdMemory(SimdOp.V128Load, 16 * v, 4)));
    const y = kernel.emit(L, x);
    y.forEach((r, v) => {
      f.get(dst);
      L.push(r);
      f.simdMemory(SimdOp.V128Store, 16 * v, 4);
    });
    // A flagged group: its index goes on the list.
    f.get(L.inexact.local).simd(SimdOp.V128AnyTrue).open(Op.If);
    f.get(flags).get(count).i32(2).op(Op.I32Shl).op(Op.I32Add).get(g).memory(Op.I32Store, 0, 2);
    f.get(count).i32(1).op(Op.I32Add).set(count);
    f.end();
    f.get(src).i32(16 * vectors).op(Op.I32Add).set(src);
    f.get(dst).i32(16 * vectors).op(Op.I32Add).set(dst);
    f.get(g).i32(1).op(Op.I32Add).tee(g).get(groups).op(Op.I32LtU).branch(Op.BrIf, 0);
  }
  f.end();
  f.end();
  f.get(count);
  return encodeModule([{ name: "run", params, results: [ValType.I32], body: f }], PAGES);
}

function runner(kernel: LaneKernel, memory: WebAssembly.Memory): Run | null {
  let run = compiled.get(kernel);
  if (run !== undefined) return run;
  try {
    const module = new WebAssembly.Module(build(kernel));
    run = new WebAssembly.Instance(module, { env: { memory } }).exports.run as Run;
  } catch {
    // No SIMD, or compiling forbidden (a Content-Security-Policy without 'wasm-unsafe-eval').
    run = null;
  }
  compiled.set(kernel, run);
  return run;
}

/**
 * out[from..to) = kernel(src[from..to)), group by group from `from` (the last group padded with zeros, as ATen's
 * vml loops pad it), or false when WebAssembly cannot run it.
 */
export function runLanes(kernel: LaneKernel, src: Float32Array, out: Float32Array, from = 0, to = src.length): boolean {
  // A few elements are quicker in JS than through the staging.
  if (to - from < MIN_LENGTH) return false;
  const mem = typeof WebAssembly === "object" ? sharedMemory() : null;
  const run = mem ? runner(kernel, mem.memory) : null;
  if (!mem || !run) return false;
  const group = 4 * (kernel.vectors ?? 1);
  for (let at = from; at < to; at += CHUNK) {
    const n = Math.min(CHUNK, to - at);
    const groups = Math.ceil(n / group);
    mem.f32.set(src.subarray(at, at + n), SRC / 4);
    mem.f32.fill(0, SRC / 4 + n, SRC / 4 + groups * group);
    const flagged = run(SRC, DST, groups, FLAGS);
    out.set(mem.f32.subarray(DST / 4, DST / 4 + n), at);
    for (let k = 0; k < flagged; k++) {
      const start = at + mem.i32[FLAGS / 4 + k] * group;
      kernel.exact(src, out, start, Math.min(start + group, to));
    }
  }
  return true;
}

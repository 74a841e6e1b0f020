/**
 * Running a lane kernel (lanes.ts) over float32 arrays: each kernel is its own small WebAssembly module, compiled on
 * first use, over one shared memory where a chunk of the input (or of each of two inputs) is staged, computed four
 * lanes at a time (or eight, for SLEEF functions whose eight lanes decide together), and copied back. A group of
 * lanes the kernel flags (a fused multiply-add it cannot round exactly, or a case the kernel leaves to JS) is
 * computed again by the JS kernel, which is the reference. Where WebAssembly is missing or forbidden, or the arrays
 * are short, `runLanes` returns false and the caller runs its JS loop.
 */
import { FunctionBody, Op, SimdOp, ValType, encodeModule } from "../wasm_emit";
import { type F4, Lanes } from "./lanes";

export interface LaneKernel {
  readonly name: string;
  /** Vectors of four lanes that decide together (2 for SLEEF's eight-lane range checks), 1 by default. */
  readonly vectors?: number;
  /** 1 (by default) or 2 input arrays. */
  readonly inputs?: 1 | 2;
  /**
   * Emits the code of one group: `x` holds its lanes of the first input (one operand per vector), `y` those of the
   * second (empty for one input), `p` the float32 parameters the caller passes to runLanes, each in every lane.
   * Returns the results; lanes it cannot do exactly it flags (L.flag, L.flagTiny, or the fma checks).
   */
  emit(L: Lanes, x: F4[], y: F4[], p: F4[]): F4[];
  /** The JS kernel on out[from..to) from the inputs' [from..to) and the parameters: the exact path, the reference. */
  exact(inputs: readonly Float32Array[], out: Float32Array, from: number, to: number, params: readonly number[]): void;
}

/** Elements staged per call. */
const CHUNK = 1 << 16;
/** Below this many elements runLanes leaves the work to the caller's JS loop. */
const MIN_LENGTH = 32;
/** Byte offsets in the shared memory: parameters, the two inputs, the output, the flagged groups. */
const PARAMS = 0;
const MAX_PARAMS = 16;
const SRC = PARAMS + 4 * MAX_PARAMS;
const SRC2 = SRC + 4 * CHUNK;
const DST = SRC2 + 4 * CHUNK;
const FLAGS = DST + 4 * CHUNK;
const PAGES = Math.ceil((FLAGS + CHUNK) / 65536);

type Run = (src: number, src2: number, dst: number, groups: number, flags: number) => number;

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
 * The module of one kernel: `run(src, src2, dst, groups, flags)` computes `groups` groups of 4·vectors lanes from
 * src (and src2) to dst (byte addresses) and writes the index of each group it flags to flags[], returning how many
 * it flagged.
 */
function build(kernel: LaneKernel, paramCount: number): Uint8Array<ArrayBuffer> {
  const vectors = kernel.vectors ?? 1;
  const params = [ValType.I32, ValType.I32, ValType.I32, ValType.I32, ValType.I32];
  const [src, src2, dst, groups, flags] = [0, 1, 2, 3, 4];
  const f = new FunctionBody(params.length);
  const g = f.local(ValType.I32);
  const count = f.local(ValType.I32);
  const L = new Lanes(f);
  const p: F4[] = [];
  for (let i = 0; i < paramCount; i++) p.push(L.let(() => f.i32(PARAMS + 4 * i).simdMemory(SimdOp.V128Load32Splat, 0, 2)));
  f.i32(0).set(g).i32(0).set(count);
  f.open(Op.Block);
  f.get(groups).op(Op.I32Eqz).branch(Op.BrIf, 0);
  f.open(Op.Loop);
  {
    L.begin();
    const load = (base: number): F4[] => Array.from({ length: vectors }, (_, v) => L.let<"f32">(() => f.get(base).simdMemory(SimdOp.V128Load, 16 * v, 4)));
    const x = load(src);
    const y = kernel.inputs === 2 ? load(src2) : [];
    const r = kernel.emit(L, x, y, p);
    r.forEach((value, v) => {
      f.get(dst);
      L.push(value);
      f.simdMemory(SimdOp.V128Store, 16 * v, 4);
    });
    // A flagged group: its index goes on the list.
    f.get(L.inexact.local).simd(SimdOp.V128AnyTrue).open(Op.If);
    f.get(flags).get(count).i32(2).op(Op.I32Shl).op(Op.I32Add).get(g).memory(Op.I32Store, 0, 2);
    f.get(count).i32(1).op(Op.I32Add).set(count);
    f.end();
    for (const base of [src, src2, dst]) f.get(base).i32(16 * vectors).op(Op.I32Add).set(base);
    f.get(g).i32(1).op(Op.I32Add).tee(g).get(groups).op(Op.I32LtU).branch(Op.BrIf, 0);
  }
  f.end();
  f.end();
  f.get(count);
  return encodeModule([{ name: "run", params, results: [ValType.I32], body: f }], PAGES);
}

function runner(kernel: LaneKernel, memory: WebAssembly.Memory, paramCount: number): Run | null {
  let run = compiled.get(kernel);
  if (run !== undefined) return run;
  try {
    const module = new WebAssembly.Module(build(kernel, paramCount));
    run = new WebAssembly.Instance(module, { env: { memory } }).exports.run as Run;
  } catch {
    // No SIMD, or compiling forbidden (a Content-Security-Policy without 'wasm-unsafe-eval').
    run = null;
  }
  compiled.set(kernel, run);
  return run;
}

/**
 * out[from..to) = kernel(inputs[from..to), params), group by group from `from` (the last group padded with zeros,
 * as ATen's vml loops pad it), or false when WebAssembly cannot run it or the range is short. A kernel is always
 * run with the same number of parameters.
 */
export function runLanes(kernel: LaneKernel, inputs: readonly Float32Array[], out: Float32Array, from = 0, to = out.length, params: readonly number[] = []): boolean {
  if (to - from < MIN_LENGTH) return false;
  const mem = typeof WebAssembly === "object" ? sharedMemory() : null;
  const run = mem ? runner(kernel, mem.memory, params.length) : null;
  if (!mem || !run) return false;
  for (let i = 0; i < params.length; i++) mem.f32[PARAMS / 4 + i] = params[i];
  const group = 4 * (kernel.vectors ?? 1);
  for (let at = from; at < to; at += CHUNK) {
    const n = Math.min(CHUNK, to - at);
    const groups = Math.ceil(n / group);
    inputs.forEach((src, k) => {
      const base = (k === 0 ? SRC : SRC2) / 4;
      mem.f32.set(src.subarray(at, at + n), base);
      mem.f32.fill(0, base + n, base + groups * group);
    });
    const flagged = run(SRC, SRC2, DST, groups, FLAGS);
    out.set(mem.f32.subarray(DST / 4, DST / 4 + n), at);
    for (let k = 0; k < flagged; k++) {
      // The group's inputs from the staging area (out may be an input, now overwritten).
      const first = mem.i32[FLAGS / 4 + k] * group;
      const end = Math.min(first + group, n);
      const staged = inputs.map((_, i) => mem.f32.slice((i === 0 ? SRC : SRC2) / 4 + first, (i === 0 ? SRC : SRC2) / 4 + end));
      kernel.exact(staged, out.subarray(at + first, at + end), 0, end - first, params);
    }
  }
  return true;
}

/** A JS loop over out[from..to) from src[from..to). */
export type Range = (src: Float32Array, out: Float32Array, from: number, to: number) => void;

/** A kernel of one input, one vector per group, with no parameters, whose exact path is a JS range loop. */
export function unaryKernel(name: string, emit: (L: Lanes, x: F4) => F4, range: Range): LaneKernel {
  return { name, emit: (L, [x]) => [emit(L, x)], exact: ([src], out, from, to) => range(src, out, from, to) };
}

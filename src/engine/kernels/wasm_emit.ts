/**
 * A minimal WebAssembly binary writer: what the gemm micro-kernels and the float32 lane kernels need (i32
 * arithmetic, blocks and loops, calls, f32/f64 and 128-bit SIMD loads, stores, arithmetic, comparisons and
 * conversions). Modules are built from this code at run time, so the project ships no .wasm file and needs no
 * WebAssembly toolchain.
 */

export const enum ValType {
  I32 = 0x7f,
  F32 = 0x7d,
  F64 = 0x7c,
  V128 = 0x7b,
}

/** One-byte opcodes, named as in the text format. */
export const enum Op {
  Block = 0x02,
  Loop = 0x03,
  If = 0x04,
  Else = 0x05,
  End = 0x0b,
  Br = 0x0c,
  BrIf = 0x0d,
  Return = 0x0f,
  Call = 0x10,
  LocalGet = 0x20,
  LocalSet = 0x21,
  LocalTee = 0x22,
  I32Load = 0x28,
  F32Load = 0x2a,
  F64Load = 0x2b,
  I32Store = 0x36,
  F32Store = 0x38,
  F64Store = 0x39,
  I32Const = 0x41,
  I32Eqz = 0x45,
  I32Eq = 0x46,
  I32Ne = 0x47,
  I32LtS = 0x48,
  I32LtU = 0x49,
  I32GeU = 0x4f,
  I32Add = 0x6a,
  I32Sub = 0x6b,
  I32Mul = 0x6c,
  I32And = 0x71,
  I32Or = 0x72,
  I32Shl = 0x74,
  I32ShrU = 0x76,
  F32Add = 0x92,
  F32DemoteF64 = 0xb6,
  F64PromoteF32 = 0xbb,
}

/** SIMD opcodes (after the 0xfd prefix), named as in the text format. */
export const enum SimdOp {
  V128Load = 0x00,
  V128Load32Splat = 0x09,
  V128Load64Splat = 0x0a,
  V128Store = 0x0b,
  V128Const = 0x0c,
  I8x16Shuffle = 0x0d,
  I32x4Splat = 0x11,
  F32x4Splat = 0x13,
  F64x2Splat = 0x14,
  I32x4Eq = 0x37,
  I32x4LtS = 0x39,
  I32x4GtS = 0x3b,
  F32x4Eq = 0x41,
  F32x4Ne = 0x42,
  F32x4Lt = 0x43,
  F32x4Gt = 0x44,
  F32x4Le = 0x45,
  F32x4Ge = 0x46,
  F64x2Ne = 0x48,
  F64x2Lt = 0x49,
  V128Not = 0x4d,
  V128And = 0x4e,
  V128AndNot = 0x4f,
  V128Or = 0x50,
  V128Xor = 0x51,
  V128Bitselect = 0x52,
  V128AnyTrue = 0x53,
  F32x4DemoteF64x2Zero = 0x5e,
  F64x2PromoteLowF32x4 = 0x5f,
  F32x4Floor = 0x68,
  F32x4Trunc = 0x69,
  F32x4Nearest = 0x6a,
  I32x4Shl = 0xab,
  I32x4ShrS = 0xac,
  I32x4ShrU = 0xad,
  I32x4Add = 0xae,
  I32x4Sub = 0xb1,
  I64x2Eq = 0xd6,
  F32x4Abs = 0xe0,
  F32x4Neg = 0xe1,
  F32x4Sqrt = 0xe3,
  F32x4Add = 0xe4,
  F32x4Sub = 0xe5,
  F32x4Mul = 0xe6,
  F32x4Div = 0xe7,
  F64x2Abs = 0xec,
  F64x2Add = 0xf0,
  F64x2Sub = 0xf1,
  F64x2Mul = 0xf2,
  I32x4TruncSatF32x4S = 0xf8,
  F32x4ConvertI32x4S = 0xfa,
}

const EMPTY_BLOCK = 0x40;

function unsignedLeb(value: number, out: number[]): void {
  let v = value >>> 0;
  do {
    const byte = v & 0x7f;
    v >>>= 7;
    out.push(v === 0 ? byte : byte | 0x80);
  } while (v !== 0);
}

function signedLeb(value: number, out: number[]): void {
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

/** The body of one function: locals are declared up front, then instructions are appended in order. */
export class FunctionBody {
  readonly code: number[] = [];
  private readonly localTypes: ValType[] = [];

  constructor(private readonly paramCount: number) {}

  /** Declares a local of `type` and returns its index (parameters come first). */
  local(type: ValType): number {
    this.localTypes.push(type);
    return this.paramCount + this.localTypes.length - 1;
  }

  op(code: Op): this {
    this.code.push(code);
    return this;
  }

  get(index: number): this {
    this.code.push(Op.LocalGet);
    unsignedLeb(index, this.code);
    return this;
  }

  set(index: number): this {
    this.code.push(Op.LocalSet);
    unsignedLeb(index, this.code);
    return this;
  }

  tee(index: number): this {
    this.code.push(Op.LocalTee);
    unsignedLeb(index, this.code);
    return this;
  }

  i32(value: number): this {
    this.code.push(Op.I32Const);
    signedLeb(value, this.code);
    return this;
  }

  /** A load or store with a constant byte offset; `alignLog2` is a hint only. */
  memory(code: Op, offset: number, alignLog2: number): this {
    this.code.push(code, alignLog2);
    unsignedLeb(offset, this.code);
    return this;
  }

  simd(code: SimdOp): this {
    this.code.push(0xfd);
    unsignedLeb(code, this.code);
    return this;
  }

  /** The f64 constant +0. */
  zeroF64(): this {
    this.code.push(0x44, 0, 0, 0, 0, 0, 0, 0, 0);
    return this;
  }

  /** A v128 constant of 16 bytes, lane 0 first. */
  vector(bytes: ArrayLike<number>): this {
    this.simd(SimdOp.V128Const);
    for (let i = 0; i < 16; i++) this.code.push(bytes[i] & 0xff);
    return this;
  }

  /** i8x16.shuffle of the two vectors on the stack: byte i of the result is byte lanes[i] of their 32. */
  shuffle(lanes: readonly number[]): this {
    this.simd(SimdOp.I8x16Shuffle);
    for (let i = 0; i < 16; i++) this.code.push(lanes[i]);
    return this;
  }

  call(index: number): this {
    this.code.push(Op.Call);
    unsignedLeb(index, this.code);
    return this;
  }

  /** A v128 of all-zero bits (0.0 in every lane). */
  zeroVector(): this {
    this.simd(SimdOp.V128Const);
    for (let i = 0; i < 16; i++) this.code.push(0);
    return this;
  }

  simdMemory(code: SimdOp, offset: number, alignLog2: number): this {
    this.simd(code);
    this.code.push(alignLog2);
    unsignedLeb(offset, this.code);
    return this;
  }

  /** `block`, `loop` or `if` with no result; close it with `end()`. */
  open(code: Op.Block | Op.Loop | Op.If): this {
    this.code.push(code, EMPTY_BLOCK);
    return this;
  }

  end(): this {
    this.code.push(Op.End);
    return this;
  }

  branch(code: Op.Br | Op.BrIf, depth: number): this {
    this.code.push(code);
    unsignedLeb(depth, this.code);
    return this;
  }

  /** The encoded body: local declarations (runs of one type), instructions, final `end`. */
  encode(): number[] {
    const runs: Array<[number, ValType]> = [];
    for (const t of this.localTypes) {
      const last = runs[runs.length - 1];
      if (last !== undefined && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    const body: number[] = [];
    unsignedLeb(runs.length, body);
    for (const [count, type] of runs) {
      unsignedLeb(count, body);
      body.push(type);
    }
    body.push(...this.code, Op.End);
    const sized: number[] = [];
    unsignedLeb(body.length, sized);
    return sized.concat(body);
  }
}

export interface ExportedFunction {
  /** The export name; a function without one is internal (reached by `call` with its index in the list). */
  name?: string;
  params: readonly ValType[];
  results?: readonly ValType[];
  body: FunctionBody;
}

function section(id: number, content: number[], out: number[]): void {
  out.push(id);
  unsignedLeb(content.length, out);
  out.push(...content);
}

function vector(items: number[][]): number[] {
  const out: number[] = [];
  unsignedLeb(items.length, out);
  for (const item of items) out.push(...item);
  return out;
}

function name(text: string): number[] {
  const bytes = Array.from(text, (c) => c.charCodeAt(0));
  const out: number[] = [];
  unsignedLeb(bytes.length, out);
  return out.concat(bytes);
}

/**
 * A module of functions, each with its own type, over one memory of at least `minimumPages` of
 * 64 KiB that the module imports as env.memory: the caller makes the memory, so that it can instantiate the same
 * compiled module again over a larger one instead of growing it.
 */
export function encodeModule(functions: readonly ExportedFunction[], minimumPages: number): Uint8Array<ArrayBuffer> {
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  section(1, vector(functions.map((f) => [0x60, ...vector(f.params.map((p) => [p])), ...vector((f.results ?? []).map((r) => [r]))])), out);
  const limits: number[] = [0x00];
  unsignedLeb(minimumPages, limits);
  section(2, vector([[...name("env"), ...name("memory"), 0x02, ...limits]]), out);
  section(3, vector(functions.map((_, i) => { const b: number[] = []; unsignedLeb(i, b); return b; })), out);
  const exports: number[][] = [];
  functions.forEach((f, i) => {
    if (f.name === undefined) return;
    const b = [...name(f.name), 0x00];
    unsignedLeb(i, b);
    exports.push(b);
  });
  section(7, vector(exports), out);
  section(10, vector(functions.map((f) => f.body.encode())), out);
  return Uint8Array.from(out);
}

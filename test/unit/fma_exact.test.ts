/**
 * The fused multiply-add emulations behind the bit-exact kernels against exact arithmetic (fractions rounded once, to
 * nearest even: scripts/fixtures/fma_fixtures.py → test/fixtures/fma.json): float fma through double in JS (both
 * orders of Precision) and in WebAssembly (f32x4 through f64x2, with a branch and by rounding to odd; scalar), and
 * double fma (error-free transformations, BigInt where they would not be exact). 3000 triples each, drawn where
 * emulations go wrong: midpoints, cancellation, subnormals, overflow, ±0, ±∞, NaN.
 */
import { strict as assert } from "node:assert";
import { FunctionBody, ValType, encodeModule } from "../../src/engine/kernels/wasm_emit";
import { fma64 } from "../../src/engine/kernels/f32/fma64";
import { FLOAT32 } from "../../src/engine/kernels/f32/precision";
import { Asm, C, S, fma1, fma4, fma4Odd, fmaScalarScratch, fmaScratch } from "../../src/engine/kernels/f32/wasm_asm";
import { loadFixture } from "./helpers/compare";

type Triple = [number, number, number, number];

const parse = (v: string): number => (v === "inf" ? Infinity : v === "-inf" ? -Infinity : v === "nan" ? NaN : Number(v));
const fixture = loadFixture<{ float32: string[][]; float64: string[][] }>("fma.json");
const float32 = fixture.float32.map((t) => t.map(parse) as Triple);
const float64 = fixture.float64.map((t) => t.map(parse) as Triple);

/** Triples whose result differs from the exact one in its bits (any NaN equals any NaN). */
function wrong(triples: readonly Triple[], results: ArrayLike<number>): string[] {
  const out: string[] = [];
  triples.forEach(([a, b, c, want], i) => {
    const got = results[i];
    if (!(Object.is(got, want) || (got !== got && want !== want))) out.push(`fma(${a}, ${b}, ${c}) = ${got}, want ${want}`);
  });
  return out;
}

/** A module applying each WebAssembly fma to arrays: a, b, c, out (byte addresses), n elements (a multiple of 4). */
function wasmFmas(): Record<"branch" | "odd" | "scalar", (a: number, b: number, c: number, out: number, n: number) => void> & { memory: WebAssembly.Memory } {
  const params = Array.from({ length: 5 }, () => ValType.I32);
  const vector = (odd: boolean) => {
    const asm = new Asm(new FunctionBody(5));
    const i = asm.local("i32");
    const t = fmaScratch(asm);
    const [x, y, z, r] = [asm.local("v128"), asm.local("v128"), asm.local("v128"), asm.local("v128")];
    asm.forRange(i, () => asm.i32(0), 4, 16, () => {
      for (const [local, param] of [[x, 0], [y, 1], [z, 2]] as const) asm.get(param, i).op(C.i32Add).vmem(S.load).set(local);
      (odd ? fma4Odd : fma4)(asm, t, x, y, z, r);
      asm.get(3, i).op(C.i32Add).get(r).vmem(S.store);
    });
    return asm.f;
  };
  const scalar = new Asm(new FunctionBody(5));
  const j = scalar.local("i32");
  const t1 = fmaScalarScratch(scalar);
  scalar.forRange(j, () => scalar.i32(0), 4, 4, () => {
    scalar.get(3, j).op(C.i32Add);
    const operand = (p: number) => () => scalar.get(p, j).op(C.i32Add).mem(C.f32Load);
    fma1(scalar, t1, operand(0), operand(1), operand(2));
    scalar.mem(C.f32Store);
  });
  const bytes = encodeModule([{ name: "branch", params, body: vector(false) }, { name: "odd", params, body: vector(true) }, { name: "scalar", params, body: scalar.f }], 4);
  const memory = new WebAssembly.Memory({ initial: 4 });
  const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
  return { branch: exports.branch as never, odd: exports.odd as never, scalar: exports.scalar as never, memory };
}

describe("exact fused multiply-adds", () => {
  it("float: JS through double, both orders", () => {
    for (const fma of [FLOAT32.fma, FLOAT32.fmaAcc]) {
      const bad = wrong(float32, float32.map(([a, b, c]) => fma(a, b, c)));
      assert.equal(bad.length, 0, bad.slice(0, 5).join("\n"));
    }
  });

  it("float: WebAssembly f32x4 (with a branch, by rounding to odd) and scalar", () => {
    const m = wasmFmas();
    const n = float32.length - (float32.length % 4);
    const mem = new Float32Array(m.memory.buffer);
    float32.slice(0, n).forEach(([a, b, c], i) => {
      mem[i] = a;
      mem[n + i] = b;
      mem[2 * n + i] = c;
    });
    for (const kind of ["branch", "odd", "scalar"] as const) {
      m[kind](0, 4 * n, 8 * n, 12 * n, 4 * n);
      const bad = wrong(float32.slice(0, n), mem.subarray(3 * n, 4 * n));
      assert.equal(bad.length, 0, `${kind}: ${bad.length} wrong\n${bad.slice(0, 5).join("\n")}`);
    }
  });

  it("double: error-free transformations, BigInt outside their range", () => {
    const bad = wrong(float64, float64.map(([a, b, c]) => fma64(a, b, c)));
    assert.equal(bad.length, 0, bad.slice(0, 5).join("\n"));
  });
});

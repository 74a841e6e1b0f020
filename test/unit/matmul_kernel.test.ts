/**
 * The gemm kernel against a plain triple loop in float64: awkward shapes (empty, 1, primes, past the block sizes),
 * every transpose, offsets into larger buffers, both array types, every code path (direct loops, the packed JS
 * kernel, the packed WebAssembly kernel, and the dispatching `gemm`); plus products worked out by hand.
 */
import { strict as assert } from "node:assert";
import { gemm as reference } from "./gemm_reference";
import { OPENBLAS_SINGLE_THREAD_MAX_WORK } from "../../src/engine/kernels/f32/matmul_openblas";
import { gemm, gemmBackend } from "../../src/engine/kernels/matmul";
import { directGemm } from "../../src/engine/kernels/matmul_direct";
import { createJsKernel } from "../../src/engine/kernels/matmul_js";
import { KB, MB, NB, packedGemm, type BlockKernel } from "../../src/engine/kernels/matmul_packed";
import type { FloatArray } from "../../src/engine/kernels/matmul_types";
import { createWasmKernel } from "../../src/engine/kernels/matmul_wasm";

type Gemm = typeof directGemm;
type FloatArrayConstructor = Float32ArrayConstructor | Float64ArrayConstructor;

function wasmKernel(): BlockKernel {
  const kernel = createWasmKernel();
  assert.ok(kernel, "Node 20 has WebAssembly SIMD");
  return kernel;
}

const jsKernel = createJsKernel();
const simdKernel = wasmKernel();
const paths: Array<[string, Gemm]> = [
  ["gemm", gemm],
  ["direct loops", directGemm],
  ["packed JS kernel", (...args) => packedGemm(jsKernel, ...args)],
  ["packed WebAssembly kernel", (...args) => packedGemm(simdKernel, ...args)],
];

/** Uniform in [-1, 1), from a fixed linear congruential sequence, so failures reproduce. */
function random(type: FloatArrayConstructor, n: number, seed: number): FloatArray {
  let s = seed;
  const values = Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1);
  return type === Float32Array ? Float32Array.from(values) : Float64Array.from(values);
}

const OUT_OFFSET = 2;
const SENTINEL = 12345;

/**
 * Runs `f` on op(A)·op(B) at offsets 3 and 5 of the inputs and 2 of the output (surrounded by sentinels), and
 * checks every element against the float64 triple loop: a float32 result must be the float64 sum rounded once
 * (within half a float32 ulp, plus float64 rounding of the sum); a float64 result within the usual k·eps bound.
 * The dispatching `gemm` forms float32 products as OpenBLAS does where its order is known (thin ones, and those it
 * runs on one thread), float32 fused multiply-adds, so those are held to the k·eps bound of float32 instead (their
 * bits are checked against PyTorch's in bitexact.test.ts).
 */
function check(f: Gemm, type: FloatArrayConstructor, m: number, n: number, k: number, transA: boolean, transB: boolean): void {
  const chained = f === gemm && type === Float32Array && (m < 4 || n < 4 || m * n * k <= OPENBLAS_SINGLE_THREAD_MAX_WORK);
  const a = random(type, m * k + 3, 7 * m + 2 * k + 1);
  const b = random(type, k * n + 5, 11 * n + 3 * k + 2);
  const aBefore = Array.from(a);
  const bBefore = Array.from(b);
  const exact = new Float64Array(m * n);
  const magnitude = new Float64Array(m * n);
  reference(m, n, k, Float64Array.from(a), 3, transA, Float64Array.from(b), 5, transB, exact, 0);
  reference(m, n, k, Float64Array.from(a, Math.abs), 3, transA, Float64Array.from(b, Math.abs), 5, transB, magnitude, 0);
  const out = new type(m * n + 2 * OUT_OFFSET).fill(SENTINEL);
  f(m, n, k, a, 3, transA, b, 5, transB, out, OUT_OFFSET);
  const roundOnce = type === Float32Array ? 2 ** -24 : 0;
  const termEps = chained ? 2 ** -23 : 2 ** -52;
  for (let i = 0; i < m * n; i++) {
    const tolerance = roundOnce * Math.abs(exact[i]) + Math.max(k, 1) * termEps * magnitude[i];
    const error = Math.abs(out[OUT_OFFSET + i] - exact[i]);
    assert.ok(error <= tolerance, `element ${i}: ${out[OUT_OFFSET + i]} vs ${exact[i]} (error ${error}, tolerance ${tolerance})`);
  }
  for (const i of [0, 1, m * n + 2, m * n + 3]) assert.equal(out[i], SENTINEL, `output element ${i} outside the product was written`);
  assert.deepEqual(Array.from(a), aBefore, "A was modified");
  assert.deepEqual(Array.from(b), bBefore, "B was modified");
}

const transposes: Array<[boolean, boolean]> = [[false, false], [true, false], [false, true], [true, true]];
const label = (m: number, n: number, k: number, transA: boolean, transB: boolean): string =>
  `${transA ? `(${k}×${m})ᵀ` : `${m}×${k}`} · ${transB ? `(${n}×${k})ᵀ` : `${k}×${n}`}`;

describe("gemm kernel", () => {
  it("uses the WebAssembly SIMD kernel in Node", () => {
    assert.equal(gemmBackend(), "wasm-simd");
  });

  // Empty dimensions, 1, primes, tile edges (4), the direct/packed crossover, and block edges (MB, NB, KB ± 1).
  const shapes: Array<[number, number, number]> = [
    [0, 3, 4], [3, 0, 4], [2, 3, 0], [5, 6, 0], [1, 1, 1], [1, 7, 1], [5, 1, 3], [1, 1, 100], [3, 3, 3], [4, 4, 4],
    [2, 13, 40], [13, 2, 40], [7, 11, 13], [17, 33, 9], [33, 17, 65], [64, 64, 64], [5, 4, 300], [70, 45, 300],
    [MB + 1, 9, KB + 3], [6, NB + 3, 31], [4, 5, 2 * KB + 1], [129, 5, 257], [MB + 5, NB + 7, KB + 1],
  ];
  for (const [name, f] of paths) {
    describe(name, () => {
      for (const [m, n, k] of shapes) {
        for (const [transA, transB] of transposes) {
          it(`${label(m, n, k, transA, transB)}, float32 and float64`, () => {
            check(f, Float32Array, m, n, k, transA, transB);
            check(f, Float64Array, m, n, k, transA, transB);
          });
        }
      }
    });
  }

  it("the MLP 784-256-10 shapes, batch 64, forward and backward, float32", () => {
    const mlp: Array<[number, number, number, boolean, boolean]> = [
      [64, 256, 784, false, true], [64, 10, 256, false, true], // x·W1ᵀ, h·W2ᵀ (nn.Linear keeps W as out×in)
      [64, 256, 10, false, false], [10, 256, 64, true, false], // dh = g·W2, dW2 = gᵀ·h
      [256, 784, 64, true, false], [64, 784, 256, false, false], // dW1 = g1ᵀ·x, dx = g1·W1
    ];
    for (const [m, n, k, transA, transB] of mlp) check(gemm, Float32Array, m, n, k, transA, transB);
  });

  it("the JS and WebAssembly kernels give identical results (same order of additions)", () => {
    for (const [m, n, k] of [[37, 41, 300], [MB + 5, NB + 7, KB + 1]]) {
      for (const [transA, transB] of transposes) {
        const a = random(Float32Array, m * k, m);
        const b = random(Float32Array, k * n, n);
        const viaJs = new Float32Array(m * n);
        const viaWasm = new Float32Array(m * n);
        packedGemm(jsKernel, m, n, k, a, 0, transA, b, 0, transB, viaJs, 0);
        packedGemm(simdKernel, m, n, k, a, 0, transA, b, 0, transB, viaWasm, 0);
        assert.deepEqual(viaWasm, viaJs, label(m, n, k, transA, transB));
      }
    }
  });

  describe("by hand", () => {
    // A = [[1, 2], [3, 4]], B = [[5, 6], [7, 8]], both stored row-major.
    const cases: Array<[boolean, boolean, number[]]> = [
      [false, false, [19, 22, 43, 50]], // A·B
      [true, false, [26, 30, 38, 44]], // Aᵀ·B = [[1, 3], [2, 4]]·B
      [false, true, [17, 23, 39, 53]], // A·Bᵀ = A·[[5, 7], [6, 8]]
      [true, true, [23, 31, 34, 46]], // Aᵀ·Bᵀ = (B·A)ᵀ
    ];
    for (const [transA, transB, expected] of cases) {
      it(`[[1, 2], [3, 4]]${transA ? "ᵀ" : ""} · [[5, 6], [7, 8]]${transB ? "ᵀ" : ""} = ${JSON.stringify(expected)}`, () => {
        for (const [, f] of paths) {
          const out = new Float32Array(4);
          f(2, 2, 2, Float32Array.of(1, 2, 3, 4), 0, transA, Float32Array.of(5, 6, 7, 8), 0, transB, out, 0);
          assert.deepEqual(Array.from(out), expected);
        }
      });
    }

    it("a row times a column is their dot product; a column times a row is their outer product", () => {
      const dot = new Float64Array(1);
      gemm(1, 1, 3, Float64Array.of(1, 2, 3), 0, false, Float64Array.of(4, 5, 6), 0, false, dot, 0);
      assert.deepEqual(Array.from(dot), [32]);
      const outer = new Float64Array(6);
      gemm(3, 2, 1, Float64Array.of(1, 2, 3), 0, false, Float64Array.of(4, 5), 0, false, outer, 0);
      assert.deepEqual(Array.from(outer), [4, 5, 8, 10, 12, 15]);
    });

    it("overwrites the output: k = 0 gives zeros, and a second call gives the same result", () => {
      const zeros = new Float32Array(6).fill(9);
      gemm(2, 3, 0, new Float32Array(0), 0, false, new Float32Array(0), 0, false, zeros, 0);
      assert.deepEqual(Array.from(zeros), [0, 0, 0, 0, 0, 0]);
      const a = random(Float32Array, 40 * 50, 1);
      const b = random(Float32Array, 50 * 30, 2);
      const once = new Float32Array(40 * 30);
      gemm(40, 30, 50, a, 0, false, b, 0, false, once, 0);
      const twice = once.slice();
      gemm(40, 30, 50, a, 0, false, b, 0, false, twice, 0);
      assert.deepEqual(twice, once);
    });

    it("a float32 product is its exact sum rounded once off OpenBLAS's path, which adding in float32 would lose", () => {
      // Every row of A is 1 followed by 298 × 2⁻²⁴ and B is all ones: each output is exactly 1 + 149·2⁻²³, a float32.
      // Summing in float32 would return 1 (each 2⁻²⁴ rounds away against 1). Large enough for the packed path.
      const m = 8, n = 8, k = 299;
      const a = new Float32Array(m * k).fill(2 ** -24);
      for (let i = 0; i < m; i++) a[i * k] = 1;
      const b = new Float32Array(k * n).fill(1);
      for (const [name, f] of paths) {
        const out = new Float32Array(m * n);
        f(m, n, k, a, 0, false, b, 0, false, out, 0);
        // The dispatching gemm forms this product as PyTorch's OpenBLAS does: its 8×4 tiles alternate two float32
        // accumulators, so the odd terms survive in the second (148 of them) and the even ones round away against 1.
        // PyTorch 1.13 prints 1.0000088214874268 for (a @ b)[0, 0].
        const expected = f === gemm ? 1 + 74 * 2 ** -23 : 1 + 149 * 2 ** -23;
        assert.ok(out.every((v) => v === expected), `${name}: ${out[0]}`);
      }
    });

    it("batched products on slices of one buffer: two 2×2 products side by side", () => {
      // Batch 0: I · [[1, 2], [3, 4]]; batch 1: [[0, 1], [1, 0]] · [[1, 2], [3, 4]] swaps the rows.
      const a = Float32Array.of(1, 0, 0, 1, 0, 1, 1, 0);
      const b = Float32Array.of(1, 2, 3, 4, 1, 2, 3, 4);
      const out = new Float32Array(8);
      for (let i = 0; i < 2; i++) gemm(2, 2, 2, a, 4 * i, false, b, 4 * i, false, out, 4 * i);
      assert.deepEqual(Array.from(out), [1, 2, 3, 4, 3, 4, 1, 2]);
    });
  });

  describe("without WebAssembly", () => {
    const saved = globalThis.WebAssembly;
    afterEach(() => {
      globalThis.WebAssembly = saved;
    });

    it("there is no WebAssembly kernel where WebAssembly is missing", () => {
      (globalThis as { WebAssembly?: typeof WebAssembly }).WebAssembly = undefined;
      assert.equal(createWasmKernel(), null);
    });

    it("there is no WebAssembly kernel where compiling is forbidden (a Content-Security-Policy)", () => {
      const forbidden = class {
        constructor() {
          throw new EvalError("WebAssembly.Module(): Refused to compile or instantiate WebAssembly module");
        }
      };
      globalThis.WebAssembly = { ...saved, Module: forbidden as unknown as typeof WebAssembly.Module };
      assert.equal(createWasmKernel(), null);
    });
  });
});

/**
 * The float32 lane kernels (kernels/f32/lanes*.ts: SLEEF's functions four lanes at a time in WebAssembly SIMD)
 * against the one-lane JS kernels they must equal bit for bit, on inputs that mix random bit patterns, normal
 * values at many scales, special values and the edges of each function's ranges; and the exact fused multiply-add
 * they must hand back to JS. (The JS kernels themselves are held to PyTorch's bits by bitexact.test.ts; the two
 * were also compared on all 2^32 float32 inputs with scripts/compare_builds.mjs --exhaustive.)
 */
import { strict as assert } from "node:assert";
import { arithLanes, reluLanes, thresholdBackwardLanes } from "../../src/engine/kernels/f32/arith_lanes";
import { erfArray, erff } from "../../src/engine/kernels/f32/erf";
import { expArray, expf, expm1Array, expm1f } from "../../src/engine/kernels/f32/exp";
import { fmaf } from "../../src/engine/kernels/f32/fma";
import { geluArray, geluBackwardArray } from "../../src/engine/kernels/f32/gelu";
import type { F4, Lanes } from "../../src/engine/kernels/f32/lanes";
import { type LaneKernel, runLanes } from "../../src/engine/kernels/f32/lanes_run";
import { libmPowf } from "../../src/engine/kernels/f32/libm_pow";
import { log1pArray, log1pf, logArray, logf } from "../../src/engine/kernels/f32/log";
import { onednnGelu, onednnGeluArray, onednnGeluBackwardArray, onednnGeluDerivative } from "../../src/engine/kernels/f32/onednn_gelu";
import { powArray, powf, powScalarArray } from "../../src/engine/kernels/f32/pow";
import { sigmoidArray, sigmoidScalar, sigmoidVec } from "../../src/engine/kernels/f32/sigmoid";
import { softplusArray } from "../../src/engine/kernels/f32/softplus";
import { tanhArray, tanhBackward, tanhBackwardArray, tanhf } from "../../src/engine/kernels/f32/tanh";
import { cosRange, sinRange, tanRange } from "../../src/engine/kernels/f32/trig";
import { cosArray, sinArray, tanArray } from "../../src/engine/kernels/f32/trig_lanes";

const f = Math.fround;

/** xorshift32, so failures reproduce. */
function generator(seed: number): () => number {
  let s = seed;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
}

/** n float32s: a quarter random bit patterns, the rest values at many scales, special values and `edges` (each
 * also a few ulps off), in runs of 8 of one kind so that SLEEF's eight-lane range test sees both kinds of group. */
function inputs(n: number, seed: number, edges: number[] = []): Float32Array {
  const next = generator(seed);
  const out = new Float32Array(n);
  const bits = new Uint32Array(out.buffer);
  const scales = [1e-30, 1e-6, 0.01, 0.5, 1, 3, 10, 30, 100, 300, 1e4];
  const specials = [0, -0, Infinity, -Infinity, NaN, 1, -1, 0.5, 2, ...edges];
  for (let i = 0; i < n; i++) {
    const kind = (i >> 3) % 4;
    if (kind === 0) bits[i] = next();
    else if (kind === 1 && next() % 4 === 0) {
      out[i] = specials[next() % specials.length];
      bits[i] += (next() % 5) - 2;
    } else out[i] = ((next() / 2 ** 32) * 2 - 1) * scales[next() % scales.length];
  }
  return out;
}

function assertSameBits(actual: Float32Array, expected: Float32Array, inputsUsed: Float32Array, what: string): void {
  const bad: number[] = [];
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (!(Object.is(a, e) || (a !== a && e !== e))) bad.push(i);
  }
  const show = bad.slice(0, 4).map((i) => `x=${inputsUsed[i]}: ${actual[i]} instead of ${expected[i]}`).join("; ");
  assert.equal(bad.length, 0, `${what}: ${bad.length} of ${expected.length} differ (${show})`);
}

const N = (1 << 16) + 13;

describe("float32 lane kernels give the JS kernels' bits", () => {
  const unary: Array<[string, (src: Float32Array, out: Float32Array) => void, (x: number) => number, number[]]> = [
    ["exp", expArray, expf, [88.72, -87.3, 100, -104, 1e-20]],
    ["expm1", expm1Array, expm1f, [88.72, -16.64, 1e-8, -1e-8]],
    ["log", logArray, logf, [1, 1.0000001, 0.9999999, 1.1754944e-38, 2]],
    ["log1p", log1pArray, log1pf, [-1, -0.9999999, 1e38, 1e-20, 0]],
    ["tanh", tanhArray, tanhf, [8.664339742, -8.664339742, 1e-10, 0.5493]],
    ["erf", erfArray, erff, [1.1, 2.4, 4, -4, 1e-9]],
    ["oneDNN's gelu", onednnGeluArray, onednnGelu, [-88.7, 88.7, 1e-20]],
  ];
  for (const [name, array, one, edges] of unary) {
    it(`${name}: every element`, () => {
      const x = inputs(N, name.length * 7919, edges);
      const out = new Float32Array(N);
      array(x, out);
      assertSameBits(out, x.map(one), x, name);
    });
  }

  const trig: Array<[string, typeof sinArray, typeof sinRange]> = [["sin", sinArray, sinRange], ["cos", cosArray, cosRange], ["tan", tanArray, tanRange]];
  for (const [name, array, range] of trig) {
    it(`${name}: every element, groups of eight with and without a large argument`, () => {
      const x = inputs(N, name.length * 104729, [124.9, 125, -125, Math.PI / 2, 1e-9]);
      const out = new Float32Array(N);
      const expected = new Float32Array(N);
      array(x, out);
      range(x, expected, 0, N);
      assertSameBits(out, expected, x, name);
    });
  }

  it("sigmoid: the vectorised formula in whole blocks of 16, the scalar one for the rest", () => {
    const x = inputs(N, 11);
    const out = new Float32Array(N);
    sigmoidArray(x, out);
    const split = N - (N % 16);
    assertSameBits(out, x.map((v, i) => (i < split ? sigmoidVec(v) : sigmoidScalar(v))), x, "sigmoid");
  });

  it("pow: a tensor exponent and number exponents", () => {
    const x = inputs(N, 12, [1, -1, 0]).map((v, i) => (i % 3 === 0 ? Math.abs(v) : v));
    const y = inputs(N, 13, [0.5, 2, -1, 3]).map((v, i) => (i % 5 === 0 ? Math.round(v) : v));
    const out = new Float32Array(N);
    const split = N - (N % 16);
    powArray(x, y, out);
    assertSameBits(out, x.map((v, i) => (i < split ? powf(v, y[i]) : libmPowf(v, y[i]))), x, "pow(x, y)");
    for (const e of [2.5, -0.3, 1e-3]) {
      powScalarArray(x, e, out);
      assertSameBits(out.subarray(0, split), x.subarray(0, split).map((v) => powf(v, f(e))), x, `pow(x, ${e})`);
    }
  });

  it("backward kernels of two inputs: tanh, oneDNN's gelu", () => {
    const g = inputs(N, 14);
    const y = inputs(N, 15);
    const out = new Float32Array(N);
    tanhBackwardArray(g, y, out);
    assertSameBits(out, g.map((v, i) => tanhBackward(v, y[i])), y, "tanh backward");
    onednnGeluBackwardArray(g, y, out);
    assertSameBits(out, g.map((v, i) => f(onednnGeluDerivative(y[i]) * v)), y, "oneDNN gelu backward");
  });

  it("gelu's tanh form and softplus, forward and backward, with and without WebAssembly", () => {
    const x = inputs(N, 16);
    const g = inputs(N, 17);
    const run = (): Float32Array[] => {
      const outs = [new Float32Array(N), new Float32Array(N), new Float32Array(N), new Float32Array(N)];
      geluArray(x, outs[0], "tanh");
      geluBackwardArray(g, x, outs[1], "tanh");
      softplusArray(x, outs[2], 1, 20);
      softplusArray(x, outs[3], 2, 5);
      return outs;
    };
    const lanes = run();
    const saved = globalThis.WebAssembly;
    (globalThis as { WebAssembly?: typeof WebAssembly }).WebAssembly = undefined;
    let js: Float32Array[];
    try {
      js = run();
    } finally {
      globalThis.WebAssembly = saved;
    }
    ["gelu tanh", "gelu tanh backward", "softplus", "softplus(β=2, threshold=5)"].forEach((what, k) => assertSameBits(lanes[k], js[k], x, what));
  });

  it("arithmetic and relu: the same IEEE operations", () => {
    const a = inputs(1 << 14, 18);
    const b = inputs(1 << 14, 19);
    const out = new Float32Array(a.length);
    const ops: Array<["add" | "sub" | "mul" | "div", (x: number, y: number) => number]> = [["add", (x, y) => x + y], ["sub", (x, y) => x - y], ["mul", (x, y) => x * y], ["div", (x, y) => x / y]];
    for (const [op, js] of ops) {
      assert.ok(arithLanes(op, a, b, out));
      assertSameBits(out, a.map((x, i) => js(x, b[i])), a, op);
    }
    assert.ok(reluLanes(a, out));
    assertSameBits(out, a.map((x) => (x < 0 ? 0 : x)), a, "relu");
    assert.ok(thresholdBackwardLanes(b, a, 0, out));
    assertSameBits(out, b.map((g, i) => (a[i] <= 0 ? 0 : g)), a, "threshold backward");
  });
});

describe("lane kernels' fused multiply-add", () => {
  // (1 + 2^-12)² + 2^-80: the double sum rounds to the tie 1 + 2^-11 + 2^-24 between two floats, which rounding to
  // even would send down; the exact value is above it, and the fma rounds up.
  const a = 1 + 2 ** -12;
  const tiny = 2 ** -80;
  const fused: LaneKernel = {
    name: "fma probe",
    inputs: 2,
    emit: (L: Lanes, [x]: F4[], [y]: F4[], [z]: F4[]) => [L.fma(x, y, z)],
    exact: ([x, y], out, from, to, [z]) => {
      for (let i = from; i < to; i++) out[i] = fmaf(x[i], y[i], z);
    },
  };

  it("hands a vector with an inexact tie to the exact JS path", () => {
    assert.equal(fmaf(a, a, tiny), f(1 + 2 ** -11 + 2 ** -23), "the exact fma rounds up");
    assert.equal(f(a * a + tiny), f(1 + 2 ** -11), "rounding the double sum goes down");
    const x = new Float32Array(64).fill(1.5);
    x[37] = a;
    const out = new Float32Array(64);
    assert.ok(runLanes(fused, [x, x], out, 0, 64, [tiny]));
    assertSameBits(out, x.map((v) => fmaf(v, v, tiny)), x, "fma");
  });

  it("keeps ties that are the exact sum, and results of exp(0), without the JS path", () => {
    // A tie reached exactly (no rounding in the double sum) rounds right in SIMD; the sum of zeros is a float.
    const x = new Float32Array(64).fill(a);
    const out = new Float32Array(64);
    let exact = 0;
    const counting: LaneKernel = { ...fused, name: "fma probe, counted", exact: (...args) => { exact++; fused.exact(...args); } };
    assert.ok(runLanes(counting, [x, x], out, 0, 64, [0]));
    assert.equal(exact, 0);
    assertSameBits(out, x.map((v) => fmaf(v, v, 0)), x, "fma of a tie reached exactly");
    const zeros = new Float32Array(64);
    expArray(zeros, out);
    assert.deepEqual(Array.from(new Set(out)), [1]);
  });
});

/** The gemm kernel against a plain triple loop in float64, on awkward shapes, every transpose, and offsets. */
import { strict as assert } from "node:assert";
import { gemm as reference } from "../../src/engine/kernels/gemm_naive";
import { gemm } from "../../src/engine/kernels/matmul";

function random(n: number, seed: number): Float64Array {
  let s = seed;
  return Float64Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1);
}

describe("gemm kernel", () => {
  const shapes: Array<[number, number, number]> = [[0, 3, 4], [3, 0, 4], [2, 3, 0], [1, 1, 1], [1, 7, 1], [5, 1, 3], [3, 3, 3], [17, 33, 9], [33, 17, 65], [64, 64, 64], [70, 45, 300], [4, 260, 513], [129, 5, 257]];
  for (const [m, n, k] of shapes) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        it(`${m}×${k} · ${k}×${n}${transA ? ", Aᵀ" : ""}${transB ? ", Bᵀ" : ""}`, () => {
          const a = random(m * k + 3, m + 2 * k);
          const b = random(k * n + 5, n + 3 * k);
          const expected = new Float64Array(m * n + 2);
          const actual = new Float64Array(m * n + 2);
          reference(m, n, k, a, 3, transA, b, 5, transB, expected, 2);
          gemm(m, n, k, a, 3, transA, b, 5, transB, actual, 2);
          for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i] - expected[i]) <= 1e-12 * (1 + Math.abs(expected[i])) * Math.max(k, 1), `element ${i}`);
        });
      }
    }
  }

  it("float32 output is the double sum rounded once: [[1, 2], [3, 4]] · [[5, 6], [7, 8]] = [[19, 22], [43, 50]]", () => {
    const out = new Float32Array(4);
    gemm(2, 2, 2, Float32Array.of(1, 2, 3, 4), 0, false, Float32Array.of(5, 6, 7, 8), 0, false, out, 0);
    assert.deepEqual(Array.from(out), [19, 22, 43, 50]);
  });
});

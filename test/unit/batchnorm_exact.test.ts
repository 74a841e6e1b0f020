/**
 * Batch norm, forward and backward, to PyTorch 1.13's last bit in float32 and float64: ATen's channels-last kernels
 * for [N, C] input, its contiguous ones for [N, C, *], in training (batch statistics, running averages updated) and
 * evaluation, with and without weight and bias (test/fixtures/batchnorm_exact.json, from
 * scripts/fixtures/batchnorm_exact_fixtures.py). cs231n's and makemore's hand-written batch norm backward are compared
 * with exactly these gradients.
 */
import { strict as assert } from "node:assert";
import { F, tensor, type Tensor } from "../../src/engine";
import { loadFixture } from "./helpers/compare";

interface Case {
  dtype: "float32" | "float64";
  shape: number[];
  training: boolean;
  affine: boolean;
  x: number[];
  w: number[];
  b: number[];
  runningMean: number[];
  runningVar: number[];
  g: number[];
  out: number[];
  gradX: number[];
  gradW?: number[];
  gradB?: number[];
  runningMeanAfter: number[];
  runningVarAfter: number[];
}

function differing(t: Tensor | null, expected: number[]): string {
  assert.ok(t, "a gradient PyTorch has is missing");
  const got = t._data;
  const bad = expected.map((_, i) => i).filter((i) => !Object.is(got[i], expected[i]));
  return bad.length === 0 ? "" : `${bad.length} of ${expected.length} differ, first [${bad[0]}]: ${got[bad[0]]} vs ${expected[bad[0]]}`;
}

describe("batch norm to PyTorch's last bit (forward, backward, running statistics)", () => {
  for (const c of loadFixture<{ cases: Case[] }>("batchnorm_exact.json").cases) {
    it(`${c.dtype} [${c.shape.join("×")}] ${c.training ? "training" : "evaluation"}${c.affine ? "" : ", no weight or bias"}`, () => {
      const dtype = c.dtype;
      const x = tensor(c.x, { dtype }).reshape(c.shape).requiresGrad_(true);
      const w = tensor(c.w, { dtype }).requiresGrad_(true);
      const b = tensor(c.b, { dtype }).requiresGrad_(true);
      const rm = tensor(c.runningMean, { dtype });
      const rv = tensor(c.runningVar, { dtype });
      const y = F.batchNorm(x, rm, rv, { weight: c.affine ? w : null, bias: c.affine ? b : null, training: c.training, momentum: 0.1, eps: 1e-5 });
      y.backward(tensor(c.g, { dtype }).reshape(c.shape));
      const report = [
        ["output", differing(y, c.out)],
        ["grad of input", differing(x.grad, c.gradX)],
        ["grad of weight", c.gradW ? differing(w.grad, c.gradW) : ""],
        ["grad of bias", c.gradB ? differing(b.grad, c.gradB) : ""],
        ["running mean", differing(rm, c.runningMeanAfter)],
        ["running var", differing(rv, c.runningVarAfter)],
      ].filter(([, text]) => text !== "");
      assert.deepEqual(report, []);
      assert.equal(y.gradFn?.name, "NativeBatchNormBackward0");
    });
  }
});

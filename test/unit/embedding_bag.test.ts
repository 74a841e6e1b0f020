/**
 * nn.EmbeddingBag and F.embeddingBag against PyTorch 1.13 (scripts/fixtures/spatial_fixtures.py →
 * test/fixtures/spatial.json): the weight after manualSeed bit for bit, repr, outputs for sum / mean / max with
 * offsets, 2-D input, empty bags, per-sample weights, padding_idx, include_last_offset, scale_grad_by_freq and
 * max_norm (the weight renormalised in place), the gradients of weight and per-sample weights, their
 * "NotImplemented" nodes and PyTorch's errors.
 */
import { strict as assert } from "node:assert";
import * as gl from "../../src/engine";
import { F, nn, type DType, type Tensor } from "../../src/engine";
import { type FixtureValue, assertClose, fromFixture, loadFixture } from "./helpers/compare";

interface BagCase {
  kw: Record<string, unknown>;
  repr: string;
  initialWeight: FixtureValue[];
  input: number[] | number[][];
  offsets: number[] | null;
  psw: { shape: number[]; dtype: DType; values: FixtureValue[] } | null;
  upstream: FixtureValue[];
  output: FixtureValue[];
  outShape: number[];
  gradFn: string;
  weightAfter: FixtureValue[];
  gradWeight: FixtureValue[];
  gradPsw: FixtureValue[] | null;
  gradGradFns: string[];
  secondDerivativeErrors: Array<string | null>;
}

const { embeddingBag: fixture } = loadFixture<{ embeddingBag: { cases: BagCase[]; errors: Record<string, { type: string; message: string }> } }>("spatial.json");

const camel = (k: string) => k.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
const options = (kw: Record<string, unknown>) => Object.fromEntries(Object.entries(kw).map(([k, v]) => [camel(k), v])) as nn.EmbeddingBagModuleOptions;
const longs = (v: number[] | number[][]) => gl.tensor(v, { dtype: "int64" });

describe("nn.EmbeddingBag against PyTorch 1.13", () => {
  fixture.cases.forEach((c, n) => {
    it(`${n}: ${c.repr} on ${JSON.stringify(c.input)}${c.offsets ? ` offsets ${JSON.stringify(c.offsets)}` : ""}${c.psw ? " with per-sample weights" : ""}`, () => {
      gl.manualSeed(7);
      const m = new nn.EmbeddingBag(10, 3, options(c.kw));
      assert.equal(String(m), c.repr);
      assertClose(m.weight, c.initialWeight, true, "initial weight (bit for bit)");
      const psw = c.psw ? fromFixture(c.psw.values, c.psw.shape, c.psw.dtype, true) : null;
      const out = (m as unknown as (i: Tensor, o: Tensor | null, p: Tensor | null) => Tensor)(longs(c.input), c.offsets ? longs(c.offsets) : null, psw);
      assert.deepEqual(out.shape, c.outShape);
      assert.equal(out.gradFn?.name, c.gradFn);
      assertClose(out, c.output, false, "output");
      assertClose(m.weight, c.weightAfter, false, "weight after the call (max_norm renormalises in place)");
      const upstream = fromFixture(c.upstream, out.shape, out.dtype, true);
      const leaves = psw ? [m.weight, psw] : [m.weight];
      const grads = gl.autograd.grad(out.mul(upstream).sum(), leaves, { createGraph: true });
      assertClose(grads[0]!, c.gradWeight, false, "weight gradient");
      if (psw) assertClose(grads[1]!, c.gradPsw!, false, "per-sample weights gradient");
      grads.forEach((g, k) => {
        assert.equal(g!.gradFn?.name, c.gradGradFns[k]);
        assert.throws(() => gl.autograd.grad(g!.sum(), [upstream]), (e: Error) => e.message === c.secondDerivativeErrors[k]);
      });
    });
  });

  it("F.embeddingBag gives the module's output", () => {
    const w = gl.randn(10, 3);
    const i = longs([1, 2, 4, 5]);
    const o = longs([0, 1]);
    assert.deepEqual(F.embeddingBag(i, w, { offsets: o, mode: "sum" }).tolist(), new nn.EmbeddingBag(10, 3, { mode: "sum", weight: w })(i, o).tolist());
  });

  it("gradcheck in float64 (sum with per-sample weights, mean, max)", () => {
    gl.manualSeed(16);
    const w = gl.randn([6, 3], { dtype: "float64" }).requiresGrad_();
    const i = longs([1, 2, 4, 5, 4, 0]);
    const o = longs([0, 2, 2]);
    const psw = gl.rand([6], { dtype: "float64" }).requiresGrad_();
    assert.ok(gl.autograd.gradcheck((wt: Tensor, p: Tensor) => F.embeddingBag(i, wt, { offsets: o, mode: "sum", perSampleWeights: p }), [w, psw]));
    assert.ok(gl.autograd.gradcheck((wt: Tensor) => F.embeddingBag(i, wt, { offsets: o, mode: "mean" }), [w]));
    assert.ok(gl.autograd.gradcheck((wt: Tensor) => F.embeddingBag(i, wt, { offsets: o, mode: "max" }), [w]));
  });
});

describe("F.embeddingBag: PyTorch's errors", () => {
  const w = gl.randn(10, 3);
  const i = longs([1, 2, 4, 5, 4, 3, 2, 9, 0, 2]);
  const o = longs([0, 4]);
  const attempts: Record<string, () => unknown> = {
    offsets2d: () => F.embeddingBag(i.view(2, 5), w, { offsets: o }),
    noOffsets: () => F.embeddingBag(i, w),
    firstOffset: () => F.embeddingBag(i, w, { offsets: longs([1, 4]) }),
    lastOffset: () => F.embeddingBag(i, w, { offsets: longs([0, 11]) }),
    mode: () => F.embeddingBag(i, w, { offsets: o, mode: "foo" as F.EmbeddingBagMode }),
    pswMean: () => F.embeddingBag(i, w, { offsets: o, mode: "mean", perSampleWeights: gl.rand(10) }),
    pswShape: () => F.embeddingBag(i, w, { offsets: o, mode: "sum", perSampleWeights: gl.rand(9) }),
    rank3: () => F.embeddingBag(i.view(1, 2, 5), w),
    paddingIdx: () => F.embeddingBag(i, w, { offsets: o, paddingIdx: 10 }),
    modulePaddingIdx: () => new nn.EmbeddingBag(10, 3, { paddingIdx: 10 }),
  };
  for (const [name, attempt] of Object.entries(attempts)) {
    it(name, () => {
      const expected = fixture.errors[name];
      assert.throws(attempt, (e: Error) => {
        assert.equal(e.name, expected.type, `error type (message: ${e.message})`);
        assert.equal(e.message, expected.message);
        return true;
      });
    });
  }
});

/**
 * nn.LocalResponseNorm and F.localResponseNorm against PyTorch 1.13 (scripts/fixtures/spatial_fixtures.py →
 * test/fixtures/spatial.json): repr, output, grad_fn, the input's gradient and its node, on 3-D, 4-D and 5-D input.
 */
import { strict as assert } from "node:assert";
import * as gl from "../../src/engine";
import { F, nn, type DType, type Tensor } from "../../src/engine";
import { type FixtureValue, assertClose, fromFixture, loadFixture } from "./helpers/compare";

interface LrnCase {
  size: number;
  kw: F.LocalResponseNormOptions;
  repr: string;
  input: { shape: number[]; dtype: DType; values: FixtureValue[] };
  upstream: FixtureValue[];
  output: FixtureValue[];
  gradFn: string;
  gradInput: FixtureValue[];
  gradGradFn: string;
}

const { lrn } = loadFixture<{ lrn: { cases: LrnCase[]; rankError: string } }>("spatial.json");

describe("nn.LocalResponseNorm against PyTorch 1.13", () => {
  for (const c of lrn.cases) {
    it(`${c.repr} on ${c.input.dtype} [${c.input.shape}]`, () => {
      const m = new nn.LocalResponseNorm(c.size, c.kw);
      assert.equal(String(m), c.repr);
      const x = fromFixture(c.input.values, c.input.shape, c.input.dtype, true);
      const out = (m as unknown as (t: Tensor) => Tensor)(x);
      assert.equal(out.gradFn?.name, c.gradFn);
      assertClose(out, c.output, false, "output");
      assertClose(F.localResponseNorm(x, c.size, c.kw), c.output, false, "F.localResponseNorm");
      const [gx] = gl.autograd.grad(out.mul(fromFixture(c.upstream, out.shape, out.dtype, false)).sum(), [x], { createGraph: true });
      assertClose(gx!, c.gradInput, false, "input gradient");
      assert.equal(gx!.gradFn?.name, c.gradGradFn);
    });
  }

  it("refuses input of fewer than 3 dims with PyTorch's message", () => {
    assert.throws(() => F.localResponseNorm(gl.randn(2, 5), 2), (e: Error) => e.name === "ValueError" && e.message === lrn.rankError);
  });

  it("passes empty input through", () => {
    const x = gl.randn(0, 3, 4);
    assert.equal(F.localResponseNorm(x, 2), x);
  });

  it("gradcheck in float64", () => {
    gl.manualSeed(15);
    const x = gl.randn([2, 4, 3, 2], { dtype: "float64" }).requiresGrad_();
    assert.ok(gl.autograd.gradcheck((t: Tensor) => F.localResponseNorm(t, 3, { alpha: 0.5 }), [x]));
  });
});

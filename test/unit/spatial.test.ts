/**
 * Spatial layers against PyTorch 1.13 (scripts/fixtures/spatial_fixtures.py → test/fixtures/spatial.json):
 * F.affineGrid and F.gridSample (every mode, padding mode and align_corners, float32 and float64) — outputs, the
 * gradients of theta, input and grid, grad_fn names, the Spatial Transformer Networks tutorial's chain with its
 * warnings, and error types and messages.
 */
import { strict as assert } from "node:assert";
import * as gl from "../../src/engine";
import { F, type DType, type Recorder, type Tensor } from "../../src/engine";
import { type FixtureValue, assertClose, fromFixture, loadFixture } from "./helpers/compare";

interface Described {
  shape: number[];
  dtype: DType;
  values: FixtureValue[];
  requiresGrad: boolean;
}

interface AffineCase {
  theta: Described;
  size: number[];
  alignCorners: boolean;
  upstream: FixtureValue[];
  output: FixtureValue[];
  outShape: number[];
  gradFn: string;
  gradTheta: FixtureValue[];
}

interface SampleCase {
  input: Described;
  grid: Described;
  mode: F.GridSampleMode;
  paddingMode: F.GridSamplePadding;
  alignCorners: boolean;
  upstream: FixtureValue[];
  output: FixtureValue[];
  outShape: number[];
  gradFn: string;
  gradInput: FixtureValue[];
  gradGrid: FixtureValue[];
}

interface ErrorFixture {
  type: string;
  message: string;
}

interface Fixture {
  affineGrid: AffineCase[];
  gridSample: SampleCase[];
  stn: {
    input: Described;
    theta: Described;
    upstream: FixtureValue[];
    output: FixtureValue[];
    gridGradFn: string;
    outGradFn: string;
    gradInput: FixtureValue[];
    gradTheta: FixtureValue[];
    gradInputGradFn: string;
    gradThetaGradFn: string;
    warnings: string[];
  };
  errors: Record<string, ErrorFixture | string[]>;
}

const fixture = loadFixture<Fixture>("spatial.json");

const leaf = (d: Described): Tensor => fromFixture(d.values, d.shape, d.dtype, true);
const like = (values: FixtureValue[], t: Tensor): Tensor => fromFixture(values, t.shape, t.dtype, false);

function collectWarnings<T>(fn: () => T): { result: T; warnings: string[] } {
  const warnings: string[] = [];
  const recorder: Recorder = { onTensor() {}, onModified() {}, onBackward() {}, onWarning: (m) => warnings.push(m) };
  gl.setRecorder(recorder);
  try {
    return { result: fn(), warnings };
  } finally {
    gl.setRecorder(null);
  }
}

describe("F.affineGrid against PyTorch 1.13", () => {
  for (const c of fixture.affineGrid) {
    it(`${c.theta.dtype} size [${c.size}] alignCorners=${c.alignCorners}`, () => {
      const theta = leaf(c.theta);
      const grid = F.affineGrid(theta, c.size, { alignCorners: c.alignCorners });
      assert.deepEqual(grid.shape, c.outShape);
      assert.equal(grid.gradFn?.name, c.gradFn);
      assertClose(grid, c.output, false, "grid");
      const [g] = gl.autograd.grad(grid.mul(like(c.upstream, grid)).sum(), [theta]);
      assertClose(g!, c.gradTheta, false, "theta gradient");
    });
  }
});

describe("F.gridSample against PyTorch 1.13", () => {
  for (const c of fixture.gridSample) {
    it(`${c.input.dtype} ${c.mode} ${c.paddingMode} alignCorners=${c.alignCorners}`, () => {
      const input = leaf(c.input);
      const grid = leaf(c.grid);
      const out = F.gridSample(input, grid, { mode: c.mode, paddingMode: c.paddingMode, alignCorners: c.alignCorners });
      assert.deepEqual(out.shape, c.outShape);
      assert.equal(out.gradFn?.name, c.gradFn);
      assertClose(out, c.output, false, "output");
      const [gx, gg] = gl.autograd.grad(out.mul(like(c.upstream, out)).sum(), [input, grid]);
      assertClose(gx!, c.gradInput, false, "input gradient");
      assertClose(gg!, c.gradGrid, false, "grid gradient");
    });
  }
});

describe("the Spatial Transformer Networks tutorial's sampling step", () => {
  it("affineGrid then gridSample with the defaults: values, warnings, gradients and their graph", () => {
    const s = fixture.stn;
    const x = leaf(s.input);
    const theta = leaf(s.theta);
    const { result, warnings } = collectWarnings(() => {
      const grid = F.affineGrid(theta, x.shape);
      return { grid, out: F.gridSample(x, grid) };
    });
    assert.deepEqual(warnings, s.warnings);
    assert.equal(result.grid.gradFn?.name, s.gridGradFn);
    assert.equal(result.out.gradFn?.name, s.outGradFn);
    assertClose(result.out, s.output, false, "output");
    const [gx, gt] = gl.autograd.grad(result.out.mul(like(s.upstream, result.out)).sum(), [x, theta], { createGraph: true });
    assertClose(gx!, s.gradInput, false, "input gradient");
    assertClose(gt!, s.gradTheta, false, "theta gradient");
    assert.equal(gx!.gradFn?.name, s.gradInputGradFn);
    assert.equal(gt!.gradFn?.name, s.gradThetaGradFn);
  });
});

describe("spatial layers: PyTorch's errors and warnings", () => {
  const theta = gl.randn(2, 2, 3);
  const x = gl.randn(2, 3, 4, 5);
  const grid = gl.rand(2, 4, 5, 2);
  const e = fixture.errors;
  const attempts: Record<string, () => unknown> = {
    affineGridSize3: () => F.affineGrid(theta, [2, 3, 4], { alignCorners: false }),
    affineGridThetaShape: () => F.affineGrid(theta.select(0, 0), [3, 3, 4, 5], { alignCorners: false }),
    affineGridBatch: () => F.affineGrid(theta, [3, 3, 4, 5], { alignCorners: false }),
    affineGridInt: () => F.affineGrid(theta.long(), [2, 3, 4, 5], { alignCorners: false }),
    affineGridSize5: () => F.affineGrid(theta, [2, 3, 4, 5, 6], { alignCorners: false }),
    gridSampleMode: () => F.gridSample(x, grid, { mode: "foo" as F.GridSampleMode, alignCorners: false }),
    gridSamplePadding: () => F.gridSample(x, grid, { paddingMode: "foo" as F.GridSamplePadding, alignCorners: false }),
    gridSampleBatch: () => F.gridSample(x, grid.narrow(0, 0, 1), { alignCorners: false }),
    gridSampleLast: () => F.gridSample(x, grid.narrow(-1, 0, 1), { alignCorners: false }),
    gridSampleRank: () => F.gridSample(x.select(0, 0), grid.select(0, 0), { alignCorners: false }),
    gridSampleDtype: () => F.gridSample(x, grid.double(), { alignCorners: false }),
    gridSampleEmpty: () => F.gridSample(x.narrow(2, 0, 0), grid, { alignCorners: false }),
  };
  for (const [name, attempt] of Object.entries(attempts)) {
    it(name, () => {
      const expected = e[name] as ErrorFixture;
      assert.throws(attempt, (err: Error) => {
        assert.equal(err.name, expected.type, `error type (message: ${err.message})`);
        assert.equal(err.message, expected.message);
        return true;
      });
    });
  }
  it("warns for a unit-size grid with alignCorners", () => {
    const { warnings } = collectWarnings(() => F.affineGrid(theta, [2, 3, 1, 5], { alignCorners: true }));
    assert.deepEqual(warnings, e.unitSizeWarning);
  });
  it("refuses to differentiate grid_sampler_2d_backward, as PyTorch does", () => {
    const expected = e.doubleBackward as ErrorFixture & { gradFn: string };
    const xi = x.clone().requiresGrad_(true);
    const gi = grid.clone().requiresGrad_(true);
    const [gx] = gl.autograd.grad(F.gridSample(xi, gi, { alignCorners: false }).sum(), [xi], { createGraph: true });
    assert.equal(gx!.gradFn?.name, expected.gradFn);
    assert.throws(() => gl.autograd.grad(gx!.sum(), [gi]), (err: Error) => {
      assert.equal(err.name, expected.type);
      assert.equal(err.message, expected.message);
      return true;
    });
  });
});

describe("spatial layers: gradcheck in float64", () => {
  const leaf = (...shape: number[]) => gl.randn(shape, { dtype: "float64" }).requiresGrad_();
  it("affineGrid (theta)", () => {
    gl.manualSeed(13);
    assert.ok(gl.autograd.gradcheck((t: Tensor) => F.affineGrid(t, [2, 1, 3, 4], { alignCorners: false }), [leaf(2, 2, 3)]));
  });
  for (const paddingMode of ["zeros", "border", "reflection"] as const) {
    it(`gridSample bilinear, ${paddingMode} (input and grid)`, () => {
      gl.manualSeed(14);
      const grid = gl.rand([1, 3, 4, 2], { dtype: "float64" }).mul(2.4).sub(1.2).requiresGrad_();
      assert.ok(gl.autograd.gradcheck((x: Tensor, g: Tensor) => F.gridSample(x, g, { paddingMode, alignCorners: false }), [leaf(1, 2, 3, 4), grid]));
    });
  }
});

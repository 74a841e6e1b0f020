/**
 * The 3-D layers against PyTorch 1.13 (scripts/fixtures/spatial_fixtures.py → test/fixtures/spatial.json):
 * F.conv3d, F.convTranspose3d, F.maxPool3d, F.avgPool3d (outputs, indices, grad_fn, the gradient of every leaf and the node of the
 * backward), nn.Conv3d, nn.ConvTranspose3d, nn.MaxPool3d, nn.AvgPool3d, nn.BatchNorm3d, nn.InstanceNorm3d (weights after manualSeed, repr,
 * training and eval outputs, gradients, running statistics), and PyTorch's errors.
 */
import { strict as assert } from "node:assert";
import * as gl from "../../src/engine";
import { F, nn, type DType, type Recorder, type Tensor } from "../../src/engine";
import { type FixtureValue, assertClose, assertNear, fromFixture, loadFixture } from "./helpers/compare";

interface Described {
  shape: number[];
  dtype: DType;
  values: FixtureValue[];
  requiresGrad: boolean;
}

type Kw = Record<string, unknown>;

interface FunctionalCase {
  fn: "conv3d" | "conv_transpose3d" | "max_pool3d" | "avg_pool3d";
  kw: Kw;
  inputs: Array<Described | null>;
  upstream: FixtureValue[];
  output: FixtureValue[];
  outShape: number[];
  gradFn: string;
  grads: Array<FixtureValue[] | null>;
  gradGradFn: string;
  warnings: string[];
  indices?: number[];
}

interface ModuleCase {
  kind: "Conv3d" | "ConvTranspose3d" | "MaxPool3d" | "AvgPool3d" | "BatchNorm3d" | "InstanceNorm3d";
  args: unknown[];
  kw: Kw;
  repr: string;
  input: Described;
  upstream: FixtureValue[];
  params: Record<string, FixtureValue[]>;
  output: FixtureValue[];
  outShape: number[];
  gradFn: string;
  gradInput: FixtureValue[];
  paramGrads: Record<string, FixtureValue[]>;
  buffers: Record<string, FixtureValue[]>;
  evalOutput: FixtureValue[];
}

const fixture = loadFixture<{ functional3d: FunctionalCase[]; modules3d: ModuleCase[]; errors3d: Record<string, { type: string; message: string }> }>("spatial.json");

const camel = (k: string) => k.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
const options = (kw: Kw): Kw => Object.fromEntries(Object.entries(kw).map(([k, v]) => [camel(k), v]));
/** PyTorch's C++ warnings end with where they were raised; the engine's say only what happened. */
const withoutOrigin = (m: string) => m.replace(/ \(Triggered internally at .*\)$/, "");

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

function call(c: FunctionalCase, leaves: Array<Tensor | null>): Tensor {
  const kw = options(c.kw);
  if (c.fn === "conv3d") return F.conv3d(leaves[0]!, leaves[1]!, leaves[2], kw as F.ConvOptions);
  if (c.fn === "conv_transpose3d") return F.convTranspose3d(leaves[0]!, leaves[1]!, leaves[2], kw as F.ConvTransposeOptions);
  const { kernelSize, ...rest } = kw;
  if (c.fn === "max_pool3d") return F.maxPool3d(leaves[0]!, kernelSize as number, rest as F.MaxPoolOptions & { returnIndices?: false });
  return F.avgPool3d(leaves[0]!, kernelSize as number, rest as F.AvgPoolOptions);
}

/** The PyTorch warning for 'same' padding with an even kernel, which PyTorch gives once per process. */
const sameWarning = fixture.functional3d.flatMap((c) => c.warnings).map(withoutOrigin)[0];

describe("3-D functional layers against PyTorch 1.13", () => {
  for (const c of fixture.functional3d) {
    const dtype = c.inputs[0]!.dtype;
    it(`${c.fn} ${dtype} [${c.inputs[0]!.shape}] ${JSON.stringify(c.kw)}`, () => {
      const leaves = c.inputs.map((d) => (d ? fromFixture(d.values, d.shape, d.dtype, true) : null));
      const { result: out, warnings } = collectWarnings(() => call(c, leaves));
      assert.deepEqual(warnings, c.kw.padding === "same" ? [sameWarning] : [], "warnings");
      assert.deepEqual(out.shape, c.outShape);
      assert.equal(out.gradFn?.name, c.gradFn);
      // Convolutions sum many float32 products, which PyTorch adds in another order.
      const close = (t: Tensor, v: FixtureValue[], what: string) => (c.fn.startsWith("conv") && dtype === "float32" ? assertNear(t, v, what, 2e-6) : assertClose(t, v, false, what));
      close(out, c.output, "output");
      if (c.indices) {
        const [, indices] = F.maxPool3d(leaves[0]!, options(c.kw).kernelSize as number, { ...(options(c.kw) as F.MaxPoolOptions), returnIndices: true });
        assert.equal(indices.dtype, "int64");
        assert.deepEqual(indices.reshape(-1).tolist(), c.indices);
      }
      const present = leaves.filter((t): t is Tensor => t !== null);
      const upstream = fromFixture(c.upstream, out.shape, out.dtype, false);
      const grads = gl.autograd.grad(out.mul(upstream).sum(), present, { createGraph: true });
      let k = 0;
      leaves.forEach((t, i) => {
        if (t === null) return;
        close(grads[k++]!, c.grads[i]!, `gradient of input ${i}`);
      });
      assert.equal(grads[0]!.gradFn?.name, c.gradGradFn, "the backward's node");
    });
  }

  it("conv3d's second derivative: the gradient of the input's gradient w.r.t. the weight exists, as in PyTorch", () => {
    const x = gl.randn(1, 2, 3, 3, 3).requiresGrad_();
    const w = gl.randn(2, 2, 2, 2, 2).requiresGrad_();
    const [gx] = gl.autograd.grad(F.conv3d(x, w).pow(2).sum(), [x], { createGraph: true });
    const [gw] = gl.autograd.grad(gx!.sum(), [w]);
    assert.deepEqual(gw!.shape, [2, 2, 2, 2, 2]);
  });
});

function build(c: ModuleCase): gl.nn.Module {
  const kw = options(c.kw);
  const args = c.args as [number, number, number];
  switch (c.kind) {
    case "Conv3d":
      return new nn.Conv3d(args[0], args[1], args[2], kw);
    case "ConvTranspose3d":
      return new nn.ConvTranspose3d(args[0], args[1], args[2], kw);
    case "MaxPool3d":
      return new nn.MaxPool3d(args[0], kw);
    case "AvgPool3d":
      return new nn.AvgPool3d(args[0], kw);
    case "BatchNorm3d":
      return new nn.BatchNorm3d(args[0], kw);
    case "InstanceNorm3d":
      return new nn.InstanceNorm3d(args[0], kw);
  }
}

describe("3-D modules against PyTorch 1.13", () => {
  for (const c of fixture.modules3d) {
    it(c.repr, () => {
      gl.manualSeed(5);
      const m = build(c);
      assert.equal(String(m), c.repr);
      const named = m.namedParameters();
      assert.deepEqual(named.map(([n]) => n), Object.keys(c.params));
      for (const [n, p] of named) assertClose(p, c.params[n], true, `initial ${n} (bit for bit)`);
      const x = fromFixture(c.input.values, c.input.shape, c.input.dtype, true);
      const out = (m as unknown as (t: Tensor) => Tensor)(x);
      assert.deepEqual(out.shape, c.outShape);
      assert.equal(out.gradFn?.name, c.gradFn);
      const conv = c.kind.startsWith("Conv");
      const close = (t: Tensor, v: FixtureValue[], what: string) => (conv || c.kind.endsWith("Norm3d") ? assertNear(t, v, what, 2e-6) : assertClose(t, v, false, what));
      close(out, c.output, "output");
      const grads = gl.autograd.grad(out.mul(fromFixture(c.upstream, out.shape, out.dtype, false)).sum(), [x, ...named.map(([, p]) => p)]);
      close(grads[0]!, c.gradInput, "input gradient");
      named.forEach(([n], i) => close(grads[i + 1]!, c.paramGrads[n], `${n} gradient`));
      const buffers = m.namedBuffers();
      assert.deepEqual(buffers.map(([n]) => n), Object.keys(c.buffers));
      for (const [n, b] of buffers) close(b, c.buffers[n], `buffer ${n}`);
      m.eval();
      close(gl.noGrad(() => (m as unknown as (t: Tensor) => Tensor)(x)), c.evalOutput, "output in eval mode");
    });
  }
});

describe("3-D layers: PyTorch's errors", () => {
  const x = gl.randn(1, 2, 3, 3, 3);
  const attempts: Record<string, () => unknown> = {
    maxPoolKernelLength: () => F.maxPool3d(x, [2, 2]),
    maxPoolPad: () => F.maxPool3d(x, 2, { padding: 2 }),
    maxPoolTooSmall: () => F.maxPool3d(x, 5),
    maxPoolRank: () => F.maxPool3d(x.select(0, 0).select(0, 0), 2),
    maxPoolStrideLength: () => F.maxPool3d(x, 2, { stride: [1, 1] }),
    maxPoolPaddingLength: () => F.maxPool3d(x, 2, { padding: [1, 1] }),
    avgPoolKernelLength: () => F.avgPool3d(x, [2, 2]),
    avgPoolStrideLength: () => F.avgPool3d(x, 2, { stride: [1, 1] }),
    avgPoolPaddingLength: () => F.avgPool3d(x, 2, { padding: [1, 1] }),
    avgPoolTooSmall: () => F.avgPool3d(x, 5),
    avgPoolRank: () => F.avgPool3d(x.select(0, 0).select(0, 0), 2),
    avgPoolDivisor: () => F.avgPool3d(x, 2, { divisorOverride: 0 }),
    poolStrideZero: () => F.maxPool3d(x, 2, { stride: 0 }),
    convKernelTooBig: () => F.conv3d(x, gl.randn(2, 2, 4, 4, 4)),
    convChannels: () => F.conv3d(x, gl.randn(2, 3, 2, 2, 2)),
    convStrideLength: () => F.conv3d(x, gl.randn(2, 2, 2, 2, 2), null, { stride: [1, 1] }),
    convRank: () => F.conv3d(x.select(0, 0).select(0, 0), gl.randn(2, 2, 2, 2, 2)),
    convTransposeOutputPadding: () => F.convTranspose3d(x, gl.randn(2, 2, 2, 2, 2), null, { stride: 1, outputPadding: 1 }),
    convTransposeTooSmall: () => F.convTranspose3d(x, gl.randn(2, 2, 1, 1, 1), null, { padding: 2 }),
    convTransposeChannels: () => F.convTranspose3d(x, gl.randn(3, 2, 2, 2, 2)),
    batchNorm3dRank: () => new nn.BatchNorm3d(2)(x.select(0, 0)),
    instanceNorm3dRank: () => new nn.InstanceNorm3d(2)(x.select(0, 0).select(0, 0)),
  };
  for (const [name, attempt] of Object.entries(attempts)) {
    it(name, () => {
      const expected = fixture.errors3d[name];
      assert.throws(attempt, (err: Error) => {
        assert.equal(err.name, expected.type, `error type (message: ${err.message})`);
        assert.equal(err.message, expected.message);
        return true;
      });
    });
  }
});

describe("3-D layers: gradcheck in float64", () => {
  const leaf = (...shape: number[]) => gl.randn(shape, { dtype: "float64" }).requiresGrad_();
  it("conv3d (input, weight, bias; stride, padding, dilation, groups)", () => {
    gl.manualSeed(11);
    const fn = (x: Tensor, w: Tensor, b: Tensor) => F.conv3d(x, w, b, { stride: [1, 2, 1], padding: 1, dilation: [2, 1, 1], groups: 2 });
    assert.ok(gl.autograd.gradcheck(fn, [leaf(1, 4, 4, 3, 4), leaf(2, 2, 2, 2, 2), leaf(2)]));
  });
  it("conv_transpose3d (input, weight, bias; stride, padding, output padding, groups)", () => {
    gl.manualSeed(17);
    const fn = (x: Tensor, w: Tensor, b: Tensor) => F.convTranspose3d(x, w, b, { stride: [2, 1, 2], padding: [0, 1, 0], outputPadding: [1, 0, 0], groups: 2 });
    assert.ok(gl.autograd.gradcheck(fn, [leaf(1, 4, 2, 3, 2), leaf(4, 1, 2, 2, 2), leaf(2)]));
  });
  it("max_pool3d and avg_pool3d", () => {
    gl.manualSeed(12);
    assert.ok(gl.autograd.gradcheck((x: Tensor) => F.maxPool3d(x, 2, { stride: 1, padding: 1 }), [leaf(1, 2, 3, 3, 4)]));
    assert.ok(gl.autograd.gradcheck((x: Tensor) => F.avgPool3d(x, [2, 3, 2], { padding: 1, ceilMode: true, countIncludePad: false }), [leaf(1, 2, 3, 4, 4)]));
  });
});

describe("the gradients of unsqueeze and squeeze (around unbatched layers) come out of PyTorch's nodes", () => {
  const { viewGradientNodes } = loadFixture<{ viewGradientNodes: Record<string, string> }>("spatial.json");
  const calls: Record<string, (x: Tensor) => Tensor> = {
    unsqueeze0: (x) => x.unsqueeze(0),
    squeeze1: (x) => x.squeeze(1),
    squeeze: (x) => x.squeeze(),
    squeeze0: (x) => x.squeeze(0),
  };
  for (const [name, call] of Object.entries(calls)) {
    it(`${name}: ${viewGradientNodes[name]}`, () => {
      const x = gl.randn(3, 1, 2).requiresGrad_();
      const y = call(x);
      const [g] = gl.autograd.grad(y.mul(gl.randn(y.shape).requiresGrad_()).sum(), [x], { createGraph: true });
      assert.equal(g!.gradFn?.name, viewGradientNodes[name]);
      assert.deepEqual(g!.shape, [3, 1, 2]);
    });
  }
});

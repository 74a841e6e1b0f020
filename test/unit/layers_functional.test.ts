/**
 * The functional layers against PyTorch 1.13: values, shape, dtype, grad_fn name, the gradient of each input for
 * sum(out * w), second-order gradients through the backward's own backward, and PyTorch's error messages.
 * Fixtures: scripts/fixtures/layers_functional_fixtures.py → test/fixtures/layers_functional.json.
 */
import { strict as assert } from "node:assert";
import * as gl from "../../src/engine";
import { F, type DType, type Tensor } from "../../src/engine";
import { type FixtureValue, decode, fromFixture, loadFixture } from "./helpers/compare";

interface Input {
  shape: number[];
  dtype: DType;
  values: FixtureValue[];
  requiresGrad: boolean;
}

interface LayerCase {
  name: string;
  call: string;
  args: Record<string, unknown> | null;
  inputs: Input[];
  out: { shape: number[]; dtype: DType; values: FixtureValue[]; gradFn: string | null };
  graph: GraphJson;
  seed?: number;
  weight?: FixtureValue[];
  grads?: Array<FixtureValue[] | null>;
  gradGradFn?: string | null;
  doubleGrads?: Array<FixtureValue[] | null>;
}

/** A grad_fn node and the nodes its gradient goes to, as PyTorch's next_functions (null where none). */
type GraphJson = [string, Array<GraphJson | null>] | null;

function graphOf(fn: gl.Node | null, depth = 0, limit = 6): GraphJson {
  if (fn === null || depth > limit) return null;
  return [fn.name, fn.nextFunctions.map(([next]) => graphOf(next, depth + 1, limit))];
}

/** The graph without its null edges: PyTorch lists one for an absent optional input (a convolution's bias=None), the
 * engine lists one for a number operand (clamp_min's eps); neither is a node. */
function withoutNulls(g: GraphJson): GraphJson {
  return g === null ? null : [g[0], g[1].filter((c) => c !== null).map(withoutNulls)];
}

interface ErrorCase {
  name: string;
  call: string;
  args: Record<string, unknown> | null;
  shapes: number[][];
  dtypes: DType[];
  type: string;
  message: string;
}

const fixture = loadFixture<{ cases: LayerCase[]; errors: ErrorCase[] }>("layers_functional.json");

type Args = Record<string, unknown>;
const opt = (t: Tensor[], i: number): Tensor | null => t[i] ?? null;
const ints = (v: unknown) => gl.tensor(v as number[], { dtype: "int64" });

/* eslint-disable @typescript-eslint/no-explicit-any -- the fixture's args are the options objects, as JSON */
const CALLS: Record<string, (t: Tensor[], a: Args) => Tensor> = {
  conv1d: (t, a) => F.conv1d(t[0], t[1], opt(t, 2), a as any),
  conv2d: (t, a) => F.conv2d(t[0], t[1], opt(t, 2), a as any),
  convTranspose1d: (t, a) => F.convTranspose1d(t[0], t[1], opt(t, 2), a as any),
  convTranspose2d: (t, a) => F.convTranspose2d(t[0], t[1], opt(t, 2), a as any),
  maxPool1d: (t, a) => F.maxPool1d(t[0], a.kernelSize as number, a as any),
  maxPool2d: (t, a) => F.maxPool2d(t[0], a.kernelSize as number, a as any),
  maxPool2dIndices: (t, a) => F.maxPool2d(t[0], a.kernelSize as number, { ...a, returnIndices: true })[1],
  maxPool1dIndices: (t, a) => F.maxPool1d(t[0], a.kernelSize as number, { ...a, returnIndices: true })[1],
  avgPool1d: (t, a) => F.avgPool1d(t[0], a.kernelSize as number, a as any),
  avgPool2d: (t, a) => F.avgPool2d(t[0], a.kernelSize as number, a as any),
  adaptiveAvgPool1d: (t, a) => F.adaptiveAvgPool1d(t[0], a.outputSize as number),
  adaptiveAvgPool2d: (t, a) => F.adaptiveAvgPool2d(t[0], a.outputSize as number),
  adaptiveMaxPool1d: (t, a) => F.adaptiveMaxPool1d(t[0], a.outputSize as number),
  adaptiveMaxPool2d: (t, a) => F.adaptiveMaxPool2d(t[0], a.outputSize as number),
  adaptiveMaxPool2dIndices: (t, a) => F.adaptiveMaxPool2d(t[0], a.outputSize as number, { returnIndices: true })[1],
  batchNormTrain: (t, a) => F.batchNorm(t[0], null, null, { weight: opt(t, 1), bias: opt(t, 2), training: true, eps: a.eps as number | undefined }),
  batchNormEval: (t, a) =>
    F.batchNorm(t[0], gl.tensor(a.runningMean as number[], { dtype: t[0].dtype }), gl.tensor(a.runningVar as number[], { dtype: t[0].dtype }), {
      weight: opt(t, 1), bias: opt(t, 2), eps: a.eps as number | undefined,
    }),
  layerNorm: (t, a) => F.layerNorm(t[0], a.normalizedShape as number[], { weight: opt(t, 1), bias: opt(t, 2), eps: a.eps as number | undefined }),
  groupNorm: (t, a) => F.groupNorm(t[0], a.numGroups as number, { weight: opt(t, 1), bias: opt(t, 2), eps: a.eps as number | undefined }),
  instanceNorm: (t) => F.instanceNorm(t[0], { weight: opt(t, 1), bias: opt(t, 2) }),
  dropout: (t, a) => F.dropout(t[0], a.p as number),
  dropout1d: (t, a) => F.dropout1d(t[0], a.p as number),
  dropout2d: (t, a) => F.dropout2d(t[0], a.p as number),
  alphaDropout: (t, a) => F.alphaDropout(t[0], a.p as number, { training: true }),
  featureAlphaDropout: (t, a) => F.featureAlphaDropout(t[0], a.p as number, { training: true }),
  embedding: (t, a) => F.embedding(ints(a.indices), t[0], a as any),
  pad: (t, a) => F.pad(t[0], a.pad as number[], { mode: a.mode as any, value: a.value as number | undefined }),
  normalize: (t, a) => F.normalize(t[0], a as any),
  cosineSimilarity: (t, a) => F.cosineSimilarity(t[0], t[1], a as any),
  pairwiseDistance: (t, a) => F.pairwiseDistance(t[0], t[1], a as any),
  pixelShuffle: (t, a) => F.pixelShuffle(t[0], a.factor as number),
  pixelUnshuffle: (t, a) => F.pixelUnshuffle(t[0], a.factor as number),
  unfold: (t, a) => F.unfold(t[0], a.kernelSize as number, a as any),
  fold: (t, a) => F.fold(t[0], a.outputSize as number[], a.kernelSize as number, a as any),
  interpolate: (t, a) => F.interpolate(t[0], a as any),
  scaledDotProductAttention: (t, a) =>
    F.scaledDotProductAttention(t[0], t[1], t[2], { isCausal: a.isCausal as boolean | undefined, attnMask: a.attnMask ? gl.tensor(a.attnMask as boolean[][]) : null }),
};
/* eslint-enable @typescript-eslint/no-explicit-any */

/** Results PyTorch's CPU kernels compute with one rounding per element, or by selection: equal to the last bit. */
const EXACT = new Set(["maxPool1d", "maxPool2d", "maxPool2dIndices", "maxPool1dIndices", "adaptiveMaxPool1d", "adaptiveMaxPool2d", "adaptiveMaxPool2dIndices",
  "dropout", "dropout1d", "dropout2d", "alphaDropout", "featureAlphaDropout", "embedding", "pad", "pixelShuffle", "pixelUnshuffle", "unfold",
  // Batch norm follows ATen's roundings: its statistics, then one fused x·alpha + beta per element.
  "batchNormTrain", "batchNormEval", "instanceNorm"]);

/** Layers whose graph below the top node is not PyTorch's (the top node's name and the gradients are still checked):
 * pairwise_distance adds eps as ATen's add(Tensor, Scalar), AddBackward1, where the engine has one add (AddBackward0);
 * circular padding copies between slices of one tensor, and the engine's CopySlices links the source slice through
 * AsStridedBackward0 of the base's new history, where PyTorch keeps the SliceBackward0 the slice had before the write. */
const GRAPH_DIFFERS = new Set<string>(["pairwiseDistance", "padCircular"]);

/** float32 sums (convolutions, norms, pooling windows) are added in another order than PyTorch's (MKL-DNN, vectorised
 * float32 accumulation) here (float64, rounded once): allow an error relative to the terms' scale. */
function close(t: Tensor, expected: FixtureValue[], exact: boolean, what: string): void {
  const actual = (t.detach().reshape(-1).tolist() as number[]).map(Number);
  assert.equal(actual.length, expected.length, `${what}: element count`);
  const rel = t.dtype === "float64" ? 1e-12 : 2e-6;
  const scale = Math.max(1, ...expected.map((v) => Math.abs(decode(v))).filter(Number.isFinite));
  actual.forEach((a, i) => {
    const e = decode(expected[i]);
    if (Number.isNaN(e)) return assert.ok(Number.isNaN(a), `${what}[${i}]: expected nan, got ${a}`);
    if (exact || !Number.isFinite(e) || t.dtype === "int64") return assert.ok(Object.is(a, e) || a === e, `${what}[${i}]: expected ${e}, got ${a}`);
    assert.ok(Math.abs(a - e) <= rel * scale, `${what}[${i}]: expected ${e}, got ${a} (diff ${a - e})`);
  });
}

function zerosOrNull(t: Tensor | null): boolean {
  return t === null || (t.tolist() as unknown[]).flat(Infinity).every((v) => v === 0);
}

describe("functional layers against PyTorch 1.13", () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const leaves = c.inputs.map((i) => fromFixture(i.values, i.shape, i.dtype, i.requiresGrad));
      if (c.seed !== undefined) gl.manualSeed(c.seed);
      const out = CALLS[c.call](leaves, c.args ?? {});
      assert.deepEqual(out.shape, c.out.shape, "shape");
      assert.equal(out.dtype, c.out.dtype, "dtype");
      assert.equal(out.gradFn?.name ?? null, c.out.gradFn, "grad_fn");
      const graphKey = c.call === "pad" && c.args?.mode === "circular" ? "padCircular" : c.call;
      if (!GRAPH_DIFFERS.has(graphKey)) assert.deepEqual(withoutNulls(graphOf(out.gradFn)), withoutNulls(c.graph), "the graph of grad_fn nodes");
      close(out, c.out.values, EXACT.has(c.call), "value");
      if (!c.weight || !c.grads) return;
      const w = fromFixture(c.weight, c.out.shape, c.out.dtype, c.doubleGrads !== undefined);
      const diff = leaves.filter((l) => l.requiresGrad);
      const grads = gl.autograd.grad(out.mul(w).sum(), diff, { createGraph: c.doubleGrads !== undefined, allowUnused: true });
      let k = 0;
      c.grads.forEach((g, i) => {
        if (!leaves[i].requiresGrad) return;
        const got = grads[k++];
        if (g === null) assert.ok(zerosOrNull(got), `grad of input ${i} should be none`);
        else close(got!, g, false, `grad of input ${i}`);
      });
      if (!c.doubleGrads) return;
      assert.equal(grads[0]?.gradFn?.name ?? null, c.gradGradFn, "grad_fn of the gradient");
      const second = grads.filter((g): g is Tensor => g !== null).map((g) => g.pow(2).sum()).reduce((a, b) => a.add(b));
      const seconds = gl.autograd.grad(second, [...diff, w], { allowUnused: true });
      c.doubleGrads.forEach((g, i) => {
        if (g === null) assert.ok(zerosOrNull(seconds[i]), `second-order grad ${i} should be none`);
        else close(seconds[i]!, g, false, `second-order grad ${i}`);
      });
    });
  }
});

describe("functional layers refuse bad input with PyTorch's errors", () => {
  for (const e of fixture.errors) {
    it(e.name, () => {
      const inputs = e.shapes.map((s, i) => gl.zeros(s, { dtype: e.dtypes[i] }));
      assert.throws(() => CALLS[e.call](inputs, e.args ?? {}), (err: Error) => {
        assert.equal(err.name, e.type);
        assert.equal(err.message, e.message);
        return true;
      });
    });
  }
});

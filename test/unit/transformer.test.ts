/**
 * TransformerEncoderLayer, TransformerDecoderLayer, their stacks and nn.Transformer against PyTorch 1.13
 * (scripts/fixtures/transformer_fixtures.py): the weights after manualSeed bit for bit, the printed module, the state
 * dict's keys, the output in training mode (PyTorch's dropout masks) and in eval mode, its grad_fn, and the gradient
 * of the inputs and of every parameter.
 */
import { strict as assert } from "node:assert";
import * as gl from "../../src/engine";
import { type Tensor, nn } from "../../src/engine";
import { type FixtureValue, assertClose, assertNear, decode, loadFixture } from "./helpers/compare";
import { type Packed, unpack, unpackTensor } from "./helpers/packed";

type Kw = Record<string, unknown>;

interface TransformerCase {
  name: string;
  kind: "EncoderLayer" | "DecoderLayer" | "Encoder" | "Decoder" | "Transformer";
  kw: { args?: number[]; kw: Kw; numLayers?: number; norm?: boolean };
  train: boolean;
  masks: Record<string, "causal" | { shape: number[]; values: number[] }>;
  repr: string;
  stateDictKeys: string[];
  params: Record<string, Packed>;
  paramNames: string[];
  inputs: Array<{ shape: number[]; values: Packed }>;
  output: { shape: number[]; values: Packed; gradFn: string };
  weight: Packed;
  inputGrads: Packed[];
  paramGrads: Record<string, Packed>;
}

const fixture = loadFixture<{ cases: TransformerCase[]; squareSubsequentMask: { shape: number[]; values: FixtureValue[] } }>("transformer.json");

const camel = (k: string) => k.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
const options = (kw: Kw): Kw => Object.fromEntries(Object.entries(kw).map(([k, v]) => [camel(k), v]));
const values = (p: Packed) => Array.from(unpack(p));

/** The activations the fixture names (PyTorch's objects cannot be written to JSON). */
const activations: Record<string, () => nn.TransformerActivation> = {
  "module GELU": () => new nn.GELU(),
  "function silu": () => (x: Tensor) => gl.F.silu(x),
};

function build(c: TransformerCase): nn.Module {
  const [dModel, nhead] = c.kw.args ?? [];
  const layerOptions = options(c.kw.kw);
  const named = activations[String(layerOptions.activation)];
  if (named) layerOptions.activation = named();
  switch (c.kind) {
    case "EncoderLayer":
      return new nn.TransformerEncoderLayer(dModel, nhead, layerOptions);
    case "DecoderLayer":
      return new nn.TransformerDecoderLayer(dModel, nhead, layerOptions);
    case "Encoder": {
      const layer = new nn.TransformerEncoderLayer(dModel, nhead, layerOptions);
      return new nn.TransformerEncoder(layer, c.kw.numLayers!, { norm: c.kw.norm ? new nn.LayerNorm(dModel) : null });
    }
    case "Decoder": {
      const layer = new nn.TransformerDecoderLayer(dModel, nhead, layerOptions);
      return new nn.TransformerDecoder(layer, c.kw.numLayers!, { norm: c.kw.norm ? new nn.LayerNorm(dModel) : null });
    }
    case "Transformer":
      return new nn.Transformer(layerOptions);
  }
}

/** The mask of each call option, as the fixture script made it: causal ones for the sequence they mask. */
function masks(c: TransformerCase, inputs: Tensor[]): Record<string, Tensor> {
  const batchFirst = c.kw.kw.batch_first === true;
  return Object.fromEntries(
    Object.entries(c.masks).map(([key, spec]) => {
      if (spec !== "causal") return [camel(key), gl.tensor(spec.values.map(Boolean)).reshape(spec.shape)];
      const source = key === "mask" || key === "src_mask" ? inputs[0] : inputs[c.kind === "Transformer" ? 1 : 0];
      return [camel(key), nn.Transformer.generateSquareSubsequentMask(source.shape[batchFirst ? 1 : 0])];
    }),
  );
}

describe("transformer layers against PyTorch 1.13", () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      gl.manualSeed(0);
      const m = build(c);
      assert.equal(String(m), c.repr);
      assert.deepEqual(Object.keys(m.stateDict()), c.stateDictKeys);
      const named = m.namedParameters();
      assert.deepEqual(named.map(([n]) => n), c.paramNames);
      for (const [n, p] of named) assertClose(p, values(c.params[n]), true, `initial ${n} (bit for bit)`);
      m.train(c.train);
      const inputs = c.inputs.map((i) => unpackTensor(i.values, i.shape).requiresGrad_());
      const callOptions = masks(c, inputs);
      gl.manualSeed(200);
      const call = m as unknown as (...a: unknown[]) => Tensor;
      const out = call(...inputs, callOptions);
      assert.deepEqual(out.shape, c.output.shape);
      assert.equal(out.gradFn?.name, c.output.gradFn);
      assertNear(out, values(c.output.values), "output");
      out.mul(unpackTensor(c.weight, out.shape)).sum().backward();
      inputs.forEach((t, k) => assertNear(t.grad!, values(c.inputGrads[k]), `input ${k} grad`));
      for (const [n, p] of named) assertNear(p.grad!, values(c.paramGrads[n]), `${n}.grad`);
    });
  }

  it("copies of a layer in a stack are equal but not shared, and draw nothing from the generator", () => {
    gl.manualSeed(3);
    const layer = new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8 });
    const after = gl.rand([1]).item();
    gl.manualSeed(3);
    const again = new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8 });
    const encoder = new nn.TransformerEncoder(again, 2);
    assert.equal(gl.rand([1]).item(), after);
    const [a, b] = encoder.layers.children() as nn.TransformerEncoderLayer[];
    assert.notEqual(a.linear1.weight, b.linear1.weight);
    assert.deepEqual(a.linear1.weight.tolist(), layer.linear1.weight.tolist());
    assert.deepEqual(b.linear1.weight.tolist(), layer.linear1.weight.tolist());
  });

  it("generateSquareSubsequentMask is PyTorch's causal mask", () => {
    const mask = nn.Transformer.generateSquareSubsequentMask(4);
    assert.deepEqual(mask.shape, fixture.squareSubsequentMask.shape);
    assert.deepEqual(mask.reshape(-1).tolist(), fixture.squareSubsequentMask.values.map((v) => decode(v)));
  });

  it("Transformer checks src and tgt as PyTorch does", () => {
    const t = new nn.Transformer({ dModel: 4, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 4 });
    assert.throws(() => t(gl.randn([3, 2, 4]), gl.randn([3, 1, 4])), /the batch number of src and tgt must be equal/);
    assert.throws(() => t(gl.randn([3, 2, 4]), gl.randn([3, 2, 5])), /the feature number of src and tgt must be equal to d_model/);
  });
});

interface LayerCase {
  name: string;
  ctor: "PReLU" | "Bilinear" | "Unfold" | "Fold";
  args: unknown[];
  kw: Kw;
  repr: string;
  params: Record<string, Packed>;
  paramNames: string[];
  inputs: Array<{ shape: number[]; values: Packed }>;
  output: { shape: number[]; values: Packed; gradFn: string };
  weight: Packed;
  inputGrads: Packed[];
  paramGrads: Record<string, Packed>;
}

const extra = loadFixture<{
  layers: LayerCase[];
  preluErrors: Array<{ input: number[]; weight: number[]; message: string }>;
  bilinearErrors: Array<{ input1: number[]; input2: number[]; weight: number[]; message: string }>;
}>("transformer.json");

describe("PReLU, Bilinear, Unfold, Fold against PyTorch 1.13", () => {
  for (const c of extra.layers) {
    it(c.name, () => {
      gl.manualSeed(0);
      const Ctor = nn[c.ctor] as unknown as new (...a: unknown[]) => nn.Module;
      const m = new Ctor(...c.args, ...(Object.keys(c.kw).length ? [options(c.kw)] : []));
      assert.equal(String(m), c.repr);
      const named = m.namedParameters();
      assert.deepEqual(named.map(([n]) => n), c.paramNames);
      for (const [n, p] of named) assertClose(p, values(c.params[n]), true, `initial ${n} (bit for bit)`);
      const inputs = c.inputs.map((i) => unpackTensor(i.values, i.shape).requiresGrad_());
      const out = (m as unknown as (...a: unknown[]) => Tensor)(...inputs);
      assert.deepEqual(out.shape, c.output.shape);
      assert.equal(out.gradFn?.name, c.output.gradFn);
      assertNear(out, values(c.output.values), "output");
      out.mul(unpackTensor(c.weight, out.shape)).sum().backward();
      inputs.forEach((t, k) => assertNear(t.grad!, values(c.inputGrads[k]), `input ${k} grad`));
      for (const [n, p] of named) assertNear(p.grad!, values(c.paramGrads[n]), `${n}.grad`);
    });
  }

  it("F.prelu's gradient can be differentiated again (createGraph)", () => {
    const x = gl.tensor([-2, 3, -0.5]).requiresGrad_();
    const w = gl.tensor([0.25]).requiresGrad_();
    const [gx] = gl.autograd.grad(gl.F.prelu(x, w).mul(x).sum(), [x], { createGraph: true });
    // d/dx (prelu(x)·x) = 2w·x where x < 0, 2x where x > 0; its derivative in w is 2x where x < 0.
    assert.deepEqual(gx!.tolist(), [-1, 6, -0.25]);
    const [gw] = gl.autograd.grad(gx!.sum(), [w]);
    assert.deepEqual(gw!.tolist(), [-5]);
  });

  it("F.prelu and F.bilinear refuse bad shapes with PyTorch's messages", () => {
    for (const e of extra.preluErrors) {
      assert.throws(() => gl.F.prelu(gl.randn(e.input), gl.ones(e.weight)), { message: e.message });
    }
    for (const e of extra.bilinearErrors) {
      assert.throws(() => gl.F.bilinear(gl.randn(e.input1), gl.randn(e.input2), gl.randn(e.weight)), { message: e.message });
    }
  });
});

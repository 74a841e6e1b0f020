/**
 * Every loss against PyTorch 1.13 (scripts/fixtures/losses_fixtures.py → test/fixtures/losses.json): values, grad_fn
 * names and the whole graph PyTorch leaves (composite losses included), the gradients, second derivatives where
 * PyTorch has them, warnings and errors; the loss modules' printed form and state dicts; float64 gradcheck and
 * gradgradcheck of each loss.
 */
import { strict as assert } from "node:assert";
import * as gl from "../../src/engine";
import { F, autograd, nn, tensor, type Tensor } from "../../src/engine";
import { loadFixture } from "./helpers/compare";
import { type FixtureCase, runFixtureCase } from "./helpers/fixture_case";

interface ModuleEntry {
  name: string;
  options: Record<string, unknown>;
  repr: string;
  stateKeys: string[];
}

const fixture = loadFixture<{
  cases: FixtureCase[];
  modules: ModuleEntry[];
  sequentialRepr: string;
  moduleCalls: { crossEntropy: { x: number[]; y: number[]; weight: number[]; loss: number; grad: number[] } };
}>("losses.json");

type Options = Record<string, unknown>;

/** The case's options, with tensor-valued ones (weight, posWeight) taken from the inputs they name. */
function optionsOf(args: Options | null, leaves: Tensor[]): Options {
  const { tensors, ...rest } = (args ?? {}) as Options & { tensors?: Record<string, number> };
  const out: Options = { ...rest };
  for (const [k, i] of Object.entries(tensors ?? {})) out[k] = leaves[i];
  return out;
}

type Call = (t: Tensor[], o: Options) => Tensor;
const CALLS: Record<string, Call> = {
  mseLoss: ([a, b], o) => F.mseLoss(a, b, o),
  l1Loss: ([a, b], o) => F.l1Loss(a, b, o),
  crossEntropy: ([a, b], o) => F.crossEntropy(a, b, o),
  nllLoss: ([a, b], o) => F.nllLoss(a, b, o),
  binaryCrossEntropy: ([a, b], o) => F.binaryCrossEntropy(a, b, o),
  binaryCrossEntropyWithLogits: ([a, b], o) => F.binaryCrossEntropyWithLogits(a, b, o),
  huberLoss: ([a, b], o) => F.huberLoss(a, b, o),
  smoothL1Loss: ([a, b], o) => F.smoothL1Loss(a, b, o),
  softMarginLoss: ([a, b], o) => F.softMarginLoss(a, b, o),
  multiMarginLoss: ([a, b], o) => F.multiMarginLoss(a, b, o),
  klDiv: ([a, b], o) => F.klDiv(a, b, o),
  poissonNllLoss: ([a, b], o) => F.poissonNllLoss(a, b, o),
  gaussianNllLoss: ([a, b, v], o) => F.gaussianNllLoss(a, b, v, o),
  marginRankingLoss: ([a, b, y], o) => F.marginRankingLoss(a, b, y, o),
  hingeEmbeddingLoss: ([a, y], o) => F.hingeEmbeddingLoss(a, y, o),
  cosineEmbeddingLoss: ([a, b, y], o) => F.cosineEmbeddingLoss(a, b, y, o),
  tripletMarginLoss: ([a, p, n], o) => F.tripletMarginLoss(a, p, n, o),
  multilabelSoftMarginLoss: ([a, y], o) => F.multilabelSoftMarginLoss(a, y, o),
};

describe("losses against PyTorch 1.13", () => {
  for (const c of fixture.cases) {
    it(c.name, () => runFixtureCase(c, (leaves) => CALLS[c.call](leaves, optionsOf(c.args, leaves))));
  }
});

const w3 = () => tensor([0.5, 1.0, 2.0]);
const MODULES: Record<string, (o: Options) => gl.nn.Module> = {
  L1Loss: (o) => new nn.L1Loss(o),
  MSELoss: (o) => new nn.MSELoss(o),
  NLLLoss: (o) => new nn.NLLLoss(o),
  CrossEntropyLoss: (o) => new nn.CrossEntropyLoss({ ...o, weight: o.weight ? w3() : null }),
  BCELoss: (o) => new nn.BCELoss({ ...o, weight: o.weight ? w3() : null }),
  BCEWithLogitsLoss: (o) => new nn.BCEWithLogitsLoss({ ...o, posWeight: o.posWeight ? w3() : null }),
  HuberLoss: (o) => new nn.HuberLoss(o),
  SmoothL1Loss: (o) => new nn.SmoothL1Loss(o),
  SoftMarginLoss: (o) => new nn.SoftMarginLoss(o),
  KLDivLoss: (o) => new nn.KLDivLoss(o),
  PoissonNLLLoss: (o) => new nn.PoissonNLLLoss(o),
  GaussianNLLLoss: (o) => new nn.GaussianNLLLoss(o),
  MarginRankingLoss: (o) => new nn.MarginRankingLoss(o),
  HingeEmbeddingLoss: (o) => new nn.HingeEmbeddingLoss(o),
  CosineEmbeddingLoss: (o) => new nn.CosineEmbeddingLoss(o),
  TripletMarginLoss: (o) => new nn.TripletMarginLoss(o),
  MultiMarginLoss: (o) => new nn.MultiMarginLoss({ ...o, weight: o.weight ? w3() : null }),
  MultiLabelSoftMarginLoss: (o) => new nn.MultiLabelSoftMarginLoss(o),
};

describe("loss modules as PyTorch prints them", () => {
  for (const m of fixture.modules) {
    it(`${m.name}: ${m.repr}, state dict ${JSON.stringify(m.stateKeys)}`, () => {
      const module = MODULES[m.name](m.options);
      assert.equal(String(module), m.repr);
      assert.deepEqual(Object.keys(module.stateDict()), m.stateKeys);
    });
  }

  it("a loss inside Sequential prints as PyTorch's", () => {
    gl.manualSeed(0);
    assert.equal(String(new nn.Sequential(new nn.Linear(2, 3), new nn.CrossEntropyLoss())), fixture.sequentialRepr);
  });

  it("CrossEntropyLoss with a class weight and label smoothing, called, gives PyTorch's loss and gradient", () => {
    const { x, y, weight, loss, grad } = fixture.moduleCalls.crossEntropy;
    const input = tensor(x).reshape(4, 3).requiresGrad_();
    const criterion = new nn.CrossEntropyLoss({ weight: tensor(weight), labelSmoothing: 0.1 });
    const out = criterion(input, tensor(y, { dtype: "int64" }));
    out.backward();
    assert.ok(Math.abs(out.item() - loss) < 1e-6, `${out.item()} vs ${loss}`);
    (input.grad!.reshape(-1).tolist() as number[]).forEach((g, i) => assert.ok(Math.abs(g - grad[i]) < 1e-6));
    assert.deepEqual(criterion.stateDict().weight.tolist(), weight);
  });
});

gl.manualSeed(7);
const r = (...shape: number[]) => gl.rand(shape, { dtype: "float64" }).mul(2).sub(1).requiresGrad_(true);
const pos = (...shape: number[]) => gl.rand(shape, { dtype: "float64" }).mul(0.8).add(0.1).requiresGrad_(true);
const long = (v: number[]) => tensor(v, { dtype: "int64" });
const f64 = (v: number[] | number[][]) => tensor(v, { dtype: "float64" });

/** Each loss as a function of its differentiable inputs, for float64 gradcheck and gradgradcheck. */
const CHECKS: Array<[string, () => Tensor[], (...t: Tensor[]) => Tensor, boolean]> = [
  ["mseLoss", () => [r(3, 2), r(3, 2)], (a, b) => F.mseLoss(a, b), true],
  ["l1Loss", () => [r(3, 2), r(3, 2)], (a, b) => F.l1Loss(a, b, { reduction: "sum" }), true],
  ["crossEntropy weight, ignoreIndex", () => [r(4, 3)], (a) => F.crossEntropy(a, long([0, 2, -100, 1]), { weight: f64([0.5, 1, 2]) }), true],
  ["crossEntropy label smoothing", () => [r(4, 3)], (a) => F.crossEntropy(a, long([0, 2, 1, 1]), { labelSmoothing: 0.2 }), true],
  ["crossEntropy probabilities", () => [r(3, 4), pos(3, 4)], (a, p) => F.crossEntropy(a, p), true],
  ["crossEntropy 4-d", () => [r(2, 3, 2, 2)], (a) => F.crossEntropy(a, long([0, 1, 2, 0, 1, 1, 2, 0]).reshape(2, 2, 2), { reduction: "none" }), true],
  ["nllLoss 3-d", () => [r(2, 3, 4)], (a) => F.nllLoss(a, long([0, 1, 2, 0, 2, 2, 1, 0]).reshape(2, 4)), true],
  ["binaryCrossEntropy", () => [pos(5), pos(5)], (p, y) => F.binaryCrossEntropy(p, y, { weight: f64([1, 2, 0.5, 1, 3]) }), true],
  ["binaryCrossEntropyWithLogits", () => [r(2, 3), pos(2, 3)], (x, y) => F.binaryCrossEntropyWithLogits(x, y, { posWeight: f64([0.5, 2, 1]) }), true],
  ["huberLoss", () => [f64([-2.1, 0.3, 1.7, 0.05]).requiresGrad_(), f64([0.4, 0.1, -0.2, 0.6]).requiresGrad_()], (a, b) => F.huberLoss(a, b, { delta: 0.8 }), true],
  ["smoothL1Loss", () => [f64([-2.1, 0.3, 1.7, 0.05]).requiresGrad_(), f64([0.4, 0.1, -0.2, 0.6]).requiresGrad_()], (a, b) => F.smoothL1Loss(a, b, { beta: 0.8 }), true],
  ["softMarginLoss", () => [r(2, 3)], (a) => F.softMarginLoss(a, f64([[1, -1, 1], [-1, -1, 1]])), true],
  ["multiMarginLoss p=2", () => [r(3, 4)], (a) => F.multiMarginLoss(a, long([1, 0, 3]), { p: 2, margin: 1.5 }), false],
  ["klDiv", () => [r(2, 3), pos(2, 3)], (a, t) => F.klDiv(a, t, { reduction: "batchmean" }), true],
  ["klDiv logTarget", () => [r(2, 3), r(2, 3)], (a, t) => F.klDiv(a, t, { reduction: "sum", logTarget: true }), true],
  ["poissonNllLoss full", () => [pos(2, 3), pos(2, 3).mul(3).add(1.5)], (a, t) => F.poissonNllLoss(a, t, { logInput: false, full: true }), true],
  ["gaussianNllLoss", () => [r(2, 3), r(2, 3), pos(2, 3)], (a, t, v) => F.gaussianNllLoss(a, t, v, { full: true }), true],
  ["marginRankingLoss", () => [r(4), r(4)], (a, b) => F.marginRankingLoss(a, b, f64([1, -1, -1, 1]), { margin: 0.1 }), true],
  ["hingeEmbeddingLoss", () => [f64([0.3, 1.7, -0.4, 2.5]).requiresGrad_()], (a) => F.hingeEmbeddingLoss(a, f64([1, -1, -1, -1]), { margin: 2 }), true],
  ["cosineEmbeddingLoss", () => [r(3, 4), r(3, 4)], (a, b) => F.cosineEmbeddingLoss(a, b, long([1, -1, 1]), { margin: -1 }), true],
  ["tripletMarginLoss", () => [r(3, 4), r(3, 4), r(3, 4)], (a, p, n) => F.tripletMarginLoss(a, p, n, { margin: 5, swap: true }), true],
  ["multilabelSoftMarginLoss", () => [r(3, 4)], (a) => F.multilabelSoftMarginLoss(a, f64([[1, 0, 0, 1], [0, 1, 1, 1], [0, 0, 0, 1]]), { weight: f64([1, 2, 3, 4]) }), true],
];

describe("losses: float64 gradcheck and gradgradcheck", () => {
  for (const [name, make, fn, twice] of CHECKS) {
    it(`${name}: gradcheck${twice ? " and gradgradcheck" : ""}`, () => {
      const inputs = make().map((t) => (t.isLeaf ? t : t.detach().requiresGrad_()));
      assert.equal(autograd.gradcheck(fn, inputs), true);
      if (twice) assert.equal(autograd.gradgradcheck(fn, inputs), true);
    });
  }
});

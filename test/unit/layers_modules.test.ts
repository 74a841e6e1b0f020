/**
 * The layer modules against PyTorch 1.13: the repr, the initial parameters and buffers after manualSeed (bit for
 * bit), forward and gradients, running statistics over training steps and eval mode, LeNet-5 trained a few steps,
 * and PyTorch's errors. Fixtures: scripts/fixtures/layers_modules_fixtures.py → test/fixtures/layers_modules.json.
 */
import { strict as assert } from "node:assert";
import * as gl from "../../src/engine";
import { F, nn, type DType, type Tensor } from "../../src/engine";
import { type FixtureValue, decode, fromFixture, loadFixture } from "./helpers/compare";

interface TensorJson {
  shape: number[];
  dtype: DType;
  values: FixtureValue[];
}

interface ModuleCase {
  cls: string;
  args: unknown[];
  options: Record<string, unknown> | null;
  seed: number;
  repr: string;
  parameters: Array<[string, TensorJson, boolean]>;
  buffers: Array<[string, TensorJson]>;
  input?: TensorJson;
  train?: boolean;
  out?: TensorJson;
  gradFn?: string | null;
  weight?: FixtureValue[];
  inputGrad?: FixtureValue[] | null;
  grads?: Array<[string, FixtureValue[] | null]>;
  buffersAfter?: Array<[string, TensorJson]>;
}

interface StatsCase {
  cls: string;
  args: unknown[];
  options: Record<string, unknown> | null;
  seed: number;
  inputs: TensorJson[];
  trainOuts: TensorJson[];
  buffers: Array<[string, TensorJson]>;
  probe: TensorJson;
  evalOut: TensorJson;
}

interface ErrorCase {
  name: string;
  cls: string;
  args: unknown[];
  options: Record<string, unknown> | null;
  inputShape: number[] | null;
  type: string;
  message: string;
}

interface Fixture {
  modules: ModuleCase[];
  runningStats: StatsCase[];
  lenet: { repr: string; initial: Array<[string, TensorJson]>; images: TensorJson; labels: number[]; losses: number[]; firstGrads: Array<[string, FixtureValue[]]> };
  errors: ErrorCase[];
}

const fixture = loadFixture<Fixture>("layers_modules.json");

type AnyModule = nn.Module & { forward(...inputs: Tensor[]): Tensor };

/** `new nn[cls](...args, options)`, the fixture's constructor call. */
function build(cls: string, args: unknown[], options: Record<string, unknown> | null): AnyModule {
  const ctor = (nn as unknown as Record<string, new (...a: unknown[]) => AnyModule>)[cls];
  return new ctor(...args, ...(options ? [options] : []));
}

/** Modules whose forward equals PyTorch's to the last bit (selection, copies, batch norm's ATen roundings). */
const EXACT_FORWARD = /^(BatchNorm|InstanceNorm|MaxPool|AdaptiveMaxPool|Dropout|AlphaDropout|Embedding|Flatten|Unflatten|Identity|PixelShuffle|PixelUnshuffle|ZeroPad|ConstantPad|ReflectionPad|ReplicationPad)/;

const tensorOf = (t: TensorJson, requiresGrad = false) => fromFixture(t.values, t.shape, t.dtype, requiresGrad);

function close(t: Tensor, expected: FixtureValue[], what: string, exact = false): void {
  const actual = (t.detach().reshape(-1).tolist() as number[]).map(Number);
  assert.equal(actual.length, expected.length, `${what}: element count`);
  const rel = t.dtype === "float64" ? 1e-12 : 3e-6;
  const scale = Math.max(1, ...expected.map((v) => Math.abs(decode(v))).filter(Number.isFinite));
  actual.forEach((a, i) => {
    const e = decode(expected[i]);
    if (exact || t.dtype === "int64") return assert.ok(Object.is(a, e) || a === e, `${what}[${i}]: expected ${e}, got ${a}`);
    assert.ok(Math.abs(a - e) <= rel * scale, `${what}[${i}]: expected ${e}, got ${a} (diff ${a - e})`);
  });
}

function namedBuffers(m: AnyModule): Array<[string, Tensor]> {
  return m.namedBuffers();
}

describe("layer modules against PyTorch 1.13", () => {
  for (const c of fixture.modules) {
    it(`${c.repr} (seed ${c.seed})`, () => {
      gl.manualSeed(c.seed);
      const m = build(c.cls, c.args, c.options);
      assert.equal(String(m), c.repr, "repr");
      const params = m.namedParameters();
      assert.deepEqual(params.map(([n]) => n), c.parameters.map(([n]) => n), "parameter names");
      params.forEach(([n, p], i) => {
        assert.deepEqual(p.shape, c.parameters[i][1].shape, `${n} shape`);
        assert.equal(p.dtype, c.parameters[i][1].dtype, `${n} dtype`);
        assert.equal(p.requiresGrad, c.parameters[i][2], `${n} requires_grad`);
        close(p, c.parameters[i][1].values, `initial ${n}`, true);
      });
      const buffers = namedBuffers(m);
      assert.deepEqual(buffers.map(([n]) => n), c.buffers.map(([n]) => n), "buffer names");
      buffers.forEach(([n, b], i) => {
        assert.equal(b.dtype, c.buffers[i][1].dtype, `${n} dtype`);
        close(b, c.buffers[i][1].values, `buffer ${n}`, true);
      });
      if (!c.input || !c.out) return;
      m.train(c.train ?? true);
      const x = c.input.dtype === "int64" ? tensorOf(c.input) : tensorOf(c.input, true);
      gl.manualSeed(c.seed + 2);
      const out = m.call(x);
      assert.deepEqual(out.shape, c.out.shape, "output shape");
      assert.equal(out.gradFn?.name ?? null, c.gradFn, "grad_fn");
      // max_norm rescales rows by a norm PyTorch sums in float32 in its own order: close, not equal.
      close(out, c.out.values, "output", EXACT_FORWARD.test(c.cls) && !c.options?.maxNorm);
      if (c.weight && c.grads) {
        out.mul(fromFixture(c.weight, c.out.shape, c.out.dtype, false)).sum().backward();
        if (c.inputGrad) close(x.grad!, c.inputGrad, "input grad");
        const byName = new Map(m.namedParameters());
        for (const [n, g] of c.grads) {
          if (g === null) assert.equal(byName.get(n)!.grad, null, `${n}.grad`);
          else close(byName.get(n)!.grad!, g, `${n}.grad`);
        }
      }
      namedBuffers(m).forEach(([n, b], i) => close(b, c.buffersAfter![i][1].values, `${n} after forward`));
    });
  }

  it("Embedding.fromPretrained wraps the tensor, frozen unless freeze is false", () => {
    const w = gl.tensor([[1, 2], [3, 4], [5, 6]]);
    const frozen = nn.Embedding.fromPretrained(w);
    assert.equal(String(frozen), "Embedding(3, 2)");
    assert.equal(frozen.weight.requiresGrad, false);
    assert.deepEqual(frozen.call(gl.tensor([2, 0], { dtype: "int64" })).tolist(), [[5, 6], [1, 2]]);
    const trainable = nn.Embedding.fromPretrained(w, { freeze: false, paddingIdx: 1 });
    assert.equal(trainable.weight.requiresGrad, true);
    trainable.call(gl.tensor([1, 2, 1], { dtype: "int64" })).sum().backward();
    assert.deepEqual(trainable.weight.grad!.tolist(), [[0, 0], [0, 0], [1, 1]]);
  });

  it("MaxPool2d with returnIndices gives [values, indices] and is typed so", () => {
    const pool = new nn.MaxPool2d(2, { returnIndices: true });
    const [values, indices] = pool.call(gl.arange(16).reshape(1, 1, 4, 4));
    assert.deepEqual(values.tolist(), [[[[5, 7], [13, 15]]]]);
    assert.deepEqual(indices.tolist(), [[[[5, 7], [13, 15]]]]);
    assert.equal(indices.dtype, "int64");
  });

  it("train() and eval() reach every child: dropout and batch norm switch together", () => {
    const model = new nn.Sequential(new nn.Linear(3, 4), new nn.BatchNorm1d(4), new nn.Dropout(0.5));
    model.eval();
    assert.deepEqual(model.layers.map((l) => l.training), [false, false, false]);
    const x = gl.randn([5, 3]);
    assert.deepEqual(model.call(x).tolist(), model.call(x).tolist(), "eval is deterministic");
    model.train();
    assert.ok(model.layers.every((l) => l.training));
  });
});

describe("running statistics over training steps, then eval mode", () => {
  for (const c of fixture.runningStats) {
    it(`${c.cls}(${c.args.join(", ")}${c.options ? `, ${JSON.stringify(c.options)}` : ""})`, () => {
      gl.manualSeed(c.seed);
      const m = build(c.cls, c.args, c.options);
      m.train();
      // Bit for bit: ATen's statistics, running averages and fused output, in float32 and float64.
      c.inputs.forEach((x, i) => close(m.call(tensorOf(x)), c.trainOuts[i].values, `train output ${i}`, true));
      const buffers = namedBuffers(m);
      assert.deepEqual(buffers.map(([n]) => n), c.buffers.map(([n]) => n));
      buffers.forEach(([n, b], i) => close(b, c.buffers[i][1].values, n, true));
      m.eval();
      close(m.call(tensorOf(c.probe)), c.evalOut.values, "eval output", true);
    });
  }
});

describe("LeNet-5 as PyTorch builds and trains it", () => {
  const L = fixture.lenet;
  const build = () => {
    gl.manualSeed(0);
    return new nn.Sequential(
      new nn.Conv2d(1, 6, 5, { padding: 2 }), new nn.ReLU(), new nn.MaxPool2d(2),
      new nn.Conv2d(6, 16, 5), new nn.ReLU(), new nn.MaxPool2d(2),
      new nn.Flatten(),
      new nn.Linear(400, 120), new nn.ReLU(), new nn.Linear(120, 84), new nn.ReLU(), new nn.Linear(84, 10),
    );
  };

  it("prints as PyTorch prints it", () => assert.equal(String(build()), L.repr));

  it("draws PyTorch's initial parameters after manualSeed(0)", () => {
    const params = build().namedParameters();
    assert.deepEqual(params.map(([n]) => n), L.initial.map(([n]) => n));
    params.forEach(([n, p], i) => close(p, L.initial[i][1].values, n, true));
  });

  it("follows PyTorch's losses and gradients over four steps of gradient descent", () => {
    const model = build();
    const images = tensorOf(L.images);
    const labels = gl.tensor(L.labels, { dtype: "int64" });
    L.losses.forEach((expected, step) => {
      const loss = F.crossEntropy(model.call(images), labels);
      assert.ok(Math.abs(loss.item() - expected) < 1e-5, `step ${step}: loss ${loss.item()} vs PyTorch ${expected}`);
      model.zeroGrad();
      loss.backward();
      if (step === 0) model.namedParameters().forEach(([n, p], i) => close(p.grad!, L.firstGrads[i][1], `${n}.grad`));
      gl.noGrad(() => model.parameters().forEach((p) => p.sub_(p.grad!.mul(0.1))));
    });
  });
});

/** Python prints a set in hash order, which changes between runs: compare sets as sorted lists. */
const sortedSets = (message: string) => message.replace(/\{([^}]*)\}/g, (_, inner: string) => `{${inner.split(", ").sort().join(", ")}}`);

describe("layer modules refuse bad arguments with PyTorch's errors", () => {
  for (const e of fixture.errors) {
    it(e.name, () => {
      assert.throws(() => {
        const m = build(e.cls, e.args, e.options);
        if (e.inputShape) m.call(gl.zeros(e.inputShape));
      }, (err: Error) => {
        assert.equal(err.name, e.type);
        assert.equal(sortedSets(err.message), sortedSets(e.message));
        return true;
      });
    });
  }
});

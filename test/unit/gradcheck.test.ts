/**
 * Numerical gradient checks: gradcheck on every op family in float64 (random inputs, broadcasting shapes), and the
 * runner's graph and per-node checks, which must name a wrong backward.
 */
import { strict as assert } from "node:assert";
import * as gl from "../../src/engine";
import { autograd, F, type Tensor, tensor } from "../../src/engine";

gl.manualSeed(3);
const r = (...shape: number[]) => gl.rand(shape, { dtype: "float64" }).mul(2).sub(1).requiresGrad_(true);
const pos = (...shape: number[]) => gl.rand(shape, { dtype: "float64" }).add(0.5).requiresGrad_(true);

const CASES: Array<[string, () => Tensor[], (...t: Tensor[]) => Tensor]> = [
  ["add broadcast", () => [r(2, 3), r(3)], (a, b) => a.add(b)],
  ["sub broadcast column", () => [r(3, 1), r(1, 4)], (a, b) => a.sub(b)],
  ["mul 3-d broadcast", () => [r(2, 1, 3), r(4, 1)], (a, b) => a.mul(b)],
  ["div", () => [r(2, 3), pos(2, 3)], (a, b) => a.div(b)],
  ["pow tensor exponent", () => [pos(2, 3), r(2, 3)], (a, b) => a.pow(b)],
  ["pow scalar", () => [r(4)], (a) => a.pow(3)],
  ["exp, log, sqrt", () => [pos(5)], (a) => a.exp().add(a.log()).add(a.sqrt())],
  ["sin, cos, tanh, sigmoid", () => [r(5)], (a) => a.sin().mul(a.cos()).add(a.tanh()).add(a.sigmoid())],
  ["abs and relu away from 0", () => [tensor([-0.7, 0.4, 1.3, -2.1], { dtype: "float64", requiresGrad: true })], (a) => a.abs().add(a.relu())],
  ["clamp", () => [tensor([-0.7, 0.4, 1.3], { dtype: "float64", requiresGrad: true })], (a) => a.clamp(-0.5, 1)],
  ["maximum and minimum", () => [r(3), r(3)], (a, b) => a.maximum(b).add(a.minimum(b))],
  ["matmul 1-d · 2-d", () => [r(4), r(4, 3)], (a, b) => a.matmul(b)],
  ["matmul 2-d · 1-d", () => [r(3, 4), r(4)], (a, b) => a.matmul(b)],
  ["matmul 3-d · 2-d", () => [r(2, 3, 4), r(4, 2)], (a, b) => a.matmul(b)],
  ["matmul batch broadcast", () => [r(2, 1, 3, 4), r(3, 4, 2)], (a, b) => a.matmul(b)],
  ["matmul 2-d · 3-d", () => [r(3, 4), r(2, 4, 2)], (a, b) => a.matmul(b)],
  ["sum dims keepdim", () => [r(2, 3, 4)], (a) => a.sum([0, 2], true)],
  ["mean dim", () => [r(2, 3)], (a) => a.mean(1)],
  ["max dim", () => [tensor([[0.1, 0.9, 0.3], [0.5, -0.2, 0.4]], { dtype: "float64", requiresGrad: true })], (a) => a.max(1).values],
  ["max all", () => [tensor([0.1, 0.9, 0.3], { dtype: "float64", requiresGrad: true })], (a) => a.max()],
  ["norm 1, 2, 3, inf", () => [tensor([0.3, -1.2, 0.7], { dtype: "float64", requiresGrad: true })], (a) => a.norm(1).add(a.norm(2)).add(a.norm(3)).add(a.norm(Infinity))],
  ["norm along dim", () => [r(3, 4)], (a) => a.norm(2, 1)],
  ["views", () => [r(2, 3, 4)], (a) => a.reshape(6, 4).t().unsqueeze(0).permute(2, 0, 1).flatten().expand(2, 24)],
  ["transpose, squeeze", () => [r(1, 3, 2)], (a) => a.transpose(1, 2).squeeze(0)],
  ["softmax and logSoftmax", () => [r(2, 5)], (a) => F.softmax(a, 1).mul(F.logSoftmax(a, 0))],
  ["mseLoss", () => [r(3, 2), r(3, 2)], (a, b) => F.mseLoss(a, b)],
  ["crossEntropy", () => [r(4, 3)], (a) => F.crossEntropy(a, tensor([0, 2, 1, 2], { dtype: "int64" }))],
  ["binaryCrossEntropy", () => [pos(3).mul(0.5)], (a) => F.binaryCrossEntropy(a, tensor([0, 1, 1], { dtype: "float64" }))],
  ["linear", () => [r(5, 3), r(2, 3), r(2)], (x, w, b) => F.linear(x, w, b)],
];

describe("gradcheck in float64 on every op family", () => {
  for (const [name, make, fn] of CASES) it(name, () => assert.equal(autograd.gradcheck(fn, make()), true));
  for (const [name, make, fn] of CASES.slice(0, 6)) it(`${name} (fast mode)`, () => assert.equal(autograd.gradcheck(fn, make(), { fastMode: true }), true));

  it("a wrong backward fails with the input, the element and both values", () => {
    class Twice extends autograd.Function {
      static override forward(_ctx: autograd.FunctionCtx, x: Tensor): Tensor {
        return x.mul(x);
      }
      static override backward(_ctx: autograd.FunctionCtx, g: Tensor): Tensor {
        return g.mul(2); // should be 2x·g
      }
    }
    const x = tensor([0.5, 1.5], { dtype: "float64", requiresGrad: true });
    assert.throws(() => autograd.gradcheck((t) => Twice.apply(t), [x]), (e: Error) => {
      assert.equal(e.name, "GradcheckError");
      assert.match(e.message, /Jacobian mismatch for output 0 with respect to input 0/);
      assert.match(e.message, /d\(output 0\)\[0\] \/ d\(input 0\)\[0\]: numerical (0\.99999|1\.00000)\d*, analytical 2\./);
      return true;
    });
    assert.equal(autograd.gradcheck((t) => Twice.apply(t), [x], { raiseException: false }), false);
  });
});

describe("graph and per-node checks (what the runner runs after backward)", () => {
  class Cube extends autograd.Function {
    static override forward(ctx: autograd.FunctionCtx, x: Tensor): Tensor {
      ctx.saveForBackward(x);
      return x.pow(3);
    }
    static override backward(ctx: autograd.FunctionCtx, g: Tensor): Tensor {
      const [x] = ctx.savedTensors;
      return g.mul(x.pow(2)).mul(2); // wrong: d/dx x³ = 3x²
    }
  }

  it("a correct float32 graph passes at PyTorch's tolerances", () => {
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const y = x.add(2).mul(x.sub(2)).sum();
    y.backward();
    const [check] = autograd.checkGraph(y, new Map([[x, x.grad!]]));
    assert.equal(check.passed, true);
    assert.equal(check.mode, "full");
    assert.deepEqual(Array.from(check.numerical!).map((v) => Math.round(v * 1e6) / 1e6), [2, 4, 6, 8]);
    assert.ok(autograd.checkNodes(y).every((n) => n.passed === true));
  });

  it("a wrong custom backward in the middle of a chain: the leaf fails and exactly that node fails", () => {
    const w = tensor([0.5, -1.5, 2], { requiresGrad: true });
    const h = Cube.apply(w.mul(2).add(1));
    const loss = h.mul(0.1).tanh().sum();
    loss.backward();
    const [leaf] = autograd.checkGraph(loss, new Map([[w, w.grad!]]));
    assert.equal(leaf.passed, false);
    assert.ok(leaf.worst);
    const nodes = autograd.checkNodes(loss);
    const failing = nodes.filter((n) => n.passed === false).map((n) => n.node.name);
    assert.deepEqual(failing, ["CubeBackward"]);
    assert.ok(nodes.filter((n) => n.node.name !== "CubeBackward").every((n) => n.passed === true));
  });

  it("a kink (relu at exactly 0) is skipped, not failed", () => {
    const x = tensor([0, 1, -1], { requiresGrad: true });
    const y = x.relu().sum();
    y.backward();
    const [node] = autograd.checkNodes(y).filter((n) => n.node.name === "ReluBackward0");
    assert.equal(node.passed, null);
    assert.match(node.skipped!, /not differentiable/);
  });

  it("big leaves are sampled to stay in the time budget", () => {
    const w = gl.randn([200, 300], { requiresGrad: true });
    const loss = w.tanh().pow(2).mean();
    loss.backward();
    const started = performance.now();
    const [check] = autograd.checkGraph(loss, new Map([[w, w.grad!]]), { budgetMs: 300 });
    assert.ok(performance.now() - started < 2000);
    assert.notEqual(check.mode, "full");
    assert.equal(check.passed, true);
  });

  describe("a large objective, where one small step drowns in rounding", () => {
    // sum(w²) over w = 0, 1000, …, 3,999,000 is about 2·10^16: float64 rounds it to within ~2, so a central difference
    // over a step of 1e-6 sees noise of ~10^6 while d/dw_i = 2·w_i. Every value below is derived by hand.
    const make = () => {
      const w = gl.arange(4000, { dtype: "float64" }).mul(1000).requiresGrad_(true);
      const loss = w.mul(w).sum();
      loss.backward();
      return { w, loss };
    };

    it("a correct gradient passes, element by element and op by op", () => {
      const { w, loss } = make();
      const [check] = autograd.checkGraph(loss, new Map([[w, w.grad!]]), { budgetMs: 20_000 });
      assert.equal(check.mode, "full");
      assert.equal(check.passed, true, JSON.stringify(check.worst));
      const numerical = check.numerical!;
      for (const i of [0, 1, 2, 1234, 3999]) assert.ok(Math.abs(numerical[i] - 2000 * i) <= 1e-5 + 1e-3 * 2000 * i + 1, `element ${i}: ${numerical[i]}`);
      assert.deepEqual(autograd.checkNodes(loss).map((n) => [n.node.name, n.passed]), [["MulBackward0", true], ["SumBackward0", true]]);
    });

    it("a backward off by 1% everywhere, or in one small element, still fails", () => {
      // The check judges the backward itself (replayed in float64), so the wrong gradients come from wrong backwards.
      const wrongBy = (fix: (g: Tensor) => Tensor) =>
        class Square extends autograd.Function {
          static override forward(ctx: autograd.FunctionCtx, w: Tensor): Tensor {
            ctx.saveForBackward(w);
            return w.mul(w);
          }
          static override backward(ctx: autograd.FunctionCtx, g: Tensor): Tensor {
            return fix(g.mul(ctx.savedTensors[0]).mul(2));
          }
        };
      const run = (fix: (g: Tensor) => Tensor) => {
        const w = gl.arange(4000, { dtype: "float64" }).mul(1000).requiresGrad_(true);
        const loss = wrongBy(fix).apply(w).sum();
        loss.backward();
        return { w, check: autograd.checkGraph(loss, new Map([[w, w.grad!]]), { budgetMs: 20_000 })[0] };
      };
      const scaled = run((g) => g.mul(1.01)).check;
      assert.equal(scaled.passed, false);
      const single = run((g) => {
        const out = g.clone();
        out._data[3] = 7000; // d/dw_3 is 6000
        return out;
      }).check;
      assert.equal(single.passed, false);
      assert.deepEqual(single.worst?.index, [3]);
      assert.equal(single.worst?.analytical, 7000);
      assert.ok(Math.abs(single.worst!.numerical - 6000) < 6, `numerical ${single.worst!.numerical}`);
    });
  });

  describe("Ridders' extrapolation", () => {
    it("d/dx exp(x) at 1 is e to 12 digits, with an error estimate that says so", () => {
      const { value, error } = autograd.riddersDerivative((s) => Math.exp(1 + s), 0.1);
      assert.ok(Math.abs(value - Math.E) < 1e-12, String(value));
      assert.ok(error < 1e-10, String(error));
    });

    it("d/dx log(x) at 0.05 is 20, though the first steps reach below 0", () => {
      const { value } = autograd.riddersDerivative((s) => Math.log(0.05 + s), 0.1);
      assert.ok(Math.abs(value - 20) < 1e-6, String(value));
    });
  });

  it("replay leaves the original tensors untouched", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(3).exp().sum();
    const version = x._storage.version;
    const graph = autograd.replayGraph(y);
    const out = graph.run(new Map([[x, tensor([0, 0], { dtype: "float64" })]]));
    assert.equal(out.item(), 2);
    assert.equal(x._storage.version, version);
    assert.deepEqual(x.tolist(), [1, 2]);
  });
});

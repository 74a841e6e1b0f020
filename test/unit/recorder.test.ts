/**
 * What the recorder adds to a run: the gradient that reached every tensor in a backward (what retainGrad() would
 * give), while the snippet still sees PyTorch's .grad; each node's gradient norm and module; and gradient flow.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { runSnippet } from "../../src/runner/run";
import type { Trace } from "../../src/runner/trace";

const dir = mkdtempSync(path.join(tmpdir(), "gradlens-recorder-"));
const examples = path.join(__dirname, "..", "..", "examples");

async function run(source: string): Promise<Trace> {
  const file = path.join(dir, "snippet.ts");
  writeFileSync(file, source);
  return runSnippet({ file, source, checkBudgetMs: 0 });
}

const values = (v: { values: Array<number | string> | null } | null) => v?.values;

describe("recorder: every node's gradient", function () {
  this.timeout(30_000);

  it("each tensor's gradient from the backward, as retainGrad() gives it, without changing what the snippet sees", async () => {
    const trace = await run(`import { tensor } from "gradlens";
const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
const x1 = x.add(2);
const x2 = x.sub(2);
const x3 = x1.mul(x2);
const y = x3.sum();
y.backward();
console.log(x3.grad, x3.retainsGrad);
`);
    assert.equal(trace.error, null);
    const t = (name: string) => trace.tensors.find((r) => r.name === name)!;
    // y = Σ (x+2)(x−2): dy/dx3 = 1, dy/dx1 = x2 = x − 2, dy/dx2 = x1 = x + 2, dy/dx = 2x.
    assert.deepEqual(values(t("y").backwardGrad), [1]);
    assert.deepEqual(values(t("x3").backwardGrad), [1, 1, 1, 1]);
    assert.deepEqual(values(t("x1").backwardGrad), [-1, 0, 1, 2]);
    assert.deepEqual(values(t("x2").backwardGrad), [3, 4, 5, 6]);
    // A leaf shows its own .grad; the gradient its node got is in the node's norm below.
    assert.equal(t("x").backwardGrad, null);
    assert.deepEqual(values(t("x").grad), [2, 4, 6, 8]);
    // The snippet's own view is PyTorch's: a non-leaf has no .grad (and the warning says why).
    assert.equal(t("x3").grad, null);
    assert.equal(trace.console[0].text, "null false");
    assert.ok(trace.warnings.some((w) => /not a leaf Tensor is being accessed/.test(w.message) && w.at?.line === 8));
    const mul = trace.nodes.find((n) => n.name === "MulBackward0")!;
    assert.equal(mul.gradNorm, 2);
    const add = trace.nodes.find((n) => n.name === "AddBackward0")!;
    assert.equal(add.gradNorm, Math.sqrt(1 + 0 + 1 + 4));
    const leaf = trace.nodes.find((n) => n.kind === "accumulate")!;
    assert.equal(leaf.gradNorm, Math.sqrt(4 + 16 + 36 + 64));
  });

  it("a leaf's node carries the latest backward's share, its .grad the sum", async () => {
    const trace = await run(`import { tensor } from "gradlens";
const w = tensor([1, 2], { requiresGrad: true });
w.mul(3).sum().backward();
w.mul(w).sum().backward();
`);
    const w = trace.tensors.find((r) => r.name === "w")!;
    assert.deepEqual(values(w.grad), [5, 7]);
    const leaf = trace.nodes.find((n) => n.kind === "accumulate" && n.tensor === w.id)!;
    assert.equal(leaf.gradNorm, Math.sqrt(2 * 2 + 4 * 4));
  });

  it("autograd.grad leaves the recorded gradients alone", async () => {
    const trace = await run(`import { autograd, tensor } from "gradlens";
const w = tensor([1, 2], { requiresGrad: true });
const g = autograd.grad(w.mul(w).sum(), w)[0];
`);
    const w = trace.tensors.find((r) => r.name === "w")!;
    assert.equal(w.backwardGrad, null);
    assert.deepEqual(values(trace.tensors.find((r) => r.name === "g")!.value), [2, 4]);
  });

  it("a training loop: the nodes name their module, parameters and layers have a value per iteration", async () => {
    const trace = await runSnippet({ file: path.join(examples, "mlp_training.ts"), checkBudgetMs: 0 });
    assert.deepEqual(trace.modules.map((m) => [m.name, m.className, m.calls]), [["model.0", "Linear", 30], ["model.1", "Tanh", 30], ["model.2", "Linear", 30]]);
    const byId = new Map(trace.modules.map((m) => [m.id, m.name]));
    const tanh = trace.nodes.filter((n) => n.name === "TanhBackward0");
    assert.ok(tanh.length >= 1 && tanh.every((n) => byId.get(n.module!) === "model.1"));
    assert.ok(trace.nodes.filter((n) => n.name === "AddmmBackward0").every((n) => ["model.0", "model.2"].includes(byId.get(n.module!)!)));
    assert.deepEqual(trace.flow.parameters.map((p) => p.name), ["model.0.weight", "model.0.bias", "model.2.weight", "model.2.bias"]);
    for (const p of trace.flow.parameters) {
      assert.equal(p.gradNorm.length, 30);
      assert.equal(p.updateRatio.length, 30);
      assert.ok(p.gradNorm.every((g) => typeof g === "number" && g > 0));
      assert.ok(p.updateRatio.every((r) => typeof r === "number" && r > 0 && r < 1));
    }
    assert.equal(trace.flow.loss.length, 30);
    assert.ok((trace.flow.loss[29] as number) < (trace.flow.loss[0] as number));
    assert.deepEqual(trace.flow.layers.map((l) => l.name), ["model.0", "model.1", "model.2"]);
    const tanhLayer = trace.flow.layers[1];
    assert.equal(tanhLayer.saturatedFraction.length, 30);
    assert.ok(tanhLayer.saturatedFraction.every((f) => f !== null && f >= 0 && f <= 1));
    assert.ok(trace.flow.layers[0].zeroFraction.every((f) => f === null));
    // Each module's input, output and output gradient over its calls: up to 24 calls spread over the run (past 24,
    // every other one goes), here calls 1, 3, …, 29.
    for (const m of trace.modules) {
      assert.deepEqual(m.output.map((d) => d.call), Array.from({ length: 15 }, (_, i) => 2 * i + 1));
      assert.deepEqual(m.grad.map((d) => d.call), m.output.map((d) => d.call));
      assert.deepEqual(m.input.map((d) => d.call), m.output.map((d) => d.call));
      const last = m.output[m.output.length - 1];
      const q = last.quantiles!;
      assert.ok(q[0] <= q[3] && q[3] <= q[6]);
      assert.equal(last.histogram.reduce((a, b) => a + b, 0), m.name === "model.2" ? 16 : 128);
    }
  });
});

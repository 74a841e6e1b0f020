/**
 * The Trace of a training loop stays small enough to open: a loop's backward records, its earlier iterations'
 * tensors and its series are capped, every cap says so in the Trace, and what a user looks at (the last iteration's
 * values and gradients, a failing check wherever it happened, the last loss) stays whole. Runs the built worker.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { BACKWARDS_FIRST, BACKWARDS_LATEST, BACKWARDS_SAMPLED } from "../../src/runner/backwardHistory";
import { checkCoverage } from "../../src/runner/coverage";
import { downsample, downsamplePlan, FLOW_POINTS } from "../../src/runner/downsample";
import { runSnippetWithValues } from "../../src/runner/run";
import { backwardCalls } from "../../src/runner/trace";
import { checkReport, PLAIN } from "../../src/cli/report";

const dir = mkdtempSync(path.join(tmpdir(), "gradlens-tracesize-"));

function snippet(name: string, lines: string[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

describe("trace size: a training loop's Trace is capped, and says so", function () {
  this.timeout(60_000);

  // w is 50×50 ones; iteration i (1-based) makes y = w·i, so the last backward's w.grad is 200 everywhere and the
  // first's is 1: values the test knows without the engine.
  const loop = snippet("loop.ts", [
    'import { ones } from "gradlens";',
    "const w = ones([50, 50], { requiresGrad: true });",
    "for (let i = 1; i <= 200; i++) {",
    "  const y = w.mul(i);",
    "  const loss = y.sum();",
    "  w.grad = null;",
    "  loss.backward();",
    "}",
  ]);

  it("keeps the first, latest and sampled backward calls, counts the rest, and stays small", async () => {
    const { trace } = await runSnippetWithValues({ file: loop });
    assert.equal(trace.status, "ok", trace.error?.message);
    assert.equal(backwardCalls(trace), 200);
    assert.ok(trace.backwards.length <= BACKWARDS_FIRST + BACKWARDS_LATEST + BACKWARDS_SAMPLED + 1, `${trace.backwards.length} records kept`);
    assert.equal(trace.limits.droppedBackwards, 200 - trace.backwards.length);
    // Each kept record says how many calls of its line were left out before it: together, every call.
    assert.equal(trace.backwards.reduce((n, b) => n + 1 + (b.omittedBefore ?? 0), 0), 200);
    assert.deepEqual(trace.backwards.slice(0, BACKWARDS_FIRST).map((b) => b.id), [1, 2, 3]);
    assert.deepEqual(trace.backwards.slice(-BACKWARDS_LATEST).map((b) => b.id), [198, 199, 200]);
    // The checks of the calls left out still count: the badge tells the same story it told with every record.
    const dropped = trace.limits.droppedChecks!;
    assert.equal(dropped.passed + dropped.unchecked, trace.limits.droppedBackwards);
    assert.equal(checkCoverage(trace).total, 200);
    // 200 iterations of a 2,500-element weight: 200 records of its gradient were ~10 MB of JSON.
    const size = JSON.stringify(trace).length;
    assert.ok(size < 600_000, `the Trace is ${size} characters`);
  });

  it("keeps the last iteration's values and gradient whole; a middle call keeps statistics; an earlier iteration's values travel on demand", async () => {
    const { trace, valuesOnDemand } = await runSnippetWithValues({ file: loop });
    const w = trace.tensors.find((t) => t.name === "w")!;
    assert.equal(w.grad!.values!.length, 2500);
    assert.ok(w.grad!.values!.every((v) => v === 200), "w.grad after the last backward is 200 everywhere");
    const last = trace.backwards[trace.backwards.length - 1];
    assert.equal(last.gradsStatsOnly, undefined);
    assert.match(last.grads[0].grad.text, /^tensor\(\[\[200\., 200\., 200\.,/);
    assert.deepEqual([last.grads[0].grad.stats.min, last.grads[0].grad.stats.max], [200, 200]);
    const first = trace.backwards[0];
    assert.match(first.grads[0].grad.text, /^tensor\(\[\[1\., 1\., 1\.,/);
    const middle = trace.backwards.find((b) => b.gradsStatsOnly)!;
    assert.equal(middle.grads[0].grad.text, "");
    assert.equal(middle.grads[0].grad.values, null);
    assert.deepEqual([middle.grads[0].grad.stats.min, middle.grads[0].grad.stats.max], [middle.id, middle.id]);
    // y of the last iteration is w·200 inline; y of the first iteration is marked and its values are on demand.
    const ys = trace.tensors.filter((t) => t.name === "y");
    const latestY = ys[ys.length - 1];
    assert.equal(latestY.earlierIteration, undefined);
    assert.ok(latestY.value.values!.every((v) => v === 200));
    const firstY = ys[0];
    assert.equal(firstY.earlierIteration, true);
    assert.equal(firstY.value.values, null);
    assert.match(firstY.value.text, /^tensor\(\[\[1\., 1\., 1\.,/);
    const kept = valuesOnDemand.get(firstY.id)!;
    assert.ok(kept && kept.value.length === 2500 && kept.value.every((v) => v === 1));
  });

  it("the CLI counts the calls left out with those kept", async () => {
    const { trace } = await runSnippetWithValues({ file: loop });
    assert.match(checkReport(trace, PLAIN), /… 198 more backward calls on this line/);
  });

  it("keeps a middle call whose check failed, with its numerical gradient", async () => {
    // A user Function whose backward is wrong (×3 instead of ×2) in iteration 57 only.
    const file = snippet("failing.ts", [
      'import { autograd, tensor, type Tensor } from "gradlens";',
      "let step = 0;",
      "class Square extends autograd.Function {",
      "  static override forward(ctx: autograd.FunctionCtx, x: Tensor): Tensor {",
      "    ctx.saveForBackward(x);",
      "    return x.mul(x);",
      "  }",
      "  static override backward(ctx: autograd.FunctionCtx, g: Tensor): Tensor {",
      "    return g.mul(ctx.savedTensors[0]).mul(step === 57 ? 3 : 2);",
      "  }",
      "}",
      "const x = tensor([0.5, -1.5, 2], { requiresGrad: true });",
      "for (step = 1; step <= 120; step++) {",
      "  const loss = Square.apply(x).sum();",
      "  x.grad = null;",
      "  loss.backward();",
      "}",
    ]);
    const { trace } = await runSnippetWithValues({ file, checkBudgetMs: 60_000 });
    assert.equal(trace.status, "check-failed");
    const failing = trace.backwards.find((b) => b.id === 57);
    assert.ok(failing, "the failing call is kept");
    const check = failing.checks[0];
    assert.equal(check.passed, false);
    // d(sum x²)/dx = 2x, numerically.
    assert.deepEqual(check.numerical!.values!.map((v) => Math.round((v as number) * 1e4) / 1e4), [1, -3, 4]);
    assert.equal(checkCoverage(trace).coverage, "failed");
    assert.equal(backwardCalls(trace), 120);
  });
});

describe("downsampling a long series: bounded, spikes kept, first and last exact", () => {
  it("keeps each span's min and max in order, and a NaN", () => {
    const n = 30_000;
    const values: Array<number | "nan"> = Array.from({ length: n }, (_, i) => 10 / (1 + i / 100));
    values[12_345] = 1e6;
    values[20_000] = "nan";
    const plan = downsamplePlan(n)!;
    const out = downsample(values, plan);
    assert.equal(out.length, plan.steps.length);
    assert.ok(out.length <= FLOW_POINTS);
    assert.deepEqual([plan.steps[0], plan.steps[plan.steps.length - 1]], [1, n]);
    assert.ok(plan.steps.every((s, i) => i === 0 || s >= plan.steps[i - 1]), "steps ascend");
    assert.equal(out[0], values[0]);
    assert.equal(out[out.length - 1], values[n - 1]);
    assert.ok(out.includes(1e6), "the spike stays");
    assert.ok(out.includes("nan"), "the NaN stays");
    assert.equal(downsamplePlan(FLOW_POINTS), null, "short series are left alone");
  });
});

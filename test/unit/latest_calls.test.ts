/**
 * The latest backward call of a training loop is checked even when the calls before it used up the check budget:
 * with the values its leaves had then (optimizer.step() has changed them since), which are given back afterwards.
 * Runs the built child (npm run build first).
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { runSnippet } from "../../src/runner/run";
import type { Trace } from "../../src/runner/trace";

const dir = mkdtempSync(path.join(tmpdir(), "gradlens-latest-"));

function snippet(name: string, lines: string[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

/** An MLP trained for 300 steps: far more calls than a 400 ms budget checks. `extra` runs after each step. */
function training(name: string, extra: string[] = [], wrongBackward = false): string {
  return snippet(name, [
    'import { autograd, F, manualSeed, nn, optim, randn, type Tensor } from "gradlens";',
    "class Square extends autograd.Function {",
    "  static override forward(ctx: autograd.FunctionCtx, x: Tensor) { ctx.saveForBackward(x); return x.mul(x); }",
    `  static override backward(ctx: autograd.FunctionCtx, g: Tensor) { const [x] = ctx.savedTensors; return g.mul(x).mul(${wrongBackward ? 3 : 2}); }`,
    "}",
    "manualSeed(0);",
    "const model = new nn.Sequential(new nn.Linear(8, 32), new nn.Tanh(), new nn.Linear(32, 1));",
    "const opt = new optim.SGD(model.parameters(), { lr: 0.05 });",
    "const x = randn(64, 8);",
    "const y = randn(64, 1);",
    "for (let step = 0; step < 300; step++) {",
    "  opt.zeroGrad();",
    "  const loss = Square.apply(model.forward(x).sub(y)).mean();",
    "  loss.backward();",
    "  opt.step();",
    ...extra,
    "}",
    "console.log(model.get(0).weight.sum().item());",
  ]);
}

function lastCall(trace: Trace) {
  return trace.backwards[trace.backwards.length - 1];
}

describe("the latest backward call of a loop is checked at the end", function () {
  this.timeout(60_000);

  it("is checked and passes, though the calls before it ran out of budget; the parameters end as the loop left them", async () => {
    const file = training("loop.ts");
    const checked = await runSnippet({ file, checkBudgetMs: 400 });
    const unchecked = await runSnippet({ file, checkBudgetMs: 0 });
    assert.equal(checked.status, "ok", checked.error?.message);
    const last = lastCall(checked);
    assert.equal(last.id, 300);
    // Checked at the end (a loaded machine may leave part of it not finished, never failed or refused).
    const states = JSON.stringify(last.checks.map((c) => [c.passed, c.skipped]));
    assert.ok(last.checks.some((c) => c.passed === true), states);
    assert.ok(last.checks.every((c) => c.passed !== false && !/used up by earlier/.test(c.skipped ?? "")), states);
    const middle = checked.backwards.find((b) => b.id > 3 && b.id < 300 && b.checks.some((c) => c.skipped));
    assert.ok(middle, "some call in between went unchecked (the budget ran out)");
    assert.match(middle.checks.find((c) => c.skipped)!.skipped!, /budget/);
    // Checking gave the leaves their old values for a while: what the snippet printed and what the Trace holds are
    // the same as without any check.
    assert.deepEqual(checked.console.map((l) => l.text), unchecked.console.map((l) => l.text));
  });

  it("a wrong custom backward is caught in the latest call too", async () => {
    const trace = await runSnippet({ file: training("wrong.ts", [], true), checkBudgetMs: 400 });
    assert.equal(trace.status, "check-failed", trace.error?.message);
    assert.ok(lastCall(trace).checks.some((c) => c.passed === false), "the latest call's checks fail");
  });

  it("is left unchecked, saying why, when a tensor its graph read was changed in place afterwards", async () => {
    const trace = await runSnippet({ file: training("inplace.ts", ["  x.mul_(1.01);"]), checkBudgetMs: 400 });
    assert.equal(trace.status, "ok", trace.error?.message);
    const reasons = lastCall(trace).checks.map((c) => c.skipped ?? "");
    assert.ok(reasons.every((r) => /changed in place after it/.test(r)), reasons.join("; "));
  });
});

/**
 * Findings: each bug in examples/bugs/ is named, at its line, in its words; the same snippet with the bug fixed gives
 * none; and no correct example in examples/ gives any.
 */
import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { runSnippet } from "../../src/runner/run";
import type { FindingRule, Trace } from "../../src/runner/trace";

const examples = path.join(__dirname, "..", "..", "examples");

interface BugCase {
  file: string;
  rule: FindingRule;
  line: number;
  message: RegExp;
  /** The fix: this text of the snippet replaced by that. */
  fix: [string, string];
}

const BUGS: BugCase[] = [
  { file: "cut_graph_detach.ts", rule: "cut-graph", line: 11, message: /^encoder\.weight and encoder\.bias got no gradient from backward\(\): the path to the loss is cut at line 11 by \.detach\(\)\.$/, fix: ["encoder.call(x).detach()", "encoder.call(x)"] },
  { file: "cut_graph_item.ts", rule: "cut-graph", line: 9, message: /^w got no gradient from backward\(\): the path to the loss is cut at line 9 by \.item\(\), which turns the tensor into a plain number/, fix: ["tensor(w.mul(x).sum().item())", "w.mul(x).sum()"] },
  { file: "cut_graph_nograd.ts", rule: "cut-graph", line: 11, message: /^encoder\.weight and encoder\.bias got no gradient from backward\(\): the path to the loss is cut at line 11 by noGrad\(\)/, fix: ["noGrad(() => encoder.call(x))", "encoder.call(x)"] },
  { file: "cut_graph_data.ts", rule: "cut-graph", line: 11, message: /^layer1\.weight and layer1\.bias got no gradient from backward\(\): the path to the loss is cut at line 11 by \.data, which gives the values without their graph\.$/, fix: [".relu().data", ".relu()"] },
  { file: "missing_zero_grad.ts", rule: "missing-zero-grad", line: 13, message: /^The gradients of model\.weight and model\.bias grow from one iteration to the next: backward\(\) at line 13 adds to the \.grad the optimizer already stepped with, and no zeroGrad\(\) came in between\.$/, fix: ["  const loss = F.mseLoss", "  optimizer.zeroGrad(); const loss = F.mseLoss"] },
  { file: "step_before_backward.ts", rule: "step-before-backward", line: 14, message: /^optimizer\.step\(\) at line 14 ran before backward\(\) had given the parameters a gradient/, fix: ["  optimizer.step();\n  loss.backward();", "  loss.backward();\n  optimizer.step();"] },
  { file: "optimizer_without_grad.ts", rule: "optimizer-without-grad", line: 8, message: /^The optimizer made at line 8 updates teacher\.weight and teacher\.bias, which no backward\(\) reached in 10 steps: they are not used to compute the loss\.$/, fix: ["SGD(teacher.parameters()", "SGD(model.parameters()"] },
  { file: "parameter_unchanged.ts", rule: "parameter-unchanged", line: 7, message: /^model\.weight and model\.bias never changed in 10 optimizer steps although they had a gradient\.$/, fix: ["lr: 0 }", "lr: 0.1 }"] },
  { file: "nan_log.ts", rule: "non-finite", line: 7, message: /^The forward pass of log at line 7 made the run's first -inf: its input ranges over \[0, 0\.667\], and the log of 0 is -inf/, fix: ["p.log()", "p.clamp(1e-7).log()"] },
  { file: "vanishing_gradient.ts", rule: "vanishing-gradient", line: 8, message: /^The gradient vanishes at model\.0\.weight, model\.2\.weight, model\.4\.weight and \d+ more: at worst \(model\.0\.weight\) its norm is [\d.]+e-\d+ times the weight's norm; it shrinks most going back through model\.\d+ \(Sigmoid\), ×0\.\d+\.$/, fix: ["i < 10", "i < 2"] },
  { file: "exploding_gradient.ts", rule: "exploding-gradient", line: 8, message: /^The gradient explodes at model\.0\.weight, model\.1\.weight, model\.2\.weight and \d+ more: at worst \(model\.\d\.weight\) its norm is [\d.]+e\+\d+ times the weight's norm; it grows most going back through model\.\d \(Linear\), ×[\d.]+\.$/, fix: ["p.mul_(6)", "p.mul_(1)"] },
  { file: "dead_relu.ts", rule: "dead-relu", line: 14, message: /^16 of the 16 units of the ReLU at line 14 \(model\.1\) were zero for every example in every call, so they pass no gradient back\.$/, fix: ["fill_(-5)", "fill_(0)"] },
  { file: "saturated_tanh.ts", rule: "saturated-activation", line: 14, message: /^\d+% of the outputs of the tanh at line 14 \(model\.1\) are saturated \(\|y\| > 0\.99\)/, fix: ["const x = raw;", "const x = raw.div(100);"] },
  { file: "broadcast_loss.ts", rule: "broadcast-loss", line: 13, message: /^The loss at line 13 compares an input of shape \[16, 1\] with a target of shape \[16\]: they broadcast to \[16, 16\], so every prediction is compared with every target\.$/, fix: ["x.sum(1)", "x.sum(1, true)"] },
  { file: "softmax_batch_dim.ts", rule: "softmax-batch-dim", line: 11, message: /^softmax at line 11 normalises over dim 0, the batch of 8 examples/, fix: ["F.softmax(logits, 0)", "F.softmax(logits, 1)"] },
  { file: "cross_entropy_softmax.ts", rule: "cross-entropy-probabilities", line: 11, message: /^The loss at line 11 takes the log-softmax of probabilities that already went through softmax at line 11/, fix: ["F.crossEntropy(F.softmax(logits, 1), labels)", "F.crossEntropy(logits, labels)"] },
  { file: "diverging_loss.ts", rule: "diverging-loss", line: 14, message: /^The loss rose from [\d.]+ to [\d.e+]+ over 30 backwards and keeps growing: the steps overshoot, the learning rate is likely too high\.$/, fix: ["lr: 1.5 }", "lr: 0.05 }"] },
  { file: "flat_loss.ts", rule: "flat-loss", line: 15, message: /^The loss stayed at 2\.25 for 10 backwards because every gradient was exactly zero\.$/, fix: ["model.call(x).sign()", "model.call(x).tanh()"] },
];

async function run(file: string, source?: string): Promise<Trace> {
  return runSnippet({ file, source, checkBudgetMs: 0 });
}

function describeFindings(t: Trace): string {
  return t.findings.map((f) => `${f.rule}@${f.at?.line}: ${f.message}`).join("\n") || "(none)";
}

describe("findings", function () {
  this.timeout(60_000);

  it("every bug example is tested here", () => {
    assert.deepEqual(readdirSync(path.join(examples, "bugs")).filter((f) => f.endsWith(".ts")).sort(), BUGS.map((b) => b.file).sort());
  });

  for (const bug of BUGS) {
    it(`${bug.file}: ${bug.rule} at line ${bug.line}; fixed, nothing`, async () => {
      const file = path.join(examples, "bugs", bug.file);
      const trace = await run(file);
      assert.equal(trace.error, null, trace.error?.message);
      const found = trace.findings.find((f) => f.rule === bug.rule);
      assert.ok(found, `no ${bug.rule} among:\n${describeFindings(trace)}`);
      assert.equal(found.at?.line, bug.line, describeFindings(trace));
      assert.match(found.message, bug.message);
      assert.equal(found.severity, "warning");
      assert.ok(found.fix.length > 10, "a fix is suggested");
      const source = readFileSync(file, "utf8");
      assert.ok(source.includes(bug.fix[0]), `the fix's text is in ${bug.file}`);
      const fixed = await run(file, source.replace(bug.fix[0], bug.fix[1]));
      assert.equal(fixed.error, null, fixed.error?.message);
      assert.deepEqual(fixed.findings, [], describeFindings(fixed));
    });
  }

  it("a frozen teacher whose output is detached on purpose, gradient accumulation over two backwards: no finding", async () => {
    const trace = await run(path.join(examples, "bugs", "teacher.ts"), `import { F, manualSeed, nn, optim, randn } from "gradlens";
manualSeed(0);
const teacher = new nn.Sequential(new nn.Linear(4, 8), new nn.Tanh(), new nn.Linear(8, 1));
const student = new nn.Linear(4, 1);
const optimizer = new optim.SGD(student.parameters(), { lr: 0.05 });
const x = randn(32, 4);
for (let step = 0; step < 10; step++) {
  optimizer.zeroGrad();
  const target = teacher.call(x).detach();
  for (let half = 0; half < 2; half++) {
    const loss = F.mseLoss(student.call(x), target).div(2);
    loss.backward();
  }
  optimizer.step();
}
`);
    assert.equal(trace.error, null, trace.error?.message);
    assert.deepEqual(trace.findings, [], describeFindings(trace));
  });

  it("no finding on a correct example (and the NaN example names its op)", async function () {
    // Every example and tutorial port runs, each with its checks (about 35 files, a few seconds each).
    this.timeout(400_000);
    const files = readdirSync(examples, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts") && !f.startsWith(`bugs${path.sep}`));
    assert.ok(files.length > 10, files.join(", "));
    for (const file of files) {
      const trace = await runSnippet({ file: path.join(examples, file) });
      if (file === "nan_gradient.ts") {
        assert.deepEqual(trace.findings.map((f) => [f.rule, f.at?.line]), [["non-finite", 5]]);
        assert.match(trace.findings[0].message, /^The backward of sqrt at line 5 \(SqrtBackward0\) made the run's first NaN: its input ranges over \[0, 4\]/);
      } else assert.deepEqual(trace.findings, [], `${file}:\n${describeFindings(trace)}`);
    }
  });
});

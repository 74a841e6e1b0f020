/**
 * The runner: a snippet → a Trace, and every way a snippet can fail ending in a result that says what and where,
 * with the host unharmed. Runs the built worker (npm run build first; npm test does).
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { SnippetProcess } from "../../src/runner/childProcess";
import { heapLimitMb } from "../../src/runner/limits";
import { runInSession, runSnippet, runSnippetWithValues } from "../../src/runner/run";
import { VALUES_INLINE_LIMIT, VALUES_ON_DEMAND_LIMIT } from "../../src/runner/trace";

const dir = mkdtempSync(path.join(tmpdir(), "gradlens-runner-"));
const examples = path.join(__dirname, "..", "..", "examples");

function snippet(name: string, source: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, source);
  return file;
}

describe("runner", function () {
  this.timeout(30_000);

  it("records seed 000: names, lines, grad_fn names, x.grad, passing checks, the loss series", async () => {
    const trace = await runSnippet({ file: path.join(examples, "seed0_autograd_basics.ts") });
    assert.equal(trace.status, "ok", trace.error?.message);
    const byName = new Map(trace.tensors.filter((t) => t.occurrence === 1).map((t) => [t.name, t]));
    assert.deepEqual(["x", "x1", "x2", "x3", "y"].map((n) => byName.get(n)?.at?.line), [4, 6, 7, 8, 9]);
    const node = (id: number | null) => trace.nodes.find((n) => n.id === id)?.name;
    assert.equal(node(byName.get("x1")!.gradFn), "AddBackward0");
    assert.equal(node(byName.get("y")!.gradFn), "SumBackward0");
    assert.deepEqual(byName.get("x")!.grad!.values, [2, 4, 6, 8]);
    const first = trace.backwards[0];
    assert.equal(first.at?.line, 17);
    assert.ok(first.checks.every((c) => c.passed === true));
    assert.ok(first.nodeChecks.every((c) => c.passed === true));
    assert.equal(trace.console[0].text, "tensor([[3., 4.],\n        [5., 6.]], grad_fn=<AddBackward0>)");
    const loss = trace.series.find((s) => s.name === "loss");
    assert.ok(loss && loss.values.length >= 18, "the loss of every iteration");
    assert.ok((loss.values[loss.values.length - 1] as number) < 1e-5);
  });

  it("a wrong custom backward: the leaf check and that op's node check fail", async () => {
    const trace = await runSnippet({ file: path.join(examples, "wrong_custom_backward.ts") });
    assert.equal(trace.status, "check-failed");
    const [b] = trace.backwards;
    assert.equal(b.checks[0].name, "w");
    assert.equal(b.checks[0].passed, false);
    assert.deepEqual(b.nodeChecks.filter((c) => c.passed === false).map((c) => [c.name, c.at?.line]), [["SquareBackward", 17]]);
    assert.equal(trace.nodes.find((n) => n.name === "SquareBackward")?.kind, "custom");
  });

  it("a syntax error names its line and column", async () => {
    const trace = await runSnippet({ file: snippet("syntax.ts", 'import { tensor } from "gradlens";\nconst x = tensor([1, 2];\n') });
    assert.equal(trace.error?.kind, "syntax");
    assert.equal(trace.error?.at?.line, 2);
  });

  it("an import of anything but gradlens or a relative file is refused at its line", async () => {
    const trace = await runSnippet({ file: snippet("import.ts", '\nimport { readFileSync } from "fs";\n') });
    assert.equal(trace.error?.kind, "import");
    assert.equal(trace.error?.at?.line, 2);
    assert.match(trace.error!.message, /Snippets can import from "gradlens" and relative \.ts files: cannot import "fs"/);
  });

  it("relative imports of the user's own files work", async () => {
    snippet("helper.ts", 'import { tensor } from "gradlens";\nexport function double(x: number[]) { return tensor(x).mul(2); }\n');
    const trace = await runSnippet({ file: snippet("uses_helper.ts", 'import { double } from "./helper";\nconst d = double([1, 2]);\nconsole.log(d);\n') });
    assert.equal(trace.error, null);
    assert.equal(trace.console[0].text, "tensor([2., 4.])");
  });

  it("a throw names the line of the snippet, with PyTorch's message for engine errors", async () => {
    const trace = await runSnippet({ file: snippet("throws.ts", 'import { ones } from "gradlens";\n\nconst a = ones(3);\nconst b = a.add(ones(4));\n') });
    assert.equal(trace.error?.kind, "runtime");
    assert.equal(trace.error?.name, "RuntimeError");
    assert.equal(trace.error?.at?.line, 4);
    assert.equal(trace.error?.message, "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 0");
  });

  it("an endless loop ends in a timeout at the line it was stuck on", async () => {
    const started = Date.now();
    const trace = await runSnippet({ file: snippet("loop.ts", "let i = 0;\nwhile (true) {\n  i++;\n}\n"), timeoutMs: 500, checkBudgetMs: 0 });
    assert.equal(trace.error?.kind, "timeout");
    assert.equal(trace.error?.at?.line, 3);
    assert.ok(Date.now() - started < 5000);
  });

  it("a stack overflow is reported, not a crash", async () => {
    const trace = await runSnippet({ file: snippet("recursion.ts", "function f(n: number): number {\n  return f(n + 1) + 1;\n}\nf(0);\n") });
    assert.equal(trace.error?.kind, "stack-overflow");
    assert.equal(trace.error?.at?.line, 2);
  });

  it("running out of memory stops the worker, with the line", async () => {
    const trace = await runSnippet({ file: snippet("oom.ts", "const keep: number[][] = [];\nfor (;;) {\n  keep.push(new Array(1e6).fill(1.5));\n}\n"), memoryMb: 64, timeoutMs: 20_000 });
    assert.equal(trace.error?.kind, "out-of-memory");
    assert.ok([2, 3].includes(trace.error?.at?.line ?? 0));
  });

  it("cancelling stops a run at once", async () => {
    const controller = new AbortController();
    const pending = runSnippet({ file: snippet("slow.ts", "for (;;) {}\n"), signal: controller.signal, timeoutMs: 60_000 });
    setTimeout(() => controller.abort(), 100);
    const trace = await pending;
    assert.match(trace.error!.message, /cancelled/);
  });

  it("the unsaved text of an editor runs instead of the file", async () => {
    const trace = await runSnippet({ file: snippet("buffer.ts", "console.log(1);\n"), source: "console.log(2);\n" });
    assert.equal(trace.console[0].text, "2");
  });

  it("a loop keeps a bounded history per line and counts what it dropped", async () => {
    const trace = await runSnippet({
      file: snippet("chain.ts", 'import { tensor } from "gradlens";\nconst x = tensor(1, { requiresGrad: true });\nlet y = x;\nfor (let i = 0; i < 5000; i++) {\n  y = y.mul(1.0001).add(0.5);\n}\ny.backward();\n'),
      checkBudgetMs: 200,
    });
    assert.equal(trace.error, null);
    assert.ok(trace.tensors.length < 50, `${trace.tensors.length} tensors kept`);
    assert.ok(trace.limits.droppedTensors > 9000);
    assert.ok(trace.nodes.length <= 4000);
    // y.mul(…).add(…) makes two tensors per execution of line 5: the first execution's and the latest three's stay.
    const line5 = trace.tensors.filter((t) => t.at?.line === 5).map((t) => t.occurrence);
    assert.deepEqual(line5, [1, 2, 9995, 9996, 9997, 9998, 9999, 10000]);
  });

  it("one execution that makes many tensors keeps its first and its latest 31", async () => {
    const trace = await runSnippet({
      file: snippet("many.ts", 'import { tensor } from "gradlens";\nconst x = tensor([1, 2]);\nconst ys = Array.from({ length: 100 }, (_, i) => x.mul(i));\nconsole.log(ys.length);\n'),
    });
    assert.equal(trace.error, null);
    const line3 = trace.tensors.filter((t) => t.at?.line === 3).map((t) => t.occurrence);
    assert.deepEqual(line3, [1, ...Array.from({ length: 31 }, (_, i) => 70 + i)]);
    assert.equal(trace.limits.droppedTensors, 68);
  });

  it("a model's parameters take PyTorch's names under its variable and stay, however many tensors their line makes", async () => {
    const trace = await runSnippet({
      file: snippet("params.ts", 'import { nn } from "gradlens";\nconst net = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU(), new nn.Linear(3, 3), new nn.ReLU(), new nn.Linear(3, 1));\n'),
    });
    assert.equal(trace.error, null);
    assert.deepEqual(trace.tensors.filter((t) => t.at?.line === 2).map((t) => [t.name, t.shape]), [
      ["net.0.weight", [3, 2]], ["net.0.bias", [3]], ["net.2.weight", [3, 3]], ["net.2.bias", [3]], ["net.4.weight", [1, 3]], ["net.4.bias", [1]],
    ]);
  });
});

describe("values on demand (tensors too big for the Trace)", function () {
  this.timeout(30_000);

  it("keeps every value and grad of a big tensor beside the Trace, row-major; none of small or huge ones", async () => {
    const file = snippet("big.ts", [
      'import { arange, zeros } from "gradlens";',
      "const w = arange(20000).reshape(200, 100).requiresGrad_();",
      "const y = w.mul(w).sum();",
      "y.backward();",
      "const huge = zeros(600, 600);",
      "",
    ].join("\n"));
    const { trace, valuesOnDemand } = await runSnippetWithValues({ file });
    assert.equal(trace.status, "ok", trace.error?.message);
    const record = (name: string) => trace.tensors.find((t) => t.name === name)!;
    const w = record("w");
    assert.ok(20000 > VALUES_INLINE_LIMIT && 600 * 600 > VALUES_ON_DEMAND_LIMIT);
    assert.equal(w.value.values, null, "too big to travel inside the Trace");
    const kept = valuesOnDemand.get(w.id)!;
    assert.equal(kept.value.length, 20000);
    // w = 0, 1, …, 19999 and d(sum w²)/dw = 2w.
    assert.deepEqual([kept.value[0], kept.value[101], kept.value[19999]], [0, 101, 19999]);
    assert.deepEqual([kept.grad![0], kept.grad![101], kept.grad![19999]], [0, 202, 39998]);
    assert.ok(kept.grad!.every((g, i) => g === 2 * i));
    assert.equal(valuesOnDemand.has(record("y").id), false, "a scalar travels inside the Trace");
    assert.equal(valuesOnDemand.has(record("huge").id), false, "above VALUES_ON_DEMAND_LIMIT only the summary is kept");
    assert.deepEqual(record("huge").value.stats.max, 0);
  });
});


describe("sessions (several runs in one child, for the notebook kernel)", function () {
  this.timeout(30_000);

  it("runs share the realm and the random stream; an error keeps the session; a limit ends it", async () => {
    const child = new SnippetProcess(heapLimitMb(256), { session: true, warmUp: false });
    try {
      const file = path.join(dir, "cell.ts");
      const first = await runInSession(child, { file, source: 'import { randn } from "gradlens";\n(globalThis as any).w = randn(2);\n', resetRandom: true });
      assert.equal(first.trace.status, "ok", first.trace.error?.message);
      const second = await runInSession(child, { file, source: 'import { randn } from "gradlens";\nconsole.log((globalThis as any).w.shape, randn(1).shape);\n' });
      assert.equal(second.trace.console[0].text, "torch.Size([2]) torch.Size([1])");
      const failed = await runInSession(child, { file, source: 'throw new Error("in a cell");\n' });
      assert.equal(failed.trace.error?.message, "in a cell");
      assert.equal(child.alive, true);
      const stuck = await runInSession(child, { file, source: "for (;;) {}\n", timeoutMs: 300 });
      assert.equal(stuck.trace.error?.kind, "timeout");
      assert.equal(child.alive, false, "a run stopped at a limit ends the session's child");
    } finally {
      child.kill();
    }
  });
});

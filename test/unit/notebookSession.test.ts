/**
 * The notebook kernel: cells share state as in a REPL, errors name the cell's own lines, a stuck cell ends and the
 * kernel lives on (or is restarted, saying what was lost), and each cell's Trace is of that cell's run.
 */
import { strict as assert } from "node:assert";
import { transpileCell } from "../../src/runner/notebook/cellTranspile";
import { disposeRunner } from "../../src/runner/run";
import { type CellRun, NotebookSession } from "../../src/runner/session/session";
import { SnippetSyntaxError } from "../../src/runner/transpile";

const file = "/tmp/gradlens-tests/notebook.ipynb#cell";

describe("notebook cells: transpiling", () => {
  it("turns top-level declarations into scope variables and keeps every line where it was", () => {
    const source = ['import { tensor, F as fun } from "gradlens";', "const x: number = 1,", "  y = 2;", "let { a, b: [c] } = { a: 1, b: [2] };", "class K {}", "function f(): number {", "  return 1;", "}", "x + y"].join("\n");
    const cell = transpileCell(source, file);
    assert.deepEqual(cell.declared, ["tensor", "fun", "x", "y", "a", "c", "K", "f"]);
    assert.equal(cell.code.split("\n").length, source.split("\n").length + 1, "one line more: the call's closing line");
    const lines = cell.code.split("\n");
    assert.match(lines[1], /__gl\.l\(2\);x = __gl\.b\(\(1\),"x",2,/);
    assert.match(lines[8], /__cell\.result\(\(x \+ y\), "x \+ y"\)/);
  });

  it("reports a syntax error at the cell's line", () => {
    assert.throws(() => transpileCell("const a = 1;\nconst b = (2;\n", file), (e: SnippetSyntaxError) => e instanceof SnippetSyntaxError && e.line === 2);
  });

  it("refuses imports of anything but gradlens and relative files, at the import's line", () => {
    assert.throws(() => transpileCell('\nimport fs from "node:fs";', file), (e: SnippetSyntaxError) => e.line === 2 && /cannot import "node:fs"/.test(e.message));
  });
});

describe("notebook session", function () {
  this.timeout(60_000);
  let session: NotebookSession;
  const run = (source: string, timeoutMs = 5000): Promise<CellRun> => session.run({ file, source, timeoutMs, checkBudgetMs: 500 });
  const printed = (r: CellRun) => r.trace.console.map((l) => l.text).join("\n");

  beforeEach(() => {
    session = new NotebookSession({ memoryMb: 128 });
  });
  afterEach(() => session.dispose());
  after(() => disposeRunner());

  it("a variable, an import and a function of one cell are seen by the next; re-running a cell re-runs only it", async () => {
    await run('import * as torch from "gradlens";\nlet count = 0;');
    await run("function twice(t: torch.Tensor) { count += 1; return t.mul(2); }");
    const a = await run("const x = torch.tensor([1, 2], { requiresGrad: true });\nconsole.log(twice(x));");
    assert.equal(printed(a), "tensor([2., 4.], grad_fn=<MulBackward0>)");
    const again = await run("console.log(twice(x), count);");
    assert.equal(printed(again), "tensor([2., 4.], grad_fn=<MulBackward0>) 2");
    // Re-running the cell that declared x gives a fresh x; the other cells' state stays.
    await run("const x = torch.tensor([1, 2], { requiresGrad: true });\nconsole.log(twice(x));");
    assert.equal(printed(await run("count")), "");
    assert.equal((await run("count")).value?.text, "3");
    assert.deepEqual((await run("0")).variables.sort(), ["count", "torch", "twice", "x"]);
  });

  it("a function sees the current value of a name another cell declares later", async () => {
    await run("function scaled(v: number) { return v * factor; }");
    await run("let factor = 3;");
    assert.equal((await run("scaled(2)")).value?.text, "6");
    await run("factor = 10;");
    assert.equal((await run("scaled(2)")).value?.text, "20");
  });

  it("a const stays constant, with JavaScript's own error, until its cell declares it again", async () => {
    await run("const k = 1;");
    const r = await run("\nk = 2;");
    assert.equal(r.trace.error?.name, "TypeError");
    assert.equal(r.trace.error?.message, "Assignment to constant variable.");
    assert.equal(r.trace.error?.at?.line, 2);
    await run("const k = 5;");
    assert.equal((await run("k")).value?.text, "5");
  });

  it("shows the last expression's value as PyTorch prints it, and nothing for an assignment or undefined", async () => {
    await run('import { tensor } from "gradlens";');
    assert.equal((await run("tensor([[1, 2], [3, 4]]).sum()")).value?.text, "tensor(10.)");
    assert.equal((await run("let t = tensor([1]);\nt = tensor([2])")).value, null);
    assert.equal((await run("console.log('hi')")).value, null);
    assert.equal((await run("'a'")).value?.text, "'a'");
  });

  it("a runtime error names the cell's line, with PyTorch's message, and the variables stay", async () => {
    await run('import { tensor } from "gradlens";\nconst a = tensor([1, 2, 3]);');
    const r = await run("const b = tensor([1, 2]);\n\nconst c = a.add(b);");
    assert.equal(r.trace.error?.kind, "runtime");
    assert.equal(r.trace.error?.name, "RuntimeError");
    assert.equal(r.trace.error?.message, "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 0");
    assert.equal(r.trace.error?.at?.line, 3);
    assert.equal((await run("a.numel()")).value?.text, "3");
  });

  it("the Trace is the cell's own run: its lines, names and backward, with the tensors of earlier cells it used", async () => {
    await run('import { tensor } from "gradlens";\nconst x = tensor([[1, 2], [3, 4]], { requiresGrad: true });');
    const built = await run("const y = x.add(2).mul(x.sub(2)).sum();");
    assert.deepEqual(built.trace.nodes.map((n) => n.name).sort(), ["AccumulateGrad", "AddBackward0", "MulBackward0", "SubBackward0", "SumBackward0"]);
    const named = built.trace.tensors.filter((t) => t.name).map((t) => [t.name, t.at?.line ?? null]);
    assert.deepEqual(named, [["x", null], ["y", 1]]);
    const back = await run("\ny.backward();");
    assert.equal(back.trace.backwards.length, 1);
    assert.equal(back.trace.backwards[0].at?.line, 2);
    const xCheck = back.trace.backwards[0].checks.find((c) => c.name === "x");
    assert.equal(xCheck?.passed, true);
    const x = back.trace.tensors.find((t) => t.name === "x");
    assert.deepEqual(x?.grad?.values, [2, 4, 6, 8]);
    assert.equal(back.trace.status, "ok");
  });

  it("a busy cell stops at the time limit with the line it was on, and the kernel keeps its variables", async () => {
    await run("let kept = 42;");
    const pid = session.pid;
    const r = await run("let n = 0;\nwhile (true) {\n  n++;\n}", 400);
    assert.equal(r.trace.error?.kind, "timeout");
    assert.match(r.trace.error!.message, /ran longer than 400 ms and was stopped while at line 3\. The kernel kept its variables\./);
    assert.equal(r.restarted, null);
    assert.equal(session.pid, pid);
    assert.equal((await run("kept")).value?.text, "42");
  });

  it("interrupting a busy cell stops it at once and keeps the variables", async () => {
    await run("let kept = 7;");
    const running = run("for (;;) {}", 30_000);
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    session.interrupt();
    const r = await running;
    assert.ok(Date.now() - started < 2000, "stopped within two seconds");
    assert.equal(r.trace.error?.name, "InterruptedError");
    assert.match(r.trace.error!.message, /The cell was interrupted while at line 1\. The kernel kept its variables\./);
    assert.equal((await run("kept")).value?.text, "7");
  });

  it("interrupting a cell that awaits forever ends that cell, and the kernel lives on", async () => {
    await run("let kept = 1;");
    const running = run("await new Promise(() => {});", 30_000);
    await new Promise((r) => setTimeout(r, 300));
    session.interrupt();
    const r = await running;
    assert.equal(r.trace.error?.name, "InterruptedError");
    assert.equal((await run("kept")).value?.text, "1");
  });

  it("a cell busy after an await cannot be stopped by V8: the kernel restarts and says which variables were lost", async () => {
    await run("let a = 1;\nconst b = 2;");
    const pid = session.pid;
    const r = await run("await Promise.resolve();\nwhile (true) {}", 300);
    assert.equal(r.trace.error?.kind, "timeout");
    assert.match(r.trace.error!.message, /^The cell ran longer than 300 ms and could not be stopped \(at line 2\)\. The kernel was restarted\. These variables were lost: a, b\.$/);
    assert.deepEqual(r.restarted, { lost: ["a", "b"] });
    assert.notEqual(session.pid, pid);
    const after = await run("typeof a");
    assert.equal(after.value?.text, "'undefined'");
  });

  it("tensors past the memory limit fail with PyTorch's error at their line, and the kernel keeps its variables", async () => {
    await run('import * as torch from "gradlens";\nconst small = torch.ones(3);');
    const r = await run("const big = [];\nfor (let i = 0; i < 100; i++) big.push(torch.zeros(1000, 1000));", 30_000);
    assert.equal(r.trace.error?.name, "RuntimeError");
    assert.match(r.trace.error!.message, /can't allocate memory/);
    assert.equal(r.trace.error?.at?.line, 2);
    assert.equal(r.restarted, null);
    assert.equal((await run("small.sum().item()")).value?.text, "3");
  });

  it("JavaScript objects past the memory limit end the kernel: it restarts, saying what was lost", async () => {
    await run("const small = [1, 2, 3];");
    const r = await run("const hog: number[][] = [];\nwhile (true) hog.push(new Array(1e6).fill(Math.random()));", 30_000);
    assert.equal(r.trace.error?.kind, "out-of-memory");
    assert.match(r.trace.error!.message, /^The cell ran out of memory: .*limit of 128 MB.*The kernel was restarted\. This variable was lost: small\.$/);
    assert.deepEqual(r.restarted, { lost: ["small"] });
    assert.equal((await run("1 + 1")).value?.text, "2");
  });

  it("restart gives a fresh state and says what it lost", async () => {
    await run("const x = 1;\nlet y = 2;");
    const lost = await session.restart();
    assert.deepEqual(lost, ["x", "y"]);
    assert.equal((await run("typeof x")).value?.text, "'undefined'");
  });

  it("random numbers go on from cell to cell, as in one process", async () => {
    await run('import * as torch from "gradlens";\ntorch.manualSeed(0);');
    const first = (await run("torch.rand(2)")).value?.text;
    const second = (await run("torch.rand(2)")).value?.text;
    // torch.manual_seed(0); torch.rand(2); torch.rand(2) in PyTorch 1.13.
    assert.equal(first, "tensor([0.4963, 0.7682])");
    assert.equal(second, "tensor([0.0885, 0.1320])");
  });
});

/**
 * Snippets written to break the runner, through the runner API in this one host process: each ends within its limit
 * with a message at the right line, the host is unharmed, and the next run works. Bounded: every run here has a
 * time limit of a few seconds and a memory limit of at most 256 MB. Runs the built child (npm run build first).
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { disposeRunner, RunnerError, runSnippet, type RunOptions } from "../../src/runner/run";
import type { Trace } from "../../src/runner/trace";

const dir = mkdtempSync(path.join(tmpdir(), "gradlens-adversarial-"));

function snippet(name: string, lines: string[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

async function run(name: string, lines: string[], options: Partial<RunOptions> = {}): Promise<{ trace: Trace; ms: number }> {
  const started = performance.now();
  const trace = await runSnippet({ file: snippet(name, lines), timeoutMs: 5000, ...options });
  return { trace, ms: performance.now() - started };
}

/** The host still runs snippets, and gets their results right. */
async function nextRunWorks(): Promise<void> {
  const { trace } = await run("after.ts", ['import { tensor } from "gradlens";', "const x = tensor([1, 2], { requiresGrad: true });", "x.mul(x).sum().backward();", "console.log(x.grad);"]);
  assert.equal(trace.status, "ok", trace.error?.message);
  assert.equal(trace.console[0]?.text, "tensor([2., 4.])");
}

describe("adversarial snippets (runner API, one host process)", function () {
  this.timeout(60_000);
  after(() => disposeRunner());

  it("a JavaScript heap that overflows ends the snippet's process only, twice in a row, at its line", async () => {
    for (let round = 0; round < 2; round++) {
      const { trace, ms } = await run("heap.ts", ["const a: number[] = [];", "for (let i = 0; ; i++) {", "  a.push(i + 0.5);", "}"], { memoryMb: 64, timeoutMs: 20_000 });
      assert.equal(trace.error?.kind, "out-of-memory", trace.error?.message);
      assert.match(trace.error!.message, /ran out of memory.*64 MB/);
      assert.ok([2, 3].includes(trace.error?.at?.line ?? 0), `line ${trace.error?.at?.line}`);
      assert.ok(ms < 15_000, `${ms} ms`);
    }
    await nextRunWorks();
  });

  it("a huge array in one statement is stopped too", async () => {
    const { trace } = await run("array.ts", ["const big = new Array(2e8).fill(0);", "console.log(big.length);"], { memoryMb: 128, timeoutMs: 20_000 });
    assert.equal(trace.error?.kind, "out-of-memory", trace.error?.message);
    assert.equal(trace.error?.at?.line, 1);
    await nextRunWorks();
  });

  it("2 GB of tensors under a 256 MB limit: refused at the line, naming the sizes, with the process within the limit", async () => {
    const { trace } = await run("tensors.ts", [
      'import { zeros } from "gradlens";',
      "const keep = [];",
      "try {",
      "  for (let i = 0; i < 32; i++) keep.push(zeros(16 * 1024 * 1024));",
      "} finally {",
      "  console.log(keep.length, Math.round(process.memoryUsage().arrayBuffers / 2 ** 20), Math.round(process.memoryUsage.rss() / 2 ** 20));",
      "}",
    ], { memoryMb: 256 });
    assert.equal(trace.error?.kind, "out-of-memory", trace.error?.message);
    assert.equal(trace.error?.name, "RuntimeError");
    assert.equal(trace.error?.at?.line, 4);
    assert.match(trace.error!.message, /can't allocate memory: you tried to allocate 67,108,864 bytes \(16,777,216 float32 elements, 64 MB\) while 19\d\.\d MB of arrays are in use, and the memory limit is 256 MB/);
    const [kept, arrayMb, rssMb] = trace.console[0].text.split(" ").map(Number);
    assert.equal(kept, 3, "three 64 MB tensors fit under 256 MB, the fourth does not");
    assert.ok(arrayMb <= 256, `${arrayMb} MB of arrays`);
    assert.ok(rssMb < 256 + 200, `resident ${rssMb} MB`);
    await nextRunWorks();
  });

  it("tensors that are let go do not count: a loop that makes 1 GB in all under a 256 MB limit runs", async () => {
    // The recorder keeps the tensors of a line's first and latest three executions for the panel (4 × 32 MB here):
    // they count, the other 28 do not.
    const { trace } = await run("churn.ts", ['import { ones } from "gradlens";', "let total = 0;", "for (let i = 0; i < 32; i++) {", "  total += ones(8 * 1024 * 1024).sum().item();", "}", "console.log(total);"], { memoryMb: 256, timeoutMs: 30_000 });
    assert.equal(trace.status, "ok", trace.error?.message);
    assert.equal(trace.console[0].text, String(32 * 8 * 1024 * 1024));
  });

  it("NODE_OPTIONS cannot raise the heap limit", async () => {
    const saved = process.env.NODE_OPTIONS;
    process.env.NODE_OPTIONS = "--max-old-space-size=3000";
    try {
      disposeRunner();
      const { trace } = await run("heap2.ts", ["const a: number[] = [];", "for (let i = 0; ; i++) a.push(i + 0.5);"], { memoryMb: 64, timeoutMs: 20_000 });
      assert.equal(trace.error?.kind, "out-of-memory");
    } finally {
      if (saved === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = saved;
    }
  });

  it("an endless console flood ends at the time limit, keeps the console's caps and counts the rest", async () => {
    const heapBefore = process.memoryUsage().heapUsed;
    const { trace, ms } = await run("flood.ts", ["let i = 0;", "for (;;) console.log(`line ${i++} ${'x'.repeat(50)}`);"], { timeoutMs: 1500, consoleLines: 1000 });
    assert.equal(trace.error?.kind, "timeout");
    assert.match(trace.error!.message, /ran longer than its time limit of 1,500 ms and was stopped at line 2/);
    assert.ok(ms < 6000, `${ms} ms`);
    assert.equal(trace.console.length, 1001);
    assert.equal(trace.console[999].text.slice(0, 9), "line 999 ");
    assert.match(trace.console[1000].text, /^… [\d,]+ more lines not shown \(the console keeps 1,000 lines/);
    assert.ok(process.memoryUsage().heapUsed - heapBefore < 64 * 2 ** 20, "the host did not keep the flood");
    await nextRunWorks();
  });

  it("huge console lines are cut at the byte limit, and the run ends normally", async () => {
    const { trace } = await run("long.ts", ['const s = "x".repeat(50e6);', "for (let i = 0; i < 40; i++) console.log(s);", 'console.log("done");'], { consoleBytes: 100_000 });
    assert.equal(trace.status, "ok", trace.error?.message);
    assert.equal(trace.console.length, 2);
    assert.ok(trace.console[0].text.length < 100_200);
    assert.match(trace.console[1].text, /^… 40 more lines not shown/);
  });

  it("a throw in a timer is reported at its own line, after the body returned", async () => {
    const { trace } = await run("late.ts", ['import { tensor } from "gradlens";', "const x = tensor([1, 2]);", "setTimeout(() => {", "  const y = x.add(1);", '  throw new Error(`late ${y.sum().item()}`);', "}, 20);"]);
    assert.equal(trace.status, "error");
    assert.equal(trace.error?.message, "late 5");
    assert.equal(trace.error?.at?.line, 5);
    assert.ok(trace.tensors.some((t) => t.at?.line === 4), "the timer's tensors are recorded");
  });

  it("an unhandled rejection is reported at the line that threw", async () => {
    const { trace } = await run("rejection.ts", ["async function later() {", "  await new Promise((r) => setTimeout(r, 10));", '  throw new TypeError("rejected later");', "}", "later();"]);
    assert.equal(trace.error?.name, "TypeError");
    assert.equal(trace.error?.at?.line, 3);
  });

  it("the run waits for pending timers (their output is kept), and a setInterval never cleared meets the time limit", async () => {
    const waited = await run("wait.ts", ['setTimeout(() => console.log("later"), 50);', 'console.log("now");']);
    assert.equal(waited.trace.status, "ok");
    assert.deepEqual(waited.trace.console.map((c) => c.text), ["now", "later"]);
    const { trace } = await run("interval.ts", ["setInterval(() => {}, 10);"], { timeoutMs: 500 });
    assert.equal(trace.error?.kind, "timeout");
  });

  it("process.exit() in a snippet ends its process, not the host, and says so", async () => {
    const { trace } = await run("exit.ts", ['console.log("bye");', "process.exit(0);"]);
    assert.equal(trace.status, "error");
    assert.match(trace.error!.message, /ended its own process \(exit code 0\)/);
    assert.equal(trace.console[0]?.text, "bye");
    await nextRunWorks();
  });

  it("a snippet that writes to the runner's channel gets no result (an internal error), and the next run works", async () => {
    await assert.rejects(
      run("forge.ts", ['const fs = (process as any).mainModule.require("fs");', 'fs.writeSync(3, "{\\"type\\":\\"done\\"}");', "for (;;) {}"]),
      (e: Error) => e instanceof RunnerError && e.origin === "untrusted" && /not the runner's/.test(e.message),
    );
    await nextRunWorks();
  });

  it("the time limit is the snippet's own, whatever the check budget", async () => {
    const { trace, ms } = await run("hang.ts", ["let i = 0;", "while (true) i++;"], { timeoutMs: 400, checkBudgetMs: 60_000 });
    assert.equal(trace.error?.kind, "timeout");
    assert.match(trace.error!.message, /time limit of 400 ms/);
    assert.ok(ms < 3000, `${ms} ms`);
  });

  it("checks that run past their budget are stopped with a message naming the budget", async () => {
    const { trace, ms } = await run("slowcheck.ts", [
      'import { autograd, tensor, type Tensor } from "gradlens";',
      "let calls = 0;",
      "class Stuck extends autograd.Function {",
      "  static forward(_ctx: autograd.FunctionCtx, x: Tensor) {",
      "    if (++calls > 1) for (;;) {}",
      "    return x.mul(2);",
      "  }",
      "  static backward(_ctx: autograd.FunctionCtx, g: Tensor) {",
      "    return g.mul(2);",
      "  }",
      "}",
      "const x = tensor([1, 2], { requiresGrad: true });",
      "Stuck.apply(x).sum().backward();",
    ], { checkBudgetMs: 200, timeoutMs: 60_000 });
    assert.equal(trace.error?.kind, "timeout");
    assert.match(trace.error!.message, /numerical checks ran past their budget of 200 ms/);
    assert.equal(trace.error?.at?.line, 5);
    assert.ok(ms < 5000, `${ms} ms`);
  });

  it("a snippet that finished keeps its results when its checks are cut short: they say not finished", async () => {
    const { trace } = await run("bigchain.ts", ['import { tensor } from "gradlens";', "const x = tensor([0.5, 1.5], { requiresGrad: true });", "let y = x;", "for (let i = 0; i < 20000; i++) y = y.mul(1.00001);", "const loss = y.sum();", "loss.backward();"], { checkBudgetMs: 5 });
    assert.equal(trace.status, "ok", trace.error?.message);
    assert.ok(trace.tensors.some((t) => t.name === "loss"));
    const [check] = trace.backwards[0].checks;
    assert.equal(check.passed, null);
    assert.match(check.skipped!, /not finished/);
  });
});

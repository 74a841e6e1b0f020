/**
 * What a user waits for: Gradlens: Run File on the first seed until its inline values are there, in the real extension
 * host, with the runner's child process started ahead (as it is once a snippet is in the editor). The figures are
 * printed into the suite's output; the test fails only past a bound far above the target (150 ms median), so that a
 * loaded CI machine does not fail it while a regression of the kind the target guards against does.
 */
import { strict as assert } from "node:assert";
import * as vscode from "vscode";
import { findFile, gradlens, nextRun, open, sleep } from "./helpers";

suite("Gradlens timing", () => {
  test("Run File → inline values, median of 11 warm runs", async function () {
    this.timeout(120_000);
    const api = await gradlens();
    const uri = await findFile("**/seed0*.ts");
    await open(uri);
    // The first run loads the runner bundle; it is not what a live edit costs.
    await vscode.commands.executeCommand("gradlens.runFile");
    const times: number[] = [];
    const parts: string[] = [];
    for (let i = 0; i < 11; i++) {
      // Live mode's pause after an edit gives the next child time to start; so does this.
      await sleep(600);
      const started = performance.now();
      const done = nextRun(api, uri);
      void vscode.commands.executeCommand("gradlens.runFile");
      const { trace } = await done;
      const shown = api.inline.decorationsFor(uri).length;
      times.push(performance.now() - started);
      assert.equal(trace.status, "ok", trace.error?.message);
      assert.ok(shown > 5, "inline values are set");
      parts.push(`snippet ${trace.durationMs.toFixed(0)} + checks ${trace.checkDurationMs.toFixed(0)}`);
    }
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[sorted.length >> 1];
    console.log(`GRADLENS_TIMING Run File → inline values (seed 0, warm): median ${median.toFixed(0)} ms, min ${sorted[0].toFixed(0)} ms, max ${sorted[sorted.length - 1].toFixed(0)} ms (target ≤ 150 ms)`);
    console.log(`GRADLENS_TIMING each run: ${times.map((t, i) => `${t.toFixed(0)} (${parts[i]})`).join(", ")}`);
    assert.ok(median < 1500, `median ${median.toFixed(0)} ms`);
  });
});

/** `gradlens run` and findings: printed after the checks, in --json and --html, and `--fail-on` for CI. */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { Trace } from "../../src/runner/trace";

const root = path.join(__dirname, "..", "..");
const dir = mkdtempSync(path.join(tmpdir(), "gradlens-cli-findings-"));

function gradlens(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, "bin", "gradlens.js"), ...args], { cwd: root, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("gradlens CLI: findings", function () {
  this.timeout(30_000);

  it("prints each finding with its severity, line, sentence and fix", () => {
    const r = gradlens("run", "examples/bugs/missing_zero_grad.ts", "--no-check");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\n1 finding\n {2}⚠ warning line 13 \[missing-zero-grad\]\n {4}The gradients of model\.weight and model\.bias grow from one iteration to the next: .*\n {4}fix: Call optimizer\.zeroGrad\(\) at the start of each iteration, before loss\.backward\(\)\.\n/);
  });

  it("--fail-on warning exits 1 on a finding, 0 on the fixed snippet", () => {
    assert.equal(gradlens("run", "examples/bugs/cut_graph_detach.ts", "--fail-on", "warning", "--quiet").code, 1);
    assert.equal(gradlens("run", "examples/bugs/cut_graph_detach.ts", "--quiet").code, 0);
    const fixed = path.join(dir, "fixed.ts");
    writeFileSync(fixed, readFileSync(path.join(root, "examples/bugs/cut_graph_detach.ts"), "utf8").replace("encoder.call(x).detach()", "encoder.call(x)"));
    const r = gradlens("run", fixed, "--fail-on", "warning");
    assert.equal(r.code, 0, r.stdout);
    assert.doesNotMatch(r.stdout, /finding/);
    assert.equal(gradlens("run", "examples/mlp_training.ts", "--fail-on", "info", "--quiet").code, 0);
    assert.equal(gradlens("run", fixed, "--fail-on", "error").code, 64);
  });

  it("--json and --html carry the findings", () => {
    const json = path.join(dir, "trace.json");
    const html = path.join(dir, "report.html");
    assert.equal(gradlens("run", "examples/bugs/broadcast_loss.ts", "--json", json, "--html", html, "--quiet").code, 0);
    const trace = JSON.parse(readFileSync(json, "utf8")) as Trace;
    assert.deepEqual(trace.findings.map((f) => [f.rule, f.severity, f.at?.line]), [["broadcast-loss", "warning", 13]]);
    assert.match(readFileSync(html, "utf8"), /"rule":"broadcast-loss"/);
  });
});

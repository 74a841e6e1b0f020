/** `gradlens run`: what it prints and its exit codes, as a project's CI would use it. Runs the built CLI. */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { loadFixture } from "./helpers/compare";
import { TRACE_VERSION } from "../../src/runner/trace";

const root = path.join(__dirname, "..", "..");
const dir = mkdtempSync(path.join(tmpdir(), "gradlens-cli-"));
const printed = loadFixture<{ printed: Record<string, string> }>("seeds.json").printed;

function gradlens(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, "bin", "gradlens.js"), ...args], { cwd: root, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("gradlens CLI", function () {
  this.timeout(30_000);

  it("prints what the seed printed, exactly, then the checks; exit 0", () => {
    const r = gradlens("run", "examples/seed0_autograd_basics.ts");
    assert.equal(r.code, 0, r.stderr);
    const expected = printed.seed000_basics.split("\n").slice(2).join("\n") + printed.seed000_gradient_descent;
    assert.ok(r.stdout.startsWith(expected), r.stdout.slice(0, 400));
    assert.match(r.stdout, /backward #1 \(line 17\) of y\n {2}x\.grad = tensor\(\[\[2\., 4\.\],/);
    assert.match(r.stdout, /✓ {2}x\.grad {4}full {2}4\/4/);
  });

  it("the seed 003 example reproduces the notebook's final line", () => {
    const r = gradlens("run", "examples/seed3_linear_layer.ts", "--quiet");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, printed.seed003_linear);
  });

  it("exit 1 when a gradient check fails, naming the op", () => {
    const r = gradlens("run", "examples/wrong_custom_backward.ts");
    assert.equal(r.code, 1);
    assert.match(r.stdout, /✗ {2}w\.grad/);
    assert.match(r.stdout, /✗ {2}SquareBackward backward/);
  });

  it("exit 2 when the snippet throws, with the error and its line on stderr", () => {
    const file = path.join(dir, "throws.ts");
    writeFileSync(file, 'import { ones } from "gradlens";\nones(2).matmul(ones(3));\n');
    const r = gradlens("run", file);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /RuntimeError: inconsistent tensor size/);
    assert.match(r.stderr, /throws\.ts:2/);
  });

  it("exit 2 on a timeout", () => {
    const file = path.join(dir, "hang.ts");
    writeFileSync(file, "for (;;) {}\n");
    const r = gradlens("run", file, "--timeout", "300", "--no-check");
    assert.equal(r.code, 2);
    assert.match(r.stderr, /ran longer than its time limit of 300 ms and was stopped at line 1/);
  });

  it("exit 64 on usage errors", () => {
    assert.equal(gradlens("run").code, 64);
    assert.equal(gradlens("frobnicate", "x.ts").code, 64);
    assert.equal(gradlens("run", "x.ts", "--timeout", "soon").code, 64);
  });

  it("--json writes the Trace and --html a self-contained report", () => {
    const json = path.join(dir, "trace.json");
    const html = path.join(dir, "report.html");
    const r = gradlens("run", "examples/seed2_pytorch_autograd.ts", "--json", json, "--html", html, "--quiet");
    assert.equal(r.code, 0, r.stderr);
    const trace = JSON.parse(readFileSync(json, "utf8"));
    assert.equal(trace.version, TRACE_VERSION);
    assert.ok(trace.tensors.some((t: { name: string }) => t.name === "x3"));
    assert.ok(existsSync(html));
    const page = readFileSync(html, "utf8");
    assert.match(page, /Content-Security-Policy" content="default-src 'none'; script-src 'nonce-/);
    assert.doesNotMatch(page, /(src|href)="https?:/);
  });
});

/**
 * `gradlens run` under abuse, as a CI job sees it: each exit code for what it means, one line of message (no raw
 * stack), reports written or refused cleanly, and a reader that closes the pipe early. Runs the built CLI.
 */
import { strict as assert } from "node:assert";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const root = path.join(__dirname, "..", "..");
const cli = path.join(root, "bin", "gradlens.js");
const dir = mkdtempSync(path.join(tmpdir(), "gradlens-adversarial-cli-"));

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

function gradlens(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, ...env }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const OK = file("ok.ts", 'import { tensor } from "gradlens";\nconst x = tensor([1, 2], { requiresGrad: true });\nx.mul(x).sum().backward();\nconsole.log(x.grad);\n');

describe("gradlens run under abuse: exit codes and messages", function () {
  this.timeout(60_000);

  it("0: ran, every gradient checked and matching", () => {
    const r = gradlens(["run", OK]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /all gradients match numerics\n$/);
  });

  it("0, and the report says not checked, with --no-check or no backward at all", () => {
    assert.match(gradlens(["run", OK, "--no-check"]).stdout, /gradients not checked \(checks off\)\n$/);
    const empty = gradlens(["run", file("empty.ts", "")]);
    assert.equal(empty.code, 0);
    assert.match(empty.stdout, /not checked: no backward\(\) ran\n$/);
    assert.doesNotMatch(empty.stdout, /match numerics/);
  });

  it("1: a gradient check failed", () => {
    assert.equal(gradlens(["run", path.join(root, "examples", "wrong_custom_backward.ts")]).code, 1);
  });

  it("1: a value changed in place behind autograd's back fails the check instead of passing a wrong gradient", () => {
    const r = gradlens(["run", file("inplace.ts", 'import { tensor } from "gradlens";\nconst x = tensor([1, 2, 3], { requiresGrad: true });\nconst y = x.mul(x);\n(x as any)._data[0] = 10;\ny.sum().backward();\n')]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /x\.grad: the graph does not reproduce the computation: backward\(\) started from 14, but its graph computes 113/);
  });

  it("2: the snippet failed — an error, the time limit, memory — with its line, and no stack of Gradlens's", () => {
    const thrown = gradlens(["run", file("throws.ts", 'throw new Error("boom");\n')]);
    assert.equal(thrown.code, 2);
    assert.match(thrown.stderr, /^Error: boom\n {2}at throws\.ts:1\n$/);
    const hang = gradlens(["run", file("hang.ts", "for (;;) {}\n"), "--timeout", "300"]);
    assert.equal(hang.code, 2);
    assert.match(hang.stderr, /time limit of 300 ms/);
    const memory = gradlens(["run", file("memory.ts", 'import { zeros } from "gradlens";\nconst big = zeros(100_000_000);\n'), "--memory", "64"]);
    assert.equal(memory.code, 2);
    assert.match(memory.stderr, /RuntimeError: can't allocate memory: you tried to allocate 400,000,000 bytes .* the memory limit is 64 MB\n {2}at memory\.ts:2\n$/);
  });

  it("2: NODE_OPTIONS cannot lift the memory limit", () => {
    const r = gradlens(["run", file("heap.ts", "const a: number[] = [];\nfor (let i = 0; ; i++) a.push(i + 0.5);\n"), "--memory", "64"], { NODE_OPTIONS: "--max-old-space-size=3000" });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /ran out of memory/);
  });

  it("64: usage errors — a missing or unreadable input, bad flags, absurd limits", () => {
    const cases: string[][] = [
      ["run"],
      ["frobnicate", OK],
      ["run", path.join(dir, "missing.ts")],
      ["run", dir],
      ["run", OK, "--timeout", "soon"],
      ["run", OK, "--timeout", "2147483647"],
      ["run", OK, "--timeout", "0"],
      ["run", OK, "--memory", "1"],
      ["run", OK, "--memory", "99999999"],
      ["run", OK, "--check-budget", "-5"],
      ["run", OK, "--console-lines", "1.5"],
      ["run", OK, "--json"],
      ["run", OK, "--frobnicate"],
    ];
    for (const args of cases) {
      const r = gradlens(args);
      assert.equal(r.code, 64, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, /^gradlens: .+\n\nUsage: gradlens run/, args.join(" "));
    }
    const missing = gradlens(["run", "missing.ts"]);
    assert.match(missing.stderr, /^gradlens: cannot read missing\.ts: ENOENT\n/);
  });

  it("70: a snippet that forges the runner's messages gets an internal error, never exit 0", () => {
    const r = gradlens(["run", file("forge.ts", 'const fs = (process as any).mainModule.require("fs");\nfs.writeSync(3, Buffer.from("done"));\nfs.writeSync(3, Buffer.alloc(64));\n')]);
    assert.equal(r.code, 70, r.stderr);
    assert.match(r.stderr, /^gradlens: internal error: the runner's channel carried bytes that are not the runner's/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack without --debug");
  });

  it("73: an output that cannot be written — found before the run; --json and --html written when they can be", () => {
    const missingDir = gradlens(["run", OK, "--json", path.join(dir, "no", "such", "dir", "t.json")]);
    assert.equal(missingDir.code, 73);
    assert.match(missingDir.stderr, /^gradlens: cannot write .*t\.json: .* does not exist\n$/);
    const locked = path.join(dir, "locked");
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    if (process.getuid?.() !== 0) {
      // root writes anywhere: the permission case only means something for other users.
      assert.equal(gradlens(["run", OK, "--html", path.join(locked, "r.html")]).code, 73);
    }
    const written = gradlens(["run", OK, "--json", "t.json", "--html", "r.html"]);
    assert.equal(written.code, 0, written.stderr);
    assert.equal(JSON.parse(readFileSync(path.join(dir, "t.json"), "utf8")).status, "ok");
  });

  it("a reader that closes the pipe early (| head) ends nothing badly: no EPIPE crash, the run's own exit code", async () => {
    const src = file("many.ts", "for (let i = 0; i < 200000; i++) console.log(`line ${i}`);\n");
    const child = spawn(process.execPath, [cli, "run", src, "--console-lines", "200000", "--console-bytes", "10000000"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    assert.equal(code, 0, stderr);
    assert.doesNotMatch(stderr, /EPIPE|Unhandled/);
  });
});

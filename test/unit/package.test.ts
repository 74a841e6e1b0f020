/**
 * The npm package, as someone outside this repository gets it: `npm pack`, installed offline into an empty project,
 * then `npx gradlens run`, `import { tensor } from "gradlens"` from ES modules and CommonJS, and the types under
 * TypeScript's Node resolution. Needs the built dist/ (npm test builds first).
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const root = path.join(__dirname, "..", "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const npx = process.platform === "win32" ? "npx.cmd" : "npx";

function sh(command: string, args: string[], cwd: string) {
  const r = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("the npm package, outside the repository", function () {
  this.timeout(120_000);
  const dir = mkdtempSync(path.join(tmpdir(), "gradlens-pack-"));
  const project = path.join(dir, "project");
  let files: string[] = [];

  before(function () {
    if (!existsSync(path.join(root, "dist", "runner-child.js"))) throw new Error("dist/ is not built: run npm run build first");
    // --ignore-scripts: dist/ is built already; `npm pack` alone builds it through prepack.
    const pack = sh(npm, ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], root);
    assert.equal(pack.code, 0, pack.stderr);
    const [info] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    files = info.files.map((f) => f.path);
    mkdirSync(project);
    writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
    const install = sh(npm, ["install", "--offline", "--ignore-scripts", path.join(dir, info.filename)], project);
    assert.equal(install.code, 0, install.stderr);
  });

  it("holds the bundles, the CLI and the types, and nothing of the sources or tests", () => {
    for (const f of ["bin/gradlens.js", "dist/cli.js", "dist/runner.js", "dist/runner-child.js", "dist/engine.js", "dist/engine.mjs", "dist/engine.d.ts", "dist/webview.js", "package.json"]) {
      assert.ok(files.includes(f), `${f} is in the package`);
    }
    assert.deepEqual(files.filter((f) => /^(src|test|scripts|examples|bench|webview|ts-plugin)\//.test(f) || f.endsWith(".map")), []);
  });

  it("npx gradlens run file.ts runs a snippet and checks its gradient (exit 0)", () => {
    writeFileSync(path.join(project, "snippet.ts"), 'import { tensor } from "gradlens";\nconst x = tensor([1, 2], { requiresGrad: true });\nconst y = x.mul(x).sum();\ny.backward();\nconsole.log(x.grad);\n');
    const r = sh(npx, ["--no-install", "gradlens", "run", "snippet.ts"], project);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^tensor\(\[2\., 4\.\]\)\n/);
    assert.match(r.stdout, /✓ {2}x\.grad {4}full {2}2\/2/);
    assert.match(r.stdout, /all gradients match numerics/);
  });

  it("import { tensor } from \"gradlens\" works from ES modules and from CommonJS, with one engine", () => {
    writeFileSync(path.join(project, "esm.mjs"), 'import { tensor } from "gradlens";\nimport engine from "gradlens";\nconsole.log(String(tensor([1, 2]).mul(3)), engine.tensor === tensor);\n');
    writeFileSync(path.join(project, "cjs.cjs"), 'const { tensor } = require("gradlens");\nconsole.log(String(tensor([[1], [2]]).sum()));\n');
    const esm = sh(process.execPath, ["esm.mjs"], project);
    assert.equal(esm.code, 0, esm.stderr);
    assert.equal(esm.stdout, "tensor([3., 6.]) true\n");
    const cjs = sh(process.execPath, ["cjs.cjs"], project);
    assert.equal(cjs.code, 0, cjs.stderr);
    assert.equal(cjs.stdout, "tensor(3.)\n");
  });

  it("TypeScript finds the types from ES modules and CommonJS (and they are not any)", () => {
    const config = (files: string[]) => JSON.stringify({ compilerOptions: { module: "nodenext", moduleResolution: "nodenext", strict: true, noEmit: true, types: [] }, files });
    writeFileSync(path.join(project, "tsconfig.json"), config(["typed.mts", "typed.cts"]));
    writeFileSync(path.join(project, "tsconfig.wrong.json"), config(["wrong.mts"]));
    writeFileSync(path.join(project, "typed.mts"), 'import { tensor, type Tensor } from "gradlens";\nconst t: Tensor = tensor([1, 2]);\nconst n: number = t.numel();\nexport { n };\n');
    writeFileSync(path.join(project, "typed.cts"), 'import gradlens = require("gradlens");\nconst shape: number[] = gradlens.zeros(2, 3).shape;\nexport = shape;\n');
    const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
    const ok = sh(process.execPath, [tsc, "-p", "tsconfig.json"], project);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    writeFileSync(path.join(project, "wrong.mts"), 'import { tensor } from "gradlens";\nconst s: string = tensor([1]).numel();\nexport { s };\n');
    const wrong = sh(process.execPath, [tsc, "-p", "tsconfig.wrong.json"], project);
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stdout, /Type 'number' is not assignable to type 'string'/);
  });
});

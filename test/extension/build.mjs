// Bundles the extension-host suite: test/extension/index.ts (the mocha entry both runners load) and every
// test/extension/**/*.test.ts, each into one CommonJS file under out/test/extension/ at the same relative path.
// `vscode` stays external (the extension host provides it); a file a test imports (helpers, src/ modules) is bundled
// into that test, so such modules hold no state shared between test files: shared state lives in the extension.
//
//   node test/extension/build.mjs [--tests <dir>] [--out <dir>]    (defaults: test/extension, out/test/extension)
//
// mocha is bundled into index.js rather than loaded from node_modules: mocha 12 is an ES module inside, and its
// CommonJS face needs require(esm) (Node 20.19+), which the extension host of a downloaded VS Code may not have.
import * as esbuild from "esbuild";
import { readdirSync, rmSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = resolve(here, "../..");
const { values } = parseArgs({
  options: { tests: { type: "string", default: here }, out: { type: "string", default: join(root, "out", "test", "extension") } },
});
const testsDir = resolve(values.tests);
const outDir = resolve(values.out);

const entryPoints = { index: join(here, "index.ts") };
for (const file of readdirSync(testsDir, { recursive: true, encoding: "utf8" })) {
  if (file.endsWith(".test.ts") && !file.split("/").includes("node_modules")) entryPoints[file.slice(0, -".ts".length)] = join(testsDir, file);
}
if (Object.keys(entryPoints).length === 1) console.warn(`no *.test.ts files under ${relative(process.cwd(), testsDir) || "."}`);

// A test deleted from the sources must not keep running from an old bundle.
rmSync(outDir, { recursive: true, force: true });
await esbuild.build({
  entryPoints,
  outdir: outDir,
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  external: ["vscode"],
  sourcemap: "linked",
  logLevel: "warning",
  // mocha loads test files and optional reporters with require(<variable>), and its parallel mode (unused here) resolves
  // worker files: those stay runtime lookups on purpose.
  logOverride: { "unsupported-require-call": "silent", "unsupported-dynamic-import": "silent", "require-resolve-not-external": "silent" },
});
console.log(`built ${Object.keys(entryPoints).length - 1} extension test file(s) into ${relative(process.cwd(), outDir) || "."}`);

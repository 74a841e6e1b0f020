// Compiles the extension-host suite to out/test/extension/ (CommonJS; vscode and mocha come from the host and the repo).
import * as esbuild from "esbuild";
import { readdirSync } from "node:fs";

const dir = "test/extension";
const entries = readdirSync(dir).filter((f) => f === "index.ts" || f.endsWith(".test.ts")).map((f) => `${dir}/${f}`);
await esbuild.build({
  entryPoints: entries,
  outdir: "out/test/extension",
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  external: ["vscode", "mocha"],
  sourcemap: true,
  logLevel: "warning",
});

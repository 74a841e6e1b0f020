// Builds every bundle the project ships. `--watch` rebuilds on change.
import * as esbuild from "esbuild";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";

const watch = process.argv.includes("--watch");

/** @type {import("esbuild").BuildOptions[]} */
const bundles = [
  {
    // The engine as one CommonJS module: `require("gradlens")` from Node, and what snippets import.
    entryPoints: ["src/engine/index.ts"],
    outfile: "dist/engine.js",
    platform: "neutral",
    format: "cjs",
    mainFields: ["module", "main"],
    // Module reprs print the class's name (PyTorch's `Sequential(...)`): esbuild would rename a class that refers to
    // itself (`_Sequential`) without this.
    keepNames: true,
  },
];

// Each part of the project may add its bundles in scripts/bundles/<part>.mjs (default export: BuildOptions[]).
const bundleDir = new URL("./bundles/", import.meta.url);
if (existsSync(bundleDir)) {
  for (const file of readdirSync(bundleDir).filter((f) => f.endsWith(".mjs")).sort()) {
    bundles.push(...(await import(new URL(file, bundleDir).href)).default);
  }
}

const common = { bundle: true, sourcemap: true, target: "node20", logLevel: "warning" };

if (watch) {
  for (const b of bundles) await (await esbuild.context({ ...common, ...b })).watch();
} else {
  await Promise.all(bundles.map((b) => esbuild.build({ ...common, ...b })));
  // Declarations for the engine, so `dist/engine.js` is typed for Node users and for snippets. Written afresh, so a
  // source file that moved leaves no declaration behind in the .vsix.
  rmSync("dist/types", { recursive: true, force: true });
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.engine-types.json"], { stdio: "inherit" });
  writeFileSync("dist/engine.d.ts", 'export * from "./types/engine/index";\n');
}

// Builds gradlens.vsix: the bundles in dist/ (the extension, runner, worker, CLI, engine and its types, the panel)
// and media/. Everything is bundled by esbuild, so no node_modules ship (see "What is left" in the README).
import { execFileSync } from "node:child_process";
import { statSync } from "node:fs";

execFileSync("npx", ["vsce", "package", "--no-dependencies", "-o", "gradlens.vsix"], { stdio: "inherit" });
const mb = statSync("gradlens.vsix").size / 2 ** 20;
console.log(`gradlens.vsix: ${mb.toFixed(2)} MB (limit 5 MB)`);

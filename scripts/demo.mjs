// The main job: run each seed notebook's example through the Gradlens CLI and print what it prints (the same text
// PyTorch printed in the notebook), then its gradient checks. Run: npm run demo
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const examples = readdirSync(`${root}/examples`).filter((f) => /^seed.*\.ts$/.test(f)).sort();
let failed = 0;
for (const file of examples) {
  console.log(`\n━━━ ${file} ${"━".repeat(Math.max(0, 70 - file.length))}\n`);
  const run = spawnSync(process.execPath, [`${root}/bin/gradlens.js`, "run", `examples/${file}`], { cwd: root, stdio: "inherit" });
  if (run.status !== 0) failed++;
}
console.log(`\n${examples.length - failed} of ${examples.length} examples ran with every gradient check passing.`);
process.exit(failed ? 1 : 0);

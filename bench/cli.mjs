// Cold start of `gradlens run` on the first seed: wall time and peak memory (GNU time reports the larger of the CLI
// process and the child process the snippet runs in). Median of 9 fresh processes. Run: npm run bench:cli
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const runs = [];
for (let i = 0; i < 9; i++) {
  const started = performance.now();
  // /usr/bin/time -f %M prints the peak resident set size in KB.
  const r = spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, "bin/gradlens.js", "run", "examples/seed0_autograd_basics.ts", "--quiet"], { cwd: root, encoding: "utf8" });
  const wall = performance.now() - started;
  const kb = Number(r.stderr.trim().split("\n").pop());
  if (r.status !== 0) throw new Error(`gradlens run failed: ${r.stderr}`);
  runs.push({ wall, mb: kb / 1024 });
}
const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
console.log("gradlens run examples/seed0_autograd_basics.ts, cold start (median of 9 fresh processes)");
console.log(`  wall time   ${median(runs.map((r) => r.wall)).toFixed(0)} ms   (target 300 ms; PyTorch 1.13 takes 1240 ms here)`);
console.log(`  peak RSS    ${median(runs.map((r) => r.mb)).toFixed(0)} MB   (target 120 MB; PyTorch 242 MB)`);

// What recording every node's gradient (with the gradient flow and the findings' evidence) costs: the CPU time of a
// snippet's run, recorder included, on examples/mlp_training.ts and on a bigger MLP, with this checkout's engine and
// runner against a baseline commit's (built from its own sources in a temp folder; by default main as this work last
// merged it, 93b80c6: the engine without gradient recording). Numerical checks are off in both, so the figure is
// the recorder's cost. CPU time in one process, the two alternating: the machine is shared, and waiting for a core, or a
// busy moment, must not count against one of them.
// Prints figures, asserts nothing.
//
//   node bench/insight.mjs [--baseline <commit>] [--runs 40]
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const { values } = parseArgs({ options: { baseline: { type: "string", default: "93b80c6" }, runs: { type: "string", default: "40" } } });

/** The baseline commit's sources in a temp folder that shares this checkout's node_modules. */
function baselineTree(rev) {
  const dir = join(tmpdir(), `gradlens-baseline-src-${rev}`);
  if (existsSync(join(dir, "src"))) return dir;
  mkdirSync(dir, { recursive: true });
  execFileSync("sh", ["-c", `git -C "${root}" archive ${rev} | tar -x -C "${dir}"`]);
  if (!existsSync(join(dir, "node_modules"))) symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
  return dir;
}

const BIG = `import { F, manualSeed, nn, optim, randn } from "gradlens";
manualSeed(0);
const model = new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 10));
const optimizer = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
const inputs = randn(64, 784);
const targets = randn(64, 10);
for (let step = 0; step < 20; step++) {
  optimizer.zeroGrad();
  const loss = F.mseLoss(model.call(inputs), targets);
  loss.backward();
  optimizer.step();
}
`;

function pairs(file, runs) {
  const out = execFileSync(process.execPath, ["--import", "tsx", join(root, "bench", "insight-child.ts"), base, root, file, String(runs)], { cwd: root, encoding: "utf8", maxBuffer: 1 << 24 });
  return JSON.parse(out);
}

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const pct = (r) => `${((r - 1) * 100).toFixed(0)}%`.padStart(6);

const runs = Number(values.runs);
const base = baselineTree(values.baseline);
const big = join(mkdtempSync(join(tmpdir(), "gradlens-bench-")), "mlp_784.ts");
writeFileSync(big, BIG);
const cases = [
  ["examples/mlp_training.ts (4-8-1, batch 16, 30 steps)", join(root, "examples", "mlp_training.ts"), runs],
  ["MLP 784-256-10, batch 64, 20 steps", big, Math.max(8, Math.round(runs / 3))],
];
console.log(`CPU time of one run of a snippet with the recorder (checks off): before = commit ${values.baseline}, now = this`);
console.log(`checkout, both in one process, run alternately (Node ${process.version}). The first quarter of the runs warm up`);
console.log("and are left out; the cost is the median of each pair's ratio, so that a busy moment of the machine hits both.\n");
console.log(`${"snippet".padEnd(54)} ${"before".padStart(9)} ${"now".padStart(9)} ${"cost".padStart(6)}   ${"first run: before".padStart(18)} ${"now".padStart(9)}`);
for (const [label, file, n] of cases) {
  const all = pairs(file, n);
  const warm = all.slice(Math.ceil(n / 4));
  const [am, bm] = [median(warm.map((p) => p[0])), median(warm.map((p) => p[1]))];
  const ratio = median(warm.map(([a, b]) => b / a));
  console.log(`${label.padEnd(54)} ${`${am.toFixed(1)} ms`.padStart(9)} ${`${bm.toFixed(1)} ms`.padStart(9)} ${pct(ratio)}   ${`${all[0][0].toFixed(1)} ms`.padStart(18)} ${`${all[0][1].toFixed(1)} ms`.padStart(9)}`);
}
console.log("\n(before and now: medians of the warm runs; first run: the cold one, which compiles as it goes — both trees'");
console.log("engines share one process, so the first figures are only indicative)");

// What recording every node's gradient (and the gradient flow and findings) costs: the snippet's own run time on
// examples/mlp_training.ts, and on a bigger MLP, against Gradlens as it was before (a commit, built into a temp folder).
// Numerical checks are off in both, so the figure is the recorder's cost alone. Prints figures, asserts nothing.
//
//   node bench/insight.mjs [--baseline <commit>] [--runs 25]     (npm run bench:insight builds first)
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const root = new URL("..", import.meta.url).pathname;
const require = createRequire(import.meta.url);
const { values } = parseArgs({ options: { baseline: { type: "string", default: "b7135fd" }, runs: { type: "string", default: "25" } } });
const runs = Number(values.runs);

/** The baseline commit's bundles, built once into a temp folder that shares this checkout's node_modules. */
function buildBaseline(rev) {
  const dir = join(tmpdir(), `gradlens-baseline-${rev}`);
  if (existsSync(join(dir, "dist", "runner.js"))) return dir;
  execFileSync("mkdir", ["-p", dir]);
  execFileSync("sh", ["-c", `git -C "${root}" archive ${rev} | tar -x -C "${dir}"`]);
  if (!existsSync(join(dir, "node_modules"))) symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
  execFileSync(process.execPath, ["scripts/build.mjs"], { cwd: dir, stdio: "ignore" });
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

async function once(runner, file, source) {
  const trace = await runner.runSnippet({ file, source, checkBudgetMs: 0 });
  if (trace.error) throw new Error(`${file}: ${trace.error.message}`);
  return trace.durationMs;
}

const quantile = (xs, q) => xs.slice().sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))];

const baseDir = buildBaseline(values.baseline);
const before = require(join(baseDir, "dist", "runner.js"));
const now = require(join(root, "dist", "runner.js"));
const big = join(mkdtempSync(join(tmpdir(), "gradlens-bench-")), "mlp_784.ts");
writeFileSync(big, BIG);
const cases = [
  ["examples/mlp_training.ts (4-8-1, batch 16, 30 steps)", join(root, "examples", "mlp_training.ts"), undefined],
  ["MLP 784-256-10, batch 64, 20 steps", big, BIG],
];
console.log(`Snippet run time with the recorder, checks off; ${runs} runs of each, alternating (Node ${process.version})`);
console.log("The machine is shared: the fastest run (least disturbed) and the median are both shown.\n");
console.log(`${"snippet".padEnd(54)} ${"before min".padStart(11)} ${"now min".padStart(9)} ${"cost".padStart(6)}   ${"before med".padStart(11)} ${"now med".padStart(9)} ${"cost".padStart(6)}`);
const pct = (a, b) => `${(((b - a) / a) * 100).toFixed(0)}%`.padStart(6);
for (const [label, file, source] of cases) {
  const a = [];
  const b = [];
  for (let r = 0; r < 2; r++) {
    await once(before, file, source);
    await once(now, file, source);
  }
  for (let r = 0; r < runs; r++) {
    a.push(await once(before, file, source));
    b.push(await once(now, file, source));
  }
  const [amin, bmin, amed, bmed] = [quantile(a, 0), quantile(b, 0), quantile(a, 0.5), quantile(b, 0.5)];
  console.log(`${label.padEnd(54)} ${`${amin.toFixed(1)} ms`.padStart(11)} ${`${bmin.toFixed(1)} ms`.padStart(9)} ${pct(amin, bmin)}   ${`${amed.toFixed(1)} ms`.padStart(11)} ${`${bmed.toFixed(1)} ms`.padStart(9)} ${pct(amed, bmed)}`);
}
console.log(`\nbefore = commit ${values.baseline} (built in ${baseDir}); now = this checkout's dist/.`);

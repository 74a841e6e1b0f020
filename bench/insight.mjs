// What recording every node's gradient (with the gradient flow and the findings' evidence) costs: the CPU time of one
// run of a snippet, recorder included, on examples/mlp_training.ts and on a bigger MLP, with the recorder as it is
// ("on") and as it was before this work ("off": the engine's new hooks find no method to call, so each costs one
// property read, and the per-op watch does nothing). Same engine, same code otherwise; separate processes, alternating,
// so neither shares the other's compiled code; CPU time, so that waiting for a core on a shared machine does not count.
// Numerical checks are off in both. Prints figures, asserts nothing.
//
//   node bench/insight.mjs [--runs 40] [--rounds 3]
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const { values } = parseArgs({ options: { runs: { type: "string", default: "40" }, rounds: { type: "string", default: "3" } } });

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

function cpuTimes(mode, file, runs) {
  const out = execFileSync(process.execPath, ["--import", "tsx", join(root, "bench", "insight-child.ts"), root, mode, file, String(runs)], { cwd: root, encoding: "utf8", maxBuffer: 1 << 24 });
  return JSON.parse(out);
}

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const pct = (a, b) => `${(((b - a) / a) * 100).toFixed(0)}%`.padStart(6);

const runs = Number(values.runs);
const rounds = Number(values.rounds);
const big = join(mkdtempSync(join(tmpdir(), "gradlens-bench-")), "mlp_784.ts");
writeFileSync(big, BIG);
const cases = [
  ["examples/mlp_training.ts (4-8-1, batch 16, 30 steps)", join(root, "examples", "mlp_training.ts"), runs],
  ["MLP 784-256-10, batch 64, 20 steps", big, Math.max(8, Math.round(runs / 3))],
];
console.log(`CPU time of one run of a snippet with the recorder, checks off (Node ${process.version}): off = without gradient`);
console.log(`recording, on = with it. ${rounds} processes of each, alternating; in each the first quarter of the runs warm up.\n`);
console.log(`${"snippet".padEnd(54)} ${"off".padStart(9)} ${"on".padStart(9)} ${"cost".padStart(6)}   ${"first run: off".padStart(15)} ${"on".padStart(9)} ${"cost".padStart(6)}`);
for (const [label, file, n] of cases) {
  const off = [];
  const on = [];
  const firstOff = [];
  const firstOn = [];
  for (let r = 0; r < rounds; r++) {
    for (const [mode, warm, first] of [["off", off, firstOff], ["on", on, firstOn]]) {
      const times = cpuTimes(mode, file, n);
      first.push(times[0]);
      warm.push(...times.slice(Math.ceil(n / 4)));
    }
  }
  const [a, b, fa, fb] = [median(off), median(on), median(firstOff), median(firstOn)];
  console.log(`${label.padEnd(54)} ${`${a.toFixed(1)} ms`.padStart(9)} ${`${b.toFixed(1)} ms`.padStart(9)} ${pct(a, b)}   ${`${fa.toFixed(1)} ms`.padStart(15)} ${`${fb.toFixed(1)} ms`.padStart(9)} ${pct(fa, fb)}`);
}
console.log("\n(medians of the warm runs; first run: the cold one, compiling as it goes, as a snippet runs in the panel)");

// Engine benchmarks: prints figures, asserts nothing, beside PyTorch 1.13's for the same workloads when
// /usr/bin/python3 has torch (bench/torch/engine.py). Run: npm run bench:engine (builds dist/engine.js first).
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const gl = require("../dist/engine.js");

/** Median of `repeat` timings (ms) of fn, after `warmup` untimed calls. */
function time(fn, { repeat = 7, warmup = 2 } = {}) {
  for (let i = 0; i < warmup; i++) fn();
  const samples = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1];
}

const rows = [];
const report = (what, value, unit, extra = "") => {
  rows.push([what, value, unit, extra]);
  console.log(`${what.padEnd(44)} ${String(value).padStart(10)} ${unit.padEnd(8)} ${extra}`);
};

/** PyTorch's figures by label, or null when there is no PyTorch here. */
function pytorchFigures() {
  const script = fileURLToPath(new URL("./torch/engine.py", import.meta.url));
  const r = spawnSync("/usr/bin/python3", [script], { encoding: "utf8", timeout: 300_000 });
  if (r.status !== 0) return null;
  return new Map(r.stdout.trim().split("\n").map((line) => JSON.parse(line)).map((o) => [o.what, o.value]));
}

console.log(`Gradlens engine benchmarks — Node ${process.version}, float32, one thread\n`);

gl.manualSeed(0);
for (const n of [64, 256, 512, 1024]) {
  const a = gl.rand(n, n);
  const b = gl.rand(n, n);
  const ms = time(() => a.matmul(b), { repeat: n >= 1024 ? 3 : 7, warmup: 1 });
  report(`matmul ${n}×${n}`, ms.toFixed(2), "ms", `${((2 * n ** 3) / (ms * 1e6)).toFixed(2)} GFLOP/s`);
}

for (const n of [256, 512]) {
  const a = gl.rand([n, n], { requiresGrad: true });
  const b = gl.rand([n, n], { requiresGrad: true });
  const ms = time(() => {
    a.grad = null;
    b.grad = null;
    a.matmul(b).sum().backward();
  }, { repeat: 5, warmup: 1 });
  report(`grad of sum(A@B), ${n}×${n} (fwd+bwd)`, ms.toFixed(2), "ms", `${((3 * 2 * n ** 3) / (ms * 1e6)).toFixed(2)} GFLOP/s`);
}

{
  let fwd = [];
  let bwd = [];
  for (let r = 0; r < 9; r++) {
    const x = gl.tensor(1, { requiresGrad: true });
    let y = x;
    const t0 = performance.now();
    for (let i = 0; i < 10_000; i++) y = y.mul(1.0001).add(0.5);
    const t1 = performance.now();
    y.backward();
    const t2 = performance.now();
    if (r >= 2) {
      fwd.push(((t1 - t0) * 1000) / 20_000);
      bwd.push(((t2 - t1) * 1000) / 20_000);
    }
  }
  const med = (v) => v.sort((a, b) => a - b)[v.length >> 1];
  report("scalar chain, 20,000 ops: forward", med(fwd).toFixed(2), "µs/op");
  report("scalar chain, 20,000 ops: backward", med(bwd).toFixed(2), "µs/op");
  report("scalar chain, 20,000 ops: total", (med(fwd) + med(bwd)).toFixed(2), "µs/op");
}

{
  const { nn, optim, F } = gl;
  gl.manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 10));
  const opt = new optim.SGD(model.parameters(), { lr: 0.01 });
  const x = gl.rand(64, 784);
  const target = gl.rand(64, 10);
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const step = () => {
    opt.zeroGrad();
    const loss = F.mseLoss(model.forward(x), target);
    loss.backward();
    opt.step();
    peak = Math.max(peak, process.memoryUsage().rss);
  };
  const ms = time(step, { repeat: 21, warmup: 5 });
  report("MLP 784-256-10 training step (batch 64)", ms.toFixed(2), "ms", `peak RSS ${(peak / 2 ** 20).toFixed(0)} MB`);
}

{
  const a = gl.rand(1_000_000);
  const b = gl.rand(1_000_000);
  const ms = time(() => a.add(b), { repeat: 11, warmup: 3 });
  report("elementwise add, 1e6 elements", ms.toFixed(2), "ms", `${(1e6 / (ms * 1e3)).toFixed(0)} M elements/s`);
}

{
  const t = gl.rand(1000, 1000);
  report("transpose then contiguous, 1000×1000", time(() => t.t().contiguous(), { repeat: 11, warmup: 3 }).toFixed(2), "ms");
  report("sum over dim 0, 1000×1000", time(() => t.sum(0), { repeat: 11, warmup: 3 }).toFixed(2), "ms");
  const narrow = t.index([":", ":64"]);
  report("index rows with 10,000 indices, 1000×64", time(() => narrow.index([gl.randint(0, 1000, [10_000])]), { repeat: 11, warmup: 3 }).toFixed(2), "ms");
}

const torchFigures = pytorchFigures();
if (torchFigures) {
  console.log(`\nSide by side with PyTorch ${"1.13"} (same workloads, one thread; lower is better)\n`);
  console.log(`${"".padEnd(44)} ${"Gradlens".padStart(10)} ${"PyTorch".padStart(10)}  unit`);
  for (const [what, value, unit] of rows) {
    const theirs = torchFigures.get(what);
    if (theirs === undefined) continue;
    console.log(`${what.padEnd(44)} ${String(value).padStart(10)} ${theirs.toFixed(2).padStart(10)}  ${unit}`);
  }
} else console.log("\n(no PyTorch at /usr/bin/python3: figures for Gradlens only)");

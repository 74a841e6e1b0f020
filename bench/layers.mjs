// Layer benchmarks: prints figures, asserts nothing. Run: npm run bench:layers (builds dist/engine.js first).
// LeNet-5's shapes for 28×28 images, batch 64: conv2d forward and forward+backward (im2col + the WebAssembly gemm),
// max pooling, batch norm, and a whole training step. Where /usr/bin/python3 has torch, the same benchmarks run in
// PyTorch (bench/torch/layers.py) with one thread, and with its default threads when that is more, side by side.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const gl = require("../dist/engine.js");
const { F, nn } = gl;

/** The fastest of `repeat` runs of fn (ms), after `warmup` untimed ones: on a machine shared with other work the
 * fastest run is the one closest to the cost of the code itself. */
function time(fn, repeat = 15, warmup = 3) {
  for (let i = 0; i < warmup; i++) fn();
  const samples = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  return Math.min(...samples);
}

gl.manualSeed(0);
const results = {};
const leaf = (...shape) => gl.randn(shape).requiresGrad_(true);
const convStep = (x, w, b, options) => () => {
  x.grad = w.grad = b.grad = null;
  F.conv2d(x, w, b, options).sum().backward();
};

const x1 = leaf(64, 1, 28, 28), w1 = leaf(6, 1, 5, 5), b1 = leaf(6);
results["conv1 forward"] = time(() => F.conv2d(x1, w1, b1, { padding: 2 }));
results["conv1 forward+backward"] = time(convStep(x1, w1, b1, { padding: 2 }));
const x2 = leaf(64, 6, 14, 14), w2 = leaf(16, 6, 5, 5), b2 = leaf(16);
results["conv2 forward"] = time(() => F.conv2d(x2, w2, b2));
results["conv2 forward+backward"] = time(convStep(x2, w2, b2));
const xp = leaf(64, 6, 28, 28);
results["max_pool2d forward+backward"] = time(() => F.maxPool2d(xp, 2).sum().backward());
const bn2 = new nn.BatchNorm2d(16), xb = leaf(64, 16, 10, 10);
results["batch_norm2d forward+backward"] = time(() => bn2.call(xb).sum().backward());
const bn1 = new nn.BatchNorm1d(120), xb1 = leaf(64, 120);
results["batch_norm1d forward+backward"] = time(() => bn1.call(xb1).sum().backward());

const lenet = new nn.Sequential(
  new nn.Conv2d(1, 6, 5, { padding: 2 }), new nn.ReLU(), new nn.MaxPool2d(2),
  new nn.Conv2d(6, 16, 5), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(),
  new nn.Linear(400, 120), new nn.ReLU(), new nn.Linear(120, 84), new nn.ReLU(), new nn.Linear(84, 10),
);
const images = gl.rand([64, 1, 28, 28]);
const labels = gl.randint(0, 10, [64]);
results["LeNet-5 training step (batch 64)"] = time(() => {
  const loss = F.crossEntropy(lenet.call(images), labels);
  lenet.zeroGrad();
  loss.backward();
  gl.noGrad(() => lenet.parameters().forEach((p) => p.sub_(p.grad.mul(0.01))));
});

function torchResults(threads) {
  const python = "/usr/bin/python3";
  if (!existsSync(python)) return null;
  try {
    const script = fileURLToPath(new URL("./torch/layers.py", import.meta.url));
    return JSON.parse(execFileSync(python, [script, String(threads)], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }));
  } catch {
    return null;
  }
}

const torch1 = torchResults(1);
// PyTorch's default thread count, when it is more than one (this machine's cgroup may give it one).
const torchDefault = torchResults(0);
const torchN = torchDefault && torchDefault.threads > 1 ? torchDefault : null;
console.log(`Gradlens layer benchmarks — Node ${process.version}, float32, one thread; fastest of 15 runs, ms (LeNet-5 shapes, batch 64)\n`);
const header = ["", "Gradlens", torch1 ? "PyTorch 1 thread" : "", torchN ? `PyTorch ${torchN.threads} threads` : ""];
console.log(`${header[0].padEnd(36)}${header[1].padStart(10)}${header[2].padStart(18)}${header[3].padStart(18)}`);
for (const [name, ms] of Object.entries(results)) {
  const t1 = torch1?.results[name];
  const tn = torchN?.results[name];
  console.log(`${name.padEnd(36)}${ms.toFixed(2).padStart(10)}${(t1 === undefined ? "" : t1.toFixed(2)).padStart(18)}${(tn === undefined ? "" : tn.toFixed(2)).padStart(18)}`);
}

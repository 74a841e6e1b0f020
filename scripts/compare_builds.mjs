// Compares two builds of the engine bit for bit on the float32 kernels: the same inputs through both, every output
// and gradient element compared by its bits (NaNs equal). A change that is meant to make a kernel faster without
// changing a result is checked this way against the build before it, on far more inputs than the PyTorch fixtures
// hold; with --exhaustive, the unary functions run on all 2^32 float32 values (hours for the slow ones).
//
//   npm run build && cp dist/engine.js /tmp/before.js   # on the old commit
//   npm run build                                        # on the new one
//   node scripts/compare_builds.mjs /tmp/before.js dist/engine.js [op ...] [--exhaustive] [--from=k]
import { createRequire } from "node:module";
import { resolve } from "node:path";

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const [pathA, pathB] = args.filter((a) => !a.startsWith("--")).slice(0, 2).map((p) => resolve(p));
if (!pathA || !pathB) {
  console.error("usage: node scripts/compare_builds.mjs <engine A.js> <engine B.js> [op ...] [--exhaustive] [--from=k]");
  process.exit(64);
}
const only = args.filter((a) => !a.startsWith("--")).slice(2);
const exhaustive = args.includes("--exhaustive");
const fromChunk = Number(args.find((a) => a.startsWith("--from="))?.slice(7) ?? 0);
const A = require(pathA);
const B = require(pathB);

/** Unary ops by name: (engine, x) → tensor. */
const UNARY = {
  exp: (_, x) => x.exp(),
  expm1: (_, x) => x.expm1(),
  log: (_, x) => x.log(),
  log1p: (_, x) => x.log1p(),
  log2: (_, x) => x.log2(),
  log10: (_, x) => x.log10(),
  sin: (_, x) => x.sin(),
  cos: (_, x) => x.cos(),
  tan: (_, x) => x.tan(),
  tanh: (_, x) => x.tanh(),
  sigmoid: (_, x) => x.sigmoid(),
  erf: (_, x) => x.erf(),
  sqrt: (_, x) => x.sqrt(),
  rsqrt: (_, x) => x.rsqrt(),
  reciprocal: (_, x) => x.reciprocal(),
  relu: (_, x) => x.relu(),
  neg: (_, x) => x.neg(),
  abs: (_, x) => x.abs(),
  gelu: (gl, x) => gl.F.gelu(x),
  geluTanh: (gl, x) => gl.F.gelu(x, { approximate: "tanh" }),
  softplus: (gl, x) => gl.F.softplus(x),
  softplusBeta: (gl, x) => gl.F.softplus(x, 2, 5),
  silu: (gl, x) => gl.F.silu(x),
  elu: (gl, x) => gl.F.elu(x),
  logsigmoid: (gl, x) => gl.F.logsigmoid(x),
  pow2_5: (_, x) => x.pow(2.5),
  pow_0_3: (_, x) => x.pow(-0.3),
  pow3: (_, x) => x.pow(3),
  mulScalar: (_, x) => x.mul(1.7),
  addScalar: (_, x) => x.add(0.3),
  divScalar: (_, x) => x.div(3),
};

/** Binary ops: (engine, x, y) → tensor; y has x's shape unless the case broadcasts. */
const BINARY = {
  add: (_, x, y) => x.add(y),
  sub: (_, x, y) => x.sub(y),
  mul: (_, x, y) => x.mul(y),
  div: (_, x, y) => x.div(y),
  addAlpha: (_, x, y) => x.add(y, 0.7),
  pow: (_, x, y) => x.pow(y),
  maximum: (_, x, y) => x.maximum(y),
  atan2: (_, x, y) => x.atan2(y),
};

/** Ops over a dim of a [rows, cols] or [a, b, c] tensor. */
const ALONG = {
  softmax: (gl, x, dim) => gl.F.softmax(x, dim),
  logSoftmax: (gl, x, dim) => gl.F.logSoftmax(x, dim),
  sum: (_, x, dim) => x.sum(dim),
  mean: (_, x, dim) => x.mean(dim),
  amax: (_, x, dim) => x.amax(dim),
  logsumexp: (_, x, dim) => x.logsumexp(dim),
  var: (_, x, dim) => x.var(dim),
  norm: (_, x, dim) => x.norm(2, dim),
};

// Deterministic inputs (xorshift), the same for both builds.
let seed = 0x2545f491;
function nextU32() {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed >>> 0;
}
const unit = () => (nextU32() + 0.5) / 2 ** 32;
const normal = () => Math.sqrt(-2 * Math.log(unit())) * Math.cos(2 * Math.PI * unit());

/** Random bit patterns, normals at many scales, and special values, mixed. */
function inputs(n) {
  const out = new Float32Array(n);
  const bits = new Uint32Array(out.buffer);
  const specials = [0, -0, Infinity, -Infinity, NaN, 1, -1, 0.5, -0.5, 2, 88.72, -87.3, 104, -104, 8.66, 125, -125, 1e-30, 3.4e38];
  const scales = [1e-3, 0.01, 0.1, 0.5, 1, 3, 10, 30, 100, 1000];
  for (let i = 0; i < n; i++) {
    const r = unit();
    if (r < 0.25) bits[i] = nextU32();
    else if (r < 0.95) out[i] = normal() * scales[nextU32() % scales.length];
    else out[i] = specials[nextU32() % specials.length];
  }
  return out;
}

const clampFinite = (v) => (Number.isFinite(v) ? Math.max(-8, Math.min(8, v)) : 0.25);
const same = (a, b) => Object.is(a, b) || (a !== a && b !== b);

function compareArrays(label, a, b, input) {
  if (a.length !== b.length) {
    report(label, 1, 1, `lengths ${a.length} and ${b.length}`);
    return;
  }
  let bad = 0;
  let first = "";
  for (let i = 0; i < a.length; i++) {
    if (!same(a[i], b[i])) {
      if (bad < 3) first += ` [${i}]${input ? ` x=${input[i]}` : ""} ${a[i]} vs ${b[i]};`;
      bad++;
    }
  }
  report(label, bad, a.length, first);
}

let failures = 0;
function report(label, bad, total, detail = "") {
  if (bad) failures++;
  console.log(`${bad ? "DIFFERS" : "same   "} ${label.padEnd(44)} ${String(bad).padStart(8)} / ${total}${detail ? ` ${detail}` : ""}`);
}

const values = (t) => t.contiguous()._data;

/** y = op(x), and x.grad for y.backward(g), in one engine. */
function runUnary(gl, op, x, g) {
  const xt = gl.tensor(x).requiresGrad_(true);
  const y = UNARY[op](gl, xt);
  y.backward(gl.tensor(g).reshape(y.shape));
  return [values(y.detach()), values(xt.grad)];
}

const wanted = (name) => only.length === 0 || only.includes(name);

if (exhaustive) {
  // Every float32 bit pattern through each wanted unary op's forward, in chunks of 2^22 (all whole vector blocks).
  const CHUNK = 1 << 22;
  const x = new Float32Array(CHUNK);
  const bits = new Uint32Array(x.buffer);
  for (const op of Object.keys(UNARY).filter(wanted)) {
    let bad = 0;
    let detail = "";
    const t0 = performance.now();
    for (let chunk = fromChunk; chunk < 2 ** 32 / CHUNK; chunk++) {
      for (let i = 0; i < CHUNK; i++) bits[i] = chunk * CHUNK + i;
      const ya = values(UNARY[op](A, A.tensor(x)));
      const yb = values(UNARY[op](B, B.tensor(x)));
      for (let i = 0; i < CHUNK; i++) {
        if (!same(ya[i], yb[i])) {
          if (bad < 5) detail += ` x=${x[i]} (0x${bits[i].toString(16)}) ${ya[i]} vs ${yb[i]};`;
          bad++;
        }
      }
      if (chunk % 64 === 63) console.log(`  ${op}: ${chunk + 1} of 1024 chunks, ${bad} differ, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    }
    report(`${op} (all float32 values)`, bad, 2 ** 32 - fromChunk * CHUNK, detail);
  }
  process.exit(failures ? 1 : 0);
}

const N = (1 << 20) + 13;
const x = inputs(N);
const y = inputs(N);
const g = inputs(N).map((v) => (Number.isFinite(v) ? Math.max(-1e3, Math.min(1e3, v)) : 1));

for (const op of Object.keys(UNARY).filter(wanted)) {
  // A long tensor: whole vector blocks and a leftover, as in PyTorch's contiguous loops.
  const [ya, ga] = runUnary(A, op, x, g);
  const [yb, gb] = runUnary(B, op, x, g);
  compareArrays(`${op} forward`, ya, yb, x);
  compareArrays(`${op} grad`, ga, gb, x);
  // Rows of 15, each a tensor of its own: PyTorch's scalar formula for every element.
  const rows = 4000;
  const parts = [[], [], [], []];
  for (let r = 0; r < rows; r++) {
    const xs = x.subarray(r * 15, r * 15 + 15);
    const gs = g.subarray(r * 15, r * 15 + 15);
    const [a1, a2] = runUnary(A, op, xs, gs);
    const [b1, b2] = runUnary(B, op, xs, gs);
    parts[0].push(...a1);
    parts[1].push(...b1);
    parts[2].push(...a2);
    parts[3].push(...b2);
  }
  compareArrays(`${op} forward, rows of 15`, parts[0], parts[1], x);
  compareArrays(`${op} grad, rows of 15`, parts[2], parts[3], x);
}

for (const op of Object.keys(BINARY).filter(wanted)) {
  // Same shapes, a broadcast row, a broadcast column, and a one-element side.
  const cases = [
    [[1024, 1024], [1024, 1024]],
    [[1024, 1024], [1024]],
    [[1024, 1024], [1024, 1]],
    [[1024, 1024], [1]],
    [[64, 1, 33], [1, 17, 33]],
  ];
  for (const [xs, ys] of cases) {
    const nx = xs.reduce((p, d) => p * d, 1);
    const ny = ys.reduce((p, d) => p * d, 1);
    const run = (gl) => {
      const xt = gl.tensor(x.subarray(0, nx)).reshape(xs).requiresGrad_(true);
      const yt = gl.tensor(y.subarray(0, ny)).reshape(ys).requiresGrad_(true);
      const out = BINARY[op](gl, xt, yt);
      out.backward(gl.tensor(g.subarray(0, out.numel())).reshape(out.shape));
      return [values(out.detach()), values(xt.grad), values(yt.grad)];
    };
    const ra = run(A);
    const rb = run(B);
    const label = `${op} ${JSON.stringify(xs)}·${JSON.stringify(ys)}`;
    compareArrays(`${label} forward`, ra[0], rb[0]);
    compareArrays(`${label} grad x`, ra[1], rb[1]);
    compareArrays(`${label} grad y`, ra[2], rb[2]);
  }
}

for (const op of Object.keys(ALONG).filter(wanted)) {
  const shapes = [[[512, 10], 1], [[512, 10], 0], [[64, 1000], 1], [[1000, 64], 0], [[16, 37, 24], 1], [[16, 37, 24], 2], [[16, 37, 24], 0], [[7, 5, 3], 1]];
  for (const [shape, dim] of shapes) {
    const n = shape.reduce((p, d) => p * d, 1);
    const xs = Float32Array.from(x.subarray(0, n), (v) => (Number.isFinite(v) ? Math.max(-50, Math.min(50, v)) : 0.5));
    const run = (gl) => {
      const xt = gl.tensor(xs).reshape(shape).requiresGrad_(true);
      const out = ALONG[op](gl, xt, dim);
      out.backward(gl.tensor(g.subarray(0, out.numel())).reshape(out.shape));
      return [values(out.detach()), values(xt.grad)];
    };
    const ra = run(A);
    const rb = run(B);
    const label = `${op} ${JSON.stringify(shape)} dim ${dim}`;
    compareArrays(`${label} forward`, ra[0], rb[0]);
    compareArrays(`${label} grad`, ra[1], rb[1]);
  }
}

// Convolutions: [input shape, weight shape, options, transposed?]; forward and the three gradients.
const CONVS = [
  [[64, 1, 28, 28], [6, 1, 5, 5], { padding: 2 }],
  [[64, 6, 14, 14], [16, 6, 5, 5], {}],
  [[8, 3, 17, 19], [8, 3, 3, 3], { stride: 2, padding: 1 }],
  [[4, 4, 16, 16], [6, 2, 3, 3], { padding: [1, 2], dilation: 2, groups: 2 }],
  [[40, 8, 32, 32], [16, 8, 3, 3], { padding: 1 }],
  [[2, 3, 9, 9], [2, 3, 2, 2], {}],
  [[5, 4, 12, 12], [8, 4, 1, 1], { stride: [2, 1] }],
  [[16, 4, 50], [8, 4, 5], { padding: 2 }],
  [[6, 8, 10, 10], [8, 4, 3, 3], { stride: 2, padding: 1 }, true],
];
if (wanted("conv")) {
  for (const [xs, ws, options, transposed] of CONVS) {
    const nx = xs.reduce((p, d) => p * d, 1);
    const nw = ws.reduce((p, d) => p * d, 1);
    const run = (gl) => {
      const xt = gl.tensor(Float32Array.from(x.subarray(0, nx), clampFinite)).reshape(xs).requiresGrad_(true);
      const wt = gl.tensor(Float32Array.from(y.subarray(0, nw), clampFinite)).reshape(ws).requiresGrad_(true);
      const bt = gl.tensor(g.subarray(0, transposed ? ws[1] : ws[0])).requiresGrad_(true);
      const f = transposed ? gl.F.convTranspose2d : xs.length === 3 ? gl.F.conv1d : gl.F.conv2d;
      const out = f(xt, wt, bt, options);
      out.backward(gl.tensor(g.subarray(0, out.numel())).reshape(out.shape));
      return [values(out.detach()), values(xt.grad), values(wt.grad), values(bt.grad)];
    };
    const ra = run(A);
    const rb = run(B);
    const label = `conv ${JSON.stringify(xs)}⋆${JSON.stringify(ws)} ${JSON.stringify(options)}${transposed ? " transposed" : ""}`;
    ["forward", "grad x", "grad w", "grad b"].forEach((what, i) => compareArrays(`${label} ${what}`, ra[i], rb[i]));
  }
}

console.log(failures ? `\n${failures} comparisons differ` : "\nall the same");
process.exit(failures ? 1 : 0);

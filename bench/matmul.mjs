// gemm kernel benchmark: prints figures, asserts nothing. Reads the TypeScript sources through tsx:
//   node --import tsx bench/matmul.mjs          (add --quick for shorter timings)
// Columns: the dispatching gemm (WebAssembly SIMD kernel where available) and, for comparison, the packed JS
// kernel that replaces it where WebAssembly is unavailable. float32, one thread.
import { gemm, gemmBackend } from "../src/engine/kernels/matmul.ts";
import { createJsKernel } from "../src/engine/kernels/matmul_js.ts";
import { packedGemm } from "../src/engine/kernels/matmul_packed.ts";

const quick = process.argv.includes("--quick");
const jsKernel = createJsKernel();
const jsGemm = (...args) => packedGemm(jsKernel, ...args);

/** Median time (ms) of one call of fn, each sample repeating it until it lasts at least `sampleMs`. */
function time(fn, sampleMs = quick ? 5 : 25, samples = quick ? 3 : 7) {
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    if (performance.now() - t0 >= sampleMs) break;
    reps *= 2;
  }
  const results = [];
  for (let s = 0; s < samples; s++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    results.push((performance.now() - t0) / reps);
  }
  results.sort((a, b) => a - b);
  return results[results.length >> 1];
}

function random(n) {
  return Float32Array.from({ length: n }, () => Math.random() * 2 - 1);
}

function label(m, n, k, transA, transB) {
  return `${transA ? `(${k}×${m})ᵀ` : `${m}×${k}`} · ${transB ? `(${n}×${k})ᵀ` : `${k}×${n}`}`;
}

function row(what, m, n, k, transA = false, transB = false, withJs = true) {
  const a = random(m * k);
  const b = random(k * n);
  const out = new Float32Array(m * n);
  const flops = 2 * m * n * k;
  const cells = [];
  for (const f of withJs ? [gemm, jsGemm] : [gemm]) {
    const ms = time(() => f(m, n, k, a, 0, transA, b, 0, transB, out, 0));
    const figure = ms < 0.01 ? `${(ms * 1e6).toFixed(0)} ns` : `${ms.toFixed(ms < 1 ? 3 : 2)} ms`;
    cells.push(`${figure.padStart(10)} ${(flops / ms / 1e6).toFixed(2).padStart(6)} GFLOP/s`);
  }
  console.log(`${what.padEnd(17)} ${label(m, n, k, transA, transB).padEnd(24)} ${cells.join("   ")}`);
}

console.log(`gemm — Node ${process.version}, float32, one thread, kernel: ${gemmBackend()}`);
console.log(`${"".padEnd(42)} ${"gemm".padEnd(28)}   JS kernel (fallback)`);
for (const n of [64, 256, 512, 1024]) row(`square ${n}`, n, n, n, false, false, n <= 512 || !quick);

// An MLP 784-256-10 step with batch 64. nn.Linear keeps W as out×in, so the forward products are x·Wᵀ.
row("MLP fwd x·W1ᵀ", 64, 256, 784, false, true);
row("MLP fwd h·W2ᵀ", 64, 10, 256, false, true);
row("MLP bwd g·W2", 64, 256, 10);
row("MLP bwd gᵀ·h", 10, 256, 64, true, false);
row("MLP bwd g1ᵀ·x", 256, 784, 64, true, false);
row("MLP bwd g1·W1", 64, 784, 256);
row("MLP, W as in×out", 64, 256, 784);
row("MLP, W as in×out", 64, 10, 256);

// Tiny products, as a scalar-heavy snippet makes them: these take the direct loops.
for (const [m, n, k] of [[1, 1, 1], [1, 1, 16], [1, 16, 1], [16, 1, 16], [3, 3, 3], [8, 8, 8]]) row("tiny", m, n, k, false, false, false);

import * as engine from "../src/engine";
import { TraceRecorder } from "../src/runner/recorder";
const N = Number(process.argv[2] ?? 100000);
const rec = new TraceRecorder({ file: "/x.ts", checkBudgetMs: 0, tolerance: { eps: 1e-6, atol: 1e-5, rtol: 1e-3 }, onProgress: () => undefined });
engine.setRecorder(rec);
const x = engine.tensor([0.5, 1.5, -0.3], { requiresGrad: true });
let y = x;
let t0 = performance.now();
for (let i = 0; i < N; i++) { rec.enterLine(5); y = y.mul(1.00001).add(0.00001); rec.bind(y, "y", 5, 3); }
console.log("forward recorded", (performance.now() - t0).toFixed(0));
const loss = y.mul(y).sum();
t0 = performance.now();
loss.backward();
console.log("backward recorded", (performance.now() - t0).toFixed(0));
engine.setRecorder(null);
t0 = performance.now();
const parts = rec.finish();
console.log("finish", (performance.now() - t0).toFixed(0), parts.nodes.length, parts.tensors.length);

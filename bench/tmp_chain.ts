import { tensor, autograd } from "../src/engine";
import { replayGraph, Deadline } from "../src/engine/autograd/replay";
const N = Number(process.argv[2] ?? 100000);
const x = tensor([0.5, 1.5, -0.3], { requiresGrad: true });
let y = x;
let t0 = performance.now();
for (let i = 0; i < N; i++) y = y.mul(1.00001).add(0.00001);
const loss = y.mul(y).sum();
console.log("forward", (performance.now() - t0).toFixed(0));
t0 = performance.now();
loss.backward();
console.log("backward", (performance.now() - t0).toFixed(0));
t0 = performance.now();
const g = replayGraph(loss, Deadline.never());
console.log("topo", (performance.now() - t0).toFixed(0), g.nodes.length);
for (let k = 0; k < 2; k++) {
t0 = performance.now(); g.runRecordedDtypes(); console.log("recorded", (performance.now() - t0).toFixed(0));
t0 = performance.now(); g.run(new Map()); console.log("float64", (performance.now() - t0).toFixed(0));
}
const h0 = process.memoryUsage().heapUsed;
t0 = performance.now(); const d = g.runDifferentiable(); console.log("diff fwd", (performance.now() - t0).toFixed(0), "heap/node", ((process.memoryUsage().heapUsed - h0) / g.nodes.length).toFixed(0));
t0 = performance.now(); autograd.grad(d.root, [...d.leaves.values()]); console.log("diff bwd", (performance.now() - t0).toFixed(0));
t0 = performance.now();
const [c] = autograd.checkGraph(loss, new Map([[x, x.grad!]]), { budgetMs: 4000 });
console.log("checkGraph", (performance.now() - t0).toFixed(0), c.passed, c.mode, c.skipped, c.precision, c.message);
t0 = performance.now();
const nc = autograd.checkNodes(loss, { budgetMs: 2000 });
console.log("checkNodes", (performance.now() - t0).toFixed(0), nc.length, nc.filter(n => n.passed).length);

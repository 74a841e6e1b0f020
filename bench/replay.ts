/**
 * What the gradient checks cost on a long graph: a chain of N scalar-vector ops (default 100,000) recorded, run
 * backward, replayed in the recorded dtypes and in float64, differentiated again, then checked as the runner checks
 * it (checkGraph, checkNodes). Prints milliseconds per phase. Run: npm run bench:replay [-- N]
 */
import { autograd, tensor } from "../src/engine";
import { Deadline, replayGraph } from "../src/engine/autograd/replay";

const N = Number(process.argv[2] ?? 100000);

function timed<T>(label: string, work: () => T, extra: (result: T) => string = () => ""): T {
  const start = performance.now();
  const result = work();
  console.log(`${label.padEnd(28)} ${(performance.now() - start).toFixed(0).padStart(7)} ms  ${extra(result)}`);
  return result;
}

console.log(`Replay and checks on a chain of ${N.toLocaleString("en-US")} × 2 ops — Node ${process.version}\n`);
const x = tensor([0.5, 1.5, -0.3], { requiresGrad: true });
const loss = timed("forward (recorded)", () => {
  let y = x;
  for (let i = 0; i < N; i++) y = y.mul(1.00001).add(0.00001);
  return y.mul(y).sum();
});
timed("backward", () => loss.backward());
const graph = timed("replay plan", () => replayGraph(loss, Deadline.never()), (g) => `${g.nodes.length} nodes`);
for (let k = 1; k <= 2; k++) {
  timed(`replay, recorded dtypes #${k}`, () => graph.runRecordedDtypes());
  timed(`replay, float64 #${k}`, () => graph.run(new Map()));
}
const heapBefore = process.memoryUsage().heapUsed;
const differentiable = timed("differentiable replay", () => graph.runDifferentiable(), () => `${((process.memoryUsage().heapUsed - heapBefore) / graph.nodes.length).toFixed(0)} B heap per node`);
timed("its backward", () => autograd.grad(differentiable.root, [...differentiable.leaves.values()]));
timed("checkGraph (budget 4 s)", () => autograd.checkGraph(loss, new Map([[x, x.grad!]]), { budgetMs: 4000 }), ([c]) => `passed ${c.passed}, ${c.mode}`);
timed("checkNodes (budget 2 s)", () => autograd.checkNodes(loss, { budgetMs: 2000 }), (c) => `${c.filter((n) => n.passed).length} of ${c.length} passed`);

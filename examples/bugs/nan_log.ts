// Bug: a probability of exactly 0 reaches log(), which gives -inf, and the loss becomes inf.
// Fix: const logp = p.clamp(1e-7).log();
import { tensor } from "gradlens";

const w = tensor([2, 0, 1], { requiresGrad: true });
const p = w.div(w.sum());
const logp = p.log();
const loss = logp.neg().mean();
loss.backward();
console.log(loss);

// Bug: .item() turns the weighted sum into a plain number; tensor(...) rebuilds it without a graph, so w gets no gradient.
// Fix: const total = w.mul(x).sum();
import { tensor } from "gradlens";

const w = tensor([0.5, -1, 2], { requiresGrad: true });
const b = tensor(0.1, { requiresGrad: true });
const x = tensor([1, 2, 3]);

const total = tensor(w.mul(x).sum().item());
const loss = total.add(b).sub(4).pow(2);
loss.backward();
console.log(w.grad, b.grad); // null, tensor(...)

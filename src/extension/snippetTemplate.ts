/** The snippet Gradlens: New Snippet opens: small, runnable, and showing every feature at once. */
export const NEW_SNIPPET = `import { tensor, F } from "gradlens";

// Gradlens runs this file live as you type (files ending .grad.ts): look at the end of each line,
// hover a tensor, and open the panel (Gradlens: Show Panel) for the graph and the numerical checks.

const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
const w = tensor([0.5, -1], { requiresGrad: true });
const target = tensor([1, 0]);

const h = x.matmul(w).tanh();
const loss = F.mseLoss(h, target);
loss.backward();

console.log(loss);
console.log(x.grad);
console.log(w.grad);
`;

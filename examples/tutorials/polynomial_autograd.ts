// "Learning PyTorch with Examples", "PyTorch: Tensors and autograd": the same cubic fit of sin(x), with the
// gradients from backward(). Seeded, it prints what PyTorch 1.13 prints, to the last digit.
import { linspace, manualSeed, noGrad, randn } from "gradlens";

manualSeed(0);
const x = linspace(-Math.PI, Math.PI, 2000);
const y = x.sin();

// Tensors for the weights, with requiresGrad so that backward() fills their .grad
const a = randn([], { requiresGrad: true });
const b = randn([], { requiresGrad: true });
const c = randn([], { requiresGrad: true });
const d = randn([], { requiresGrad: true });

const learningRate = 1e-6;
for (let t = 0; t < 2000; t++) {
  // Forward pass: compute predicted y using operations on Tensors.
  const yPred = a.add(b.mul(x)).add(c.mul(x.pow(2))).add(d.mul(x.pow(3)));

  // Compute and print loss using operations on Tensors.
  const loss = yPred.sub(y).pow(2).sum();
  if (t % 100 === 99) console.log(t, loss.item());

  // Autograd computes the gradient of loss with respect to a, b, c and d.
  loss.backward();

  // Update weights using gradient descent, outside the graph.
  noGrad(() => {
    a.sub_(a.grad!.mul(learningRate));
    b.sub_(b.grad!.mul(learningRate));
    c.sub_(c.grad!.mul(learningRate));
    d.sub_(d.grad!.mul(learningRate));
    a.grad = null;
    b.grad = null;
    c.grad = null;
    d.grad = null;
  });
}

console.log(`Result: y = ${a.item()} + ${b.item()} x + ${c.item()} x^2 + ${d.item()} x^3`);

// "Learning PyTorch with Examples" (pytorch.org/tutorials/beginner/pytorch_with_examples.html), "PyTorch: Tensors":
// fit y = sin(x) by a cubic a + bx + cx² + dx³, gradients written by hand. Seeded, it prints what PyTorch 1.13
// prints, to the last digit: Gradlens's float32 kernels round as PyTorch's CPU kernels do.
import { linspace, manualSeed, randn } from "gradlens";

manualSeed(0);
const x = linspace(-Math.PI, Math.PI, 2000);
const y = x.sin();

// Randomly initialize weights
const a = randn([]);
const b = randn([]);
const c = randn([]);
const d = randn([]);

const learningRate = 1e-6;
for (let t = 0; t < 2000; t++) {
  // Forward pass: compute predicted y
  const yPred = a.add(b.mul(x)).add(c.mul(x.pow(2))).add(d.mul(x.pow(3)));

  // Compute and print loss
  const loss = yPred.sub(y).pow(2).sum().item();
  if (t % 100 === 99) console.log(t, loss);

  // Backprop to compute gradients of a, b, c, d with respect to loss
  const gradYPred = yPred.sub(y).mul(2.0);
  const gradA = gradYPred.sum();
  const gradB = gradYPred.mul(x).sum();
  const gradC = gradYPred.mul(x.pow(2)).sum();
  const gradD = gradYPred.mul(x.pow(3)).sum();

  // Update weights using gradient descent
  a.sub_(gradA.mul(learningRate));
  b.sub_(gradB.mul(learningRate));
  c.sub_(gradC.mul(learningRate));
  d.sub_(gradD.mul(learningRate));
}

console.log(`Result: y = ${a.item()} + ${b.item()} x + ${c.item()} x^2 + ${d.item()} x^3`);

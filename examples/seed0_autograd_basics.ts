// Seed 000 (auto_grad): x → x+2, x−2, their product, its sum; the gradient; then gradient descent on MSE.
import { F, sprintf, tensor } from "gradlens";

const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });

const x1 = x.add(2);
const x2 = x.sub(2);
const x3 = x1.mul(x2);
const y = x3.sum();

console.log(x1);
console.log(x2);
console.log(x3);
console.log(y);

// 그래디언트(gradient)를 자동으로 구함
y.backward();

console.log(x.grad);
console.log(x3.detach_().numpy());

// Gradient Descent: x <- x - learning_rate * dL/dx
const target = tensor([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9]]);

// The notebook's torch.rand_like(target), within the rounding of the values it printed.
let z = tensor([[0.21402401, 0.176799, 0.014939], [0.010285, 0.5413, 0.309165], [0.833772, 0.48599499, 0.48570502]]);
z.requiresGrad = true;
console.log(z);

let loss = F.mseLoss(z, target);
console.log(loss);

const threshold = 1e-5;
const learningRate = 1.0;
let iterCnt = 0;

while (loss.item() > threshold) {
  iterCnt += 1;
  loss.backward();

  z = z.sub(z.grad!.mul(learningRate));
  z.detach_();
  z.requiresGrad_(true);

  loss = F.mseLoss(z, target);

  console.log(sprintf("%d-th Loss: %.4e", iterCnt, loss));
  console.log(z);
}

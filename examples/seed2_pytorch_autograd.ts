// Seed 002 (PyTorch AutoGrad): requiresGrad tracks operations, backward() fills .grad, detach() stops tracking.
import { tensor } from "gradlens";

const x = tensor([[1, 2], [3, 4]]).requiresGrad_(true); // 그레디언트가 필요하니? 얘로 미분할거니?
console.log(x);

const x1 = x.add(2);
const x2 = x.sub(2);
const x3 = x1.mul(x2);
const y = x3.sum();
console.log(x1);
console.log(x2);
console.log(x3);
console.log(y);

y.backward(); // y는 스칼라: dy/dx = 2x
console.log(x.grad);
console.log(x);
console.log(x3.grad); // null, with PyTorch's warning: x3 is not a leaf

try {
  x3.numpy();
} catch (e) {
  console.log(`${(e as Error).name}: ${(e as Error).message}`);
}
console.log(x3.detach_().numpy());

const w = tensor([[1, 1], [1, 1]]).requiresGrad_(true);
const w1 = w.pow(2);
const w2 = w1.mul(3);
const w3 = w2.pow(3);
const z = w3.sum();
console.log(w1);
console.log(w2);
console.log(w3);
console.log(z);
z.backward();
console.log(w.grad);

// Seed 004 (Master PyTorch Chapter 2: Autograd): grad_fn, mean, a gradient vector, no_grad, finite differences.
import { noGrad, ones, tensor, type Tensor } from "gradlens";

const x = ones([2, 2], { requiresGrad: true });
console.log(x);
const y = x.add(1);
console.log(y);
console.log(y.gradFn);
console.log(y.pow(2).mul(3));
const z = y.mul(3).mul(y);
const out = z.mean();
console.log(out);
out.backward();
console.log(x.grad);

// 변화도(Gradient): y = x + 2, z = y * y * 3, out = z.mean() → d out / dx = 4.5
const x2 = ones([2, 2], { requiresGrad: true });
const y2 = x2.add(2);
const out2 = y2.mul(y2).mul(3).mean();
console.log(out2);
out2.backward();
console.log(x2.grad);

// The notebook's randn(3), recovered from the y it printed (multiplying by 2 is exact).
const v = tensor([-553.8649, 1391.1156, 154.5795]).div(1024).requiresGrad_(true);
let w = v.mul(2);
let i = 1;
while (w.data.norm().item() < 1000) {
  w = w.mul(2);
  i += 1;
}
console.log(i);
console.log(w);
const gradients = tensor([0.1, 1.0, 0.0001]);
w.backward(gradients);
console.log(v.grad);

const p = ones([4, 4], { requiresGrad: true });
const q = p.pow(4).add(p.pow(3).mul(3)).add(p.pow(2).mul(8)).add(3).mean();
console.log(q);
q.backward();
console.log(p.grad);

// Forward differences in float32, as the notebook computes them.
const f = (t: Tensor) => t.add(1).pow(2).mul(3);
const h = 0.001;
const one = ones(1);
console.log(f(one.add(h)).sub(f(one)).div(h));

console.log(x.requiresGrad);
console.log(x.pow(2).requiresGrad);
noGrad(() => console.log(x.pow(2).requiresGrad));

const a = tensor([1, 2, 3], { dtype: "int64" });
const bb = tensor([4, 5, 6], { dtype: "int64" });
console.log(a.mul(bb));

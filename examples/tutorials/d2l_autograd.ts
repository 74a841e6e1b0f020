// d2l.ai, "Automatic Differentiation" (chapter 2.5), in Gradlens: each value the chapter's notebook displays is
// printed, and it is what PyTorch 1.13 prints (test/unit/tutorials.test.ts).
import { arange, dot, ones, randn, type Tensor } from "gradlens";

const x = arange(4.0);
console.log(x);

// Can also create x = arange(4.0, { requiresGrad: true })
console.log(x.requiresGrad_(true));
console.log(x.grad); // The gradient is null by default

let y = dot(x, x).mul(2);
console.log(y);

y.backward();
console.log(x.grad);

console.log(x.grad!.eq(x.mul(4)));

x.grad!.zero_(); // Reset the gradient
y = x.sum();
y.backward();
console.log(x.grad);

// 2.5.2 Backward for Non-Scalar Variables
x.grad!.zero_();
y = x.mul(x);
y.backward(ones(y.shape[0])); // Faster: y.sum().backward()
console.log(x.grad);

// 2.5.3 Detaching Computation
x.grad!.zero_();
y = x.mul(x);
const u = y.detach();
const z = u.mul(x);

z.sum().backward();
console.log(x.grad!.eq(u));

x.grad!.zero_();
y.sum().backward();
console.log(x.grad!.eq(x.mul(2)));

// 2.5.4 Gradients and Control Flow: a comparison of tensors is a tensor, and item() is its number.
function f(a: Tensor): Tensor {
  let b = a.mul(2);
  while (b.norm().item() < 1000) {
    b = b.mul(2);
  }
  let c: Tensor;
  if (b.sum().item() > 0) {
    c = b;
  } else {
    c = b.mul(100);
  }
  return c;
}

const a = randn([], { requiresGrad: true });
const d = f(a);
d.backward();

console.log(a.grad!.eq(d.div(a)));

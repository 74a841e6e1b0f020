// PyTorch's "Automatic Differentiation with torch.autograd", ported: the same steps, the same printed output.
import { F, eye, matmul, noGrad, ones, onesLike, randn, zeros } from "gradlens";

const x = ones(5); // input tensor
const y = zeros(3); // expected output
const w = randn([5, 3], { requiresGrad: true });
const b = randn([3], { requiresGrad: true });
let z = matmul(x, w).add(b);
const loss = F.binaryCrossEntropyWithLogits(z, y);

console.log(`Gradient function for z = ${z.gradFn}`);
console.log(`Gradient function for loss = ${loss.gradFn}`);

loss.backward();
console.log(w.grad);
console.log(b.grad);

z = matmul(x, w).add(b);
console.log(z.requiresGrad);

noGrad(() => {
  z = matmul(x, w).add(b);
});
console.log(z.requiresGrad);

z = matmul(x, w).add(b);
const zDet = z.detach();
console.log(zDet.requiresGrad);

const inp = eye(4, 5, { requiresGrad: true });
const out = inp.add(1).pow(2).t();
out.backward(onesLike(out), { retainGraph: true });
console.log(`First call\n${inp.grad}`);
out.backward(onesLike(out), { retainGraph: true });
console.log(`\nSecond call\n${inp.grad}`);
inp.grad!.zero_();
out.backward(onesLike(out), { retainGraph: true });
console.log(`\nCall after zeroing gradients\n${inp.grad}`);

// A gradient that turns into NaN: sqrt at 0 has an infinite slope, and 0 · ∞ is NaN.
import { tensor } from "gradlens";

const x = tensor([0, 1, 4], { requiresGrad: true });
const y = x.sqrt().mul(x.sub(x.detach())); // the second factor is 0 but still differentiable
const loss = y.sum();
loss.backward();
console.log(x.grad); // tensor([nan, 1., 2.]): the first element is 0 · ∞

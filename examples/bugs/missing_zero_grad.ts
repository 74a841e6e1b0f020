// Bug: no zeroGrad() in the loop, so each backward adds to the gradient the optimizer already stepped with.
// Fix: call optimizer.zeroGrad(); at the start of each iteration.
import { F, manualSeed, nn, optim, randn } from "gradlens";

manualSeed(0);
const model = new nn.Linear(3, 1);
const optimizer = new optim.SGD(model.parameters(), { lr: 0.01 });
const x = randn(16, 3);
const y = x.sum(1, true);

for (let step = 0; step < 20; step++) {
  const loss = F.mseLoss(model.call(x), y);
  loss.backward();
  optimizer.step();
}

// Bug: a learning rate of 0 (meant as 1e-2, say) makes every step change nothing.
// Fix: const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
import { F, manualSeed, nn, optim, randn } from "gradlens";

manualSeed(0);
const model = new nn.Linear(3, 1);
const optimizer = new optim.SGD(model.parameters(), { lr: 0 });
const x = randn(16, 3);
const y = x.sum(1, true);

for (let step = 0; step < 10; step++) {
  optimizer.zeroGrad();
  const loss = F.mseLoss(model.call(x), y);
  loss.backward();
  optimizer.step();
}

// Bug: a learning rate of 1.5 overshoots: each step lands further from the minimum and the loss grows geometrically.
// Fix: const optimizer = new optim.SGD(model.parameters(), { lr: 0.05 });
import { F, manualSeed, nn, optim, randn } from "gradlens";

manualSeed(0);
const model = new nn.Linear(3, 1);
const optimizer = new optim.SGD(model.parameters(), { lr: 1.5 });
const x = randn(32, 3);
const y = x.sum(1, true);

for (let step = 0; step < 30; step++) {
  optimizer.zeroGrad();
  const loss = F.mseLoss(model.call(x), y);
  loss.backward();
  optimizer.step();
}

// Bug: the optimizer was given the parameters of another model than the one that computes the loss.
// Fix: const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
import { F, manualSeed, nn, optim, randn } from "gradlens";

manualSeed(0);
const model = new nn.Linear(3, 1);
const teacher = new nn.Linear(3, 1);
const optimizer = new optim.SGD(teacher.parameters(), { lr: 0.1 });
const x = randn(16, 3);
const y = x.sum(1, true);

for (let step = 0; step < 10; step++) {
  optimizer.zeroGrad();
  model.zeroGrad();
  const loss = F.mseLoss(model.call(x), y);
  loss.backward();
  optimizer.step();
}

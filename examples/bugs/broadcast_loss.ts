// Bug: the model outputs [16, 1] but the target is [16]: mseLoss broadcasts them to [16, 16] and fits the mean.
// Fix: const y = x.sum(1, true);
import { F, manualSeed, nn, optim, randn } from "gradlens";

manualSeed(0);
const model = new nn.Linear(3, 1);
const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
const x = randn(16, 3);
const y = x.sum(1);

for (let step = 0; step < 10; step++) {
  optimizer.zeroGrad();
  const loss = F.mseLoss(model.call(x), y);
  loss.backward();
  optimizer.step();
}

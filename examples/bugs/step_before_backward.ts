// Bug: step() comes before backward(), so every step sees the gradients zeroGrad() just cleared: nothing learns.
// Fix: loss.backward(); then optimizer.step();
import { F, manualSeed, nn, optim, randn } from "gradlens";

manualSeed(0);
const model = new nn.Linear(3, 1);
const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
const x = randn(16, 3);
const y = x.sum(1, true);

for (let step = 0; step < 20; step++) {
  optimizer.zeroGrad();
  const loss = F.mseLoss(model.call(x), y);
  optimizer.step();
  loss.backward();
}

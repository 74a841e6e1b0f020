// Bug: the inputs are in the hundreds, so tanh sits at ±1 where its slope is 0 and the first layer stops learning.
// Fix: const x = raw.div(100);
import { F, manualSeed, nn, optim, randn } from "gradlens";

manualSeed(0);
const model = new nn.Sequential(new nn.Linear(4, 16), new nn.Tanh(), new nn.Linear(16, 1));
const optimizer = new optim.SGD(model.parameters(), { lr: 0.01 });
const raw = randn(32, 4).mul(100);
const x = raw;
const y = raw.sum(1, true).div(100).sin();

for (let step = 0; step < 10; step++) {
  optimizer.zeroGrad();
  const loss = F.mseLoss(model.call(x), y);
  loss.backward();
  optimizer.step();
}

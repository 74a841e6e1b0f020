// Bug: the hidden layer's biases start at -5, so every ReLU unit outputs 0 for every example and passes no gradient.
// Fix: leave the biases as nn.Linear initialises them (remove the fill_).
import { F, manualSeed, nn, noGrad, optim, randn } from "gradlens";

manualSeed(0);
const model = new nn.Sequential(new nn.Linear(4, 16), new nn.ReLU(), new nn.Linear(16, 1));
noGrad(() => (model.layers[0] as nn.Linear).bias!.fill_(-5));
const optimizer = new optim.SGD(model.parameters(), { lr: 0.05 });
const x = randn(32, 4);
const y = x.sum(1, true);

for (let step = 0; step < 10; step++) {
  optimizer.zeroGrad();
  const loss = F.mseLoss(model.call(x), y);
  loss.backward();
  optimizer.step();
}

// Bug: sign() has a zero gradient everywhere, so every gradient is 0 and the loss never moves.
// Fix: const prediction = model.call(x).tanh();
import { F, manualSeed, nn, optim, randn } from "gradlens";

manualSeed(0);
const model = new nn.Linear(3, 1);
const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
const x = randn(16, 3);
const y = x.sum(1, true).sign();

for (let step = 0; step < 10; step++) {
  optimizer.zeroGrad();
  const prediction = model.call(x).sign();
  const loss = F.mseLoss(prediction, y);
  loss.backward();
  optimizer.step();
}

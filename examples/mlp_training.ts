// A small MLP trained with nn and optim.SGD; the loss falls and every gradient is checked.
import { F, manualSeed, nn, optim, randn } from "gradlens";

manualSeed(0);
const model = new nn.Sequential(new nn.Linear(4, 8), new nn.Tanh(), new nn.Linear(8, 1));
const optimizer = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });

const inputs = randn(16, 4);
const targets = inputs.sum(1, true).sin();

for (let step = 1; step <= 30; step++) {
  optimizer.zeroGrad();
  const loss = F.mseLoss(model.forward(inputs), targets);
  loss.backward();
  optimizer.step();
  if (step % 10 === 0) console.log(`step ${step}: loss ${loss.item().toFixed(5)}`);
}
console.log(String(model));

// Bug: ten sigmoid layers in a row: each multiplies the gradient by at most 0.25, so the first layers barely learn.
// Fix: fewer sigmoid layers (for i < 2), or ReLU between them with an initialisation made for it.
import { F, manualSeed, nn, optim, randn } from "gradlens";

manualSeed(0);
const layers: nn.Module[] = [];
for (let i = 0; i < 10; i++) layers.push(new nn.Linear(16, 16), new nn.Sigmoid());
const model = new nn.Sequential(...layers, new nn.Linear(16, 1));
const optimizer = new optim.SGD(model.parameters(), { lr: 0.01 });
const x = randn(32, 16);
const y = randn(32, 1);

for (let step = 0; step < 5; step++) {
  optimizer.zeroGrad();
  const loss = F.mseLoss(model.call(x), y);
  loss.backward();
  optimizer.step();
}

// Bug: the weights start 6 times too large, so each layer multiplies the gradient and the first ones explode.
// Fix: leave the default initialisation (remove the loop that scales the weights).
import { F, manualSeed, nn, noGrad, randn } from "gradlens";

manualSeed(0);
const layers: nn.Module[] = [];
for (let i = 0; i < 8; i++) layers.push(new nn.Linear(32, 32));
const model = new nn.Sequential(...layers, new nn.Linear(32, 1));
for (const p of model.parameters()) noGrad(() => p.mul_(6));
const x = randn(16, 32);
const y = randn(16, 1);

const loss = F.mseLoss(model.call(x), y);
loss.backward();

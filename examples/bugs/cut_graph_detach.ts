// Bug: .detach() cuts the encoder off the loss, so its weights get no gradient and never learn.
// Fix: const features = encoder.call(x);
import { F, manualSeed, nn, randn } from "gradlens";

manualSeed(0);
const encoder = new nn.Linear(4, 8);
const head = new nn.Linear(8, 1);
const x = randn(16, 4);
const y = randn(16, 1);

const features = encoder.call(x).detach();
const loss = F.mseLoss(head.call(features), y);
loss.backward();
console.log(encoder.weight.grad); // null

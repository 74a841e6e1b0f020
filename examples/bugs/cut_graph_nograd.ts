// Bug: the encoder runs inside noGrad(), which records no graph, so its weights get no gradient.
// Fix: const features = encoder.call(x);
import { F, manualSeed, nn, noGrad, randn } from "gradlens";

manualSeed(0);
const encoder = new nn.Linear(4, 8);
const head = new nn.Linear(8, 1);
const x = randn(16, 4);
const y = randn(16, 1);

const features = noGrad(() => encoder.call(x));
const loss = F.mseLoss(head.call(features), y);
loss.backward();

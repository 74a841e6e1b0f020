// Bug: .data gives the hidden layer's values without their graph, so the first layer gets no gradient.
// Fix: const hidden = layer1.call(x).relu();
import { F, manualSeed, nn, randn } from "gradlens";

manualSeed(0);
const layer1 = new nn.Linear(3, 5);
const layer2 = new nn.Linear(5, 1);
const x = randn(8, 3);
const y = randn(8, 1);

const hidden = layer1.call(x).relu().data;
const loss = F.mseLoss(layer2.call(hidden), y);
loss.backward();

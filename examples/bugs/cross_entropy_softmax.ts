// Bug: crossEntropy applies logSoftmax itself; giving it softmax's probabilities applies softmax twice.
// Fix: const loss = F.crossEntropy(logits, labels);
import { F, manualSeed, nn, randint, randn } from "gradlens";

manualSeed(0);
const model = new nn.Linear(4, 3);
const x = randn(8, 4);
const labels = randint(0, 3, [8]);

const logits = model.call(x);
const loss = F.crossEntropy(F.softmax(logits, 1), labels);
loss.backward();

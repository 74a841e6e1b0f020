// Bug: softmax over dim 0 normalises across the examples of the batch instead of across the classes of each example.
// Fix: const probs = F.softmax(logits, 1);
import { F, manualSeed, nn, randn } from "gradlens";

manualSeed(0);
const model = new nn.Linear(4, 3);
const x = randn(8, 4);
const target = F.softmax(randn(8, 3), 1);

const logits = model.call(x);
const probs = F.softmax(logits, 0);
const loss = F.mseLoss(probs, target);
loss.backward();

// An MLP with BatchNorm1d and Dropout on the 8×8 digits: what train() and eval() change. In training, batch norm
// normalises by the batch's own mean and variance (and moves its running averages towards them) and dropout zeroes a
// random fifth of the hidden units, scaling the rest by 1/0.8; in evaluation, batch norm uses the running averages and
// dropout does nothing, so the same input gives one answer. Every number printed is PyTorch's for the same seeds
// (scripts/fixtures/examples/mlp_batchnorm_dropout.py is the PyTorch twin; test/unit/example_twins.test.ts compares).
import { F, Generator, manualSeed, nn, noGrad, optim, utils, type Tensor } from "gradlens";

manualSeed(0);
const [images, labels] = utils.data.datasets.loadDigits({ normalize: true }); // [300, 64] in [0, 1], labels 0-9
const [train, test] = utils.data.randomSplit(new utils.data.TensorDataset(images, labels), [240, 60], new Generator().manualSeed(1));
const loader = new utils.data.DataLoader(train, { batchSize: 32, shuffle: true, generator: new Generator().manualSeed(2) });
const [testX, testY] = utils.data.defaultCollate(Array.from({ length: test.length }, (_, i) => test.get(i))) as [Tensor, Tensor];

const model = new nn.Sequential(
  new nn.Linear(64, 64),
  new nn.BatchNorm1d(64),
  new nn.ReLU(),
  new nn.Dropout(0.2),
  new nn.Linear(64, 10),
);
const bn = model.get(1) as nn.BatchNorm1d;
console.log(model);

const optimizer = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });

/** Accuracy on the held-out digits, in evaluation mode (running statistics, no dropout). */
function testAccuracy(): number {
  model.eval();
  const accuracy = noGrad(() => model(testX).argmax(1).eq(testY).float().mean().item());
  model.train();
  return accuracy;
}

for (let epoch = 1; epoch <= 10; epoch++) {
  model.train();
  let total = 0;
  for (const [x, y] of loader) {
    const loss = F.crossEntropy(model(x), y);
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    total += loss.item();
  }
  console.log(`epoch ${epoch}: train loss ${(total / loader.length).toFixed(4)}, test accuracy ${(testAccuracy() * 100).toFixed(1)}%`);
}

// What batch norm learned to expect: its running averages after training (the first four features).
console.log("running mean", bn.runningMean!.index(":4"));
console.log("running var ", bn.runningVar!.index(":4"));
console.log("batches tracked", bn.numBatchesTracked!.item());

// The same five test digits in both modes: training mode normalises by these five alone and drops units at random,
// so two calls differ; evaluation mode is deterministic, and both modes mostly agree on the digit.
const five = testX.index(":5");
noGrad(() => {
  model.train();
  const a = model(five);
  const b = model(five);
  model.eval();
  const c = model(five);
  const d = model(five);
  console.log("train mode: two calls differ by", a.sub(b).abs().max().item().toFixed(4), "predicting", a.argmax(1));
  console.log("eval mode: two calls differ by", c.sub(d).abs().max().item().toFixed(4), "predicting", c.argmax(1));
  console.log("labels:", testY.index(":5"));
});

// d2l.ai, "Implementation of Softmax Regression from Scratch" (chapter 3.6), in Gradlens. Fashion-MNIST is not
// shipped, so the 8x8 digits stand in for it (64 pixels instead of 784); the rest is the chapter's code: its softmax,
// its cross-entropy picking y_hat[range(len(y_hat)), y], its accuracy, its training loop and minibatch SGD. Every
// number printed is PyTorch's for the same seeds (test/unit/d2l_tutorials.test.ts).
import { Generator, arange, exp, log, manualSeed, matmul, noGrad, normal, tensor, utils, zeros, type Tensor } from "gradlens";

manualSeed(0);
const [images, labels] = utils.data.datasets.loadDigits({ normalize: true });
const [trainSet, testSet] = utils.data.randomSplit(new utils.data.TensorDataset(images, labels), [240, 60], new Generator().manualSeed(0));
const batchSize = 32;
const trainIter = new utils.data.DataLoader(trainSet, { batchSize, shuffle: true, generator: new Generator().manualSeed(1) });
const testIter = new utils.data.DataLoader(testSet, { batchSize });

// 3.6.1 Initializing the model parameters
const numInputs = 64;
const numOutputs = 10;
const W = normal(0, 0.01, [numInputs, numOutputs], { requiresGrad: true });
const b = zeros(numOutputs, { requiresGrad: true });

// 3.6.2 Defining the softmax operation
let X = tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
console.log(X.sum(0, true), X.sum(1, true));

function softmax(X: Tensor): Tensor {
  const Xexp = exp(X);
  const partition = Xexp.sum(1, true);
  return Xexp.div(partition); // broadcasting
}

X = normal(0, 1, [2, 5]);
const Xprob = softmax(X);
console.log(Xprob, Xprob.sum(1));

// 3.6.3 Defining the model
function net(X: Tensor): Tensor {
  return softmax(matmul(X.reshape(-1, W.shape[0]), W).add(b));
}

// 3.6.4 Defining the loss function: y_hat[[0, 1], y] and y_hat[range(len(y_hat)), y]
const y = tensor([0, 2], { dtype: "int64" });
const yHat = tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]]);
console.log(yHat.index([[0, 1], y]));

function crossEntropy(yHat: Tensor, y: Tensor): Tensor {
  return log(yHat.index([arange(yHat.shape[0]), y])).neg();
}
console.log(crossEntropy(yHat, y));

// 3.6.5 Classification accuracy
function accuracy(yHat: Tensor, y: Tensor): number {
  if (yHat.ndim > 1 && yHat.shape[1] > 1) yHat = yHat.argmax(1);
  const cmp = yHat.type(y.dtype).eq(y);
  return cmp.type(y.dtype).sum().item();
}
console.log(accuracy(yHat, y) / y.shape[0]);

/** d2l's Accumulator: sums over n variables. */
class Accumulator {
  data: number[];
  constructor(n: number) {
    this.data = new Array<number>(n).fill(0);
  }
  add(...args: number[]): void {
    this.data = this.data.map((a, i) => a + args[i]);
  }
}

function evaluateAccuracy(net: (X: Tensor) => Tensor, dataIter: Iterable<Tensor[]>): number {
  const metric = new Accumulator(2); // correct predictions, predictions
  noGrad(() => {
    for (const [X, y] of dataIter) metric.add(accuracy(net(X), y), y.numel());
  });
  return metric.data[0] / metric.data[1];
}
console.log(evaluateAccuracy(net, testIter).toFixed(4));

// 3.6.6 Training
function sgd(params: Tensor[], lr: number, batchSize: number): void {
  noGrad(() => {
    for (const param of params) {
      param.sub_(param.grad!.mul(lr).div(batchSize));
      param.grad!.zero_();
    }
  });
}

function trainEpoch(net: (X: Tensor) => Tensor, trainIter: Iterable<Tensor[]>, loss: (a: Tensor, b: Tensor) => Tensor, updater: (n: number) => void): [number, number] {
  const metric = new Accumulator(3); // training loss sum, correct predictions, examples
  for (const [X, y] of trainIter) {
    const yHat = net(X);
    const l = loss(yHat, y);
    l.sum().backward();
    updater(X.shape[0]);
    metric.add(l.sum().item(), accuracy(yHat, y), y.numel());
  }
  return [metric.data[0] / metric.data[2], metric.data[1] / metric.data[2]];
}

const lr = 0.1;
const numEpochs = 10;
for (let epoch = 1; epoch <= numEpochs; epoch++) {
  const [trainLoss, trainAcc] = trainEpoch(net, trainIter, crossEntropy, (n) => sgd([W, b], lr, n));
  const testAcc = evaluateAccuracy(net, testIter);
  console.log(`epoch ${epoch}, loss ${trainLoss.toFixed(3)}, train acc ${trainAcc.toFixed(3)}, test acc ${testAcc.toFixed(3)}`);
}

// 3.6.7 Prediction
const [Xtest, ytest] = testIter[Symbol.iterator]().next().value as Tensor[];
const predicted = net(Xtest).argmax(1);
console.log("true: ", (ytest.index(":6").tolist() as number[]).join(" "));
console.log("pred: ", (predicted.index(":6").tolist() as number[]).join(" "));

// d2l.ai, "Implementation of Multilayer Perceptrons from Scratch" and "Concise Implementation of Multilayer
// Perceptrons" (chapters 4.2 and 4.3), in Gradlens. The 8x8 digits stand in for Fashion-MNIST (64 inputs instead of
// 784); the rest is the chapters' code. Every number printed is PyTorch's for
// the same seeds (test/unit/d2l_tutorials.test.ts).
import { Generator, manualSeed, nn, noGrad, optim, randn, tensor, utils, zeros, zerosLike, type Tensor } from "gradlens";

manualSeed(0);
const [images, labels] = utils.data.datasets.loadDigits({ normalize: true });
const [trainSet, testSet] = utils.data.randomSplit(new utils.data.TensorDataset(images, labels), [240, 60], new Generator().manualSeed(0));
const batchSize = 32;
const trainIter = new utils.data.DataLoader(trainSet, { batchSize, shuffle: true, generator: new Generator().manualSeed(1) });
const testIter = new utils.data.DataLoader(testSet, { batchSize });

function accuracy(yHat: Tensor, y: Tensor): number {
  if (yHat.ndim > 1 && yHat.shape[1] > 1) yHat = yHat.argmax(1);
  return yHat.type(y.dtype).eq(y).type(y.dtype).sum().item();
}

function evaluateAccuracy(net: (X: Tensor) => Tensor, dataIter: Iterable<Tensor[]>): number {
  let correct = 0;
  let total = 0;
  noGrad(() => {
    for (const [X, y] of dataIter) {
      correct += accuracy(net(X), y);
      total += y.numel();
    }
  });
  return correct / total;
}

/** d2l's train_ch3 with a torch.optim optimizer, printing what its Animator plots. */
function train(net: (X: Tensor) => Tensor, loss: (a: Tensor, b: Tensor) => Tensor, numEpochs: number, updater: optim.Optimizer): void {
  for (let epoch = 1; epoch <= numEpochs; epoch++) {
    let lossSum = 0;
    let correct = 0;
    let count = 0;
    for (const [X, y] of trainIter) {
      const yHat = net(X);
      const l = loss(yHat, y);
      updater.zeroGrad();
      l.mean().backward();
      updater.step();
      lossSum += l.sum().item();
      correct += accuracy(yHat, y);
      count += y.numel();
    }
    const testAcc = evaluateAccuracy(net, testIter);
    console.log(`epoch ${epoch}, loss ${(lossSum / count).toFixed(3)}, train acc ${(correct / count).toFixed(3)}, test acc ${testAcc.toFixed(3)}`);
  }
}

// 4.2 From scratch: parameters, ReLU as max(X, 0), the model, the loss, training.
const numInputs = 64;
const numOutputs = 10;
const numHiddens = 256;
const W1 = new nn.Parameter(randn([numInputs, numHiddens], { requiresGrad: true }).mul(0.01));
const b1 = new nn.Parameter(zeros(numHiddens, { requiresGrad: true }));
const W2 = new nn.Parameter(randn([numHiddens, numOutputs], { requiresGrad: true }).mul(0.01));
const b2 = new nn.Parameter(zeros(numOutputs, { requiresGrad: true }));
const params = [W1, b1, W2, b2];

function relu(X: Tensor): Tensor {
  const a = zerosLike(X);
  return X.maximum(a); // torch.max(X, a)
}

function net(X: Tensor): Tensor {
  X = X.reshape(-1, numInputs);
  const H = relu(X.matmul(W1).add(b1));
  return H.matmul(W2).add(b2);
}

const loss = new nn.CrossEntropyLoss({ reduction: "none" });
console.log(relu(tensor([-1.5, 0.0, 2.0])));
train(net, (a, b) => loss(a, b), 10, new optim.SGD(params, { lr: 0.1 }));

// 4.3 Concisely: nn.Sequential, weights drawn by init.normal_(std=0.01).
const model = new nn.Sequential(new nn.Flatten(), new nn.Linear(64, 256), new nn.ReLU(), new nn.Linear(256, 10));
model.apply((m) => {
  if (m instanceof nn.Linear) nn.init.normal_(m.weight, 0, 0.01);
});
console.log(String(model));
train((X) => model(X), (a, b) => loss(a, b), 10, new optim.SGD(model.parameters(), { lr: 0.1 }));

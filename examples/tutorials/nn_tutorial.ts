// PyTorch, "What is torch.nn really?" (Jeremy Howard), in Gradlens: logistic regression from scratch, then refactored
// with F.crossEntropy, nn.Module, nn.Linear, optim, TensorDataset, DataLoader, validation, fit()/getData(), and the
// CNN with nn.Sequential, Lambda and nn.AdaptiveAvgPool2d. It prints what PyTorch 1.13 prints for the Python original
// (scripts/fixtures/tutorials/nn_tutorial.py). Changed from the tutorial, on both sides alike:
// - MNIST cannot be downloaded (no internet): a synthetic stand-in is drawn from the seed, 256 training and 128
//   validation "images" of 784 pixels, partly black as MNIST's are (a uniform draw, zeroed below a threshold
//   drawn for each image), each labelled by which of its first 10 pixels is brightest;
// - 2 epochs throughout, so that the port runs in seconds;
// - the `set_trace()` stops, the notebook-only lines and the GPU section are left out; what a cell displays is printed.
// A slice of a TensorDataset, `train_ds[a:b]`, is `trainDs.get("a:b")`. The CNNs' validation losses agree with
// PyTorch's to float32 rounding, not always to the last digit: PyTorch's float32 conv2d rounds a few percent of its
// outputs one step away from Gradlens' (test/unit/tutorials.test.ts, FLOAT32_ROUNDING_LINES).
import { F, argmax, arange, manualSeed, nn, noGrad, optim, rand, randn, utils, zeros, type Tensor } from "gradlens";

const { DataLoader, TensorDataset } = utils.data;

// MNIST data setup (a synthetic stand-in)
manualSeed(0);
let xTrain = rand([256, 784]);
xTrain = xTrain.mul(xTrain.gt(rand([256, 1]).mul(0.3).add(0.7)));
const yTrain = xTrain.index(":, :10").argmax(1);
let xValid = rand([128, 784]);
xValid = xValid.mul(xValid.gt(rand([128, 1]).mul(0.3).add(0.7)));
const yValid = xValid.index(":, :10").argmax(1);
const [n] = xTrain.shape;
console.log(xTrain, yTrain);
console.log(`torch.Size([${xTrain.shape.join(", ")}])`);
console.log(yTrain.min(), yTrain.max());

// Neural net from scratch (without torch.nn)
const weights = randn([784, 10]).div(Math.sqrt(784));
weights.requiresGrad_();
const bias = zeros(10, { requiresGrad: true });

function logSoftmax(x: Tensor): Tensor {
  return x.sub(x.exp().sum(-1).log().unsqueeze(-1));
}

let model: (xb: Tensor) => Tensor = (xb) => logSoftmax(xb.matmul(weights).add(bias));

const bs = 64; // batch size

let xb = xTrain.index("0:64"); // a mini-batch from x
const preds = model(xb); // predictions
console.log(preds.index(0), `torch.Size([${preds.shape.join(", ")}])`);

function nll(input: Tensor, target: Tensor): Tensor {
  return input.index([arange(target.shape[0]), target]).mean().neg();
}

let lossFunc: (input: Tensor, target: Tensor) => Tensor = nll;

let yb = yTrain.index("0:64");
console.log(lossFunc(preds, yb));

function accuracy(out: Tensor, yb: Tensor): Tensor {
  const preds = argmax(out, 1);
  return preds.eq(yb).float().mean();
}

console.log(accuracy(preds, yb));

let lr = 0.5; // learning rate
const epochs = 2; // how many epochs to train for

for (let epoch = 0; epoch < epochs; epoch++) {
  for (let i = 0; i < Math.floor((n - 1) / bs) + 1; i++) {
    const startI = i * bs;
    const endI = startI + bs;
    xb = xTrain.index(`${startI}:${endI}`);
    yb = yTrain.index(`${startI}:${endI}`);
    const pred = model(xb);
    const loss = lossFunc(pred, yb);

    loss.backward();
    noGrad(() => {
      weights.sub_(weights.grad!.mul(lr));
      bias.sub_(bias.grad!.mul(lr));
      weights.grad!.zero_();
      bias.grad!.zero_();
    });
  }
}

console.log(lossFunc(model(xb), yb), accuracy(model(xb), yb));

// Using torch.nn.functional
lossFunc = (input, target) => F.crossEntropy(input, target);

model = (xb) => xb.matmul(weights).add(bias);

console.log(lossFunc(model(xb), yb), accuracy(model(xb), yb));

// Refactor using nn.Module
class MnistLogistic extends nn.Module {
  weights = new nn.Parameter(randn([784, 10]).div(Math.sqrt(784)));
  bias = new nn.Parameter(zeros(10));

  forward(xb: Tensor): Tensor {
    return xb.matmul(this.weights).add(this.bias);
  }
}

let net: nn.Module & ((xb: Tensor) => Tensor) = new MnistLogistic();
console.log(lossFunc(net(xb), yb));

function fitFromScratch(): void {
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = 0; i < Math.floor((n - 1) / bs) + 1; i++) {
      const startI = i * bs;
      const endI = startI + bs;
      const xb = xTrain.index(`${startI}:${endI}`);
      const yb = yTrain.index(`${startI}:${endI}`);
      const pred = net(xb);
      const loss = lossFunc(pred, yb);

      loss.backward();
      noGrad(() => {
        for (const p of net.parameters()) p.sub_(p.grad!.mul(lr));
        net.zeroGrad();
      });
    }
  }
}

fitFromScratch();
console.log(lossFunc(net(xb), yb));

// Refactor using nn.Linear
class MnistLinear extends nn.Module {
  lin = new nn.Linear(784, 10);

  forward(xb: Tensor): Tensor {
    return this.lin(xb);
  }
}

net = new MnistLinear();
console.log(lossFunc(net(xb), yb));
fitFromScratch();
console.log(lossFunc(net(xb), yb));

// Refactor using torch.optim
function getModel(): [MnistLinear, optim.SGD] {
  const model = new MnistLinear();
  return [model, new optim.SGD(model.parameters(), { lr })];
}

let [linear, opt] = getModel();
console.log(lossFunc(linear(xb), yb));

for (let epoch = 0; epoch < epochs; epoch++) {
  for (let i = 0; i < Math.floor((n - 1) / bs) + 1; i++) {
    const startI = i * bs;
    const endI = startI + bs;
    xb = xTrain.index(`${startI}:${endI}`);
    yb = yTrain.index(`${startI}:${endI}`);
    const pred = linear(xb);
    const loss = lossFunc(pred, yb);

    loss.backward();
    opt.step();
    opt.zeroGrad();
  }
}

console.log(lossFunc(linear(xb), yb));

// Refactor using Dataset
let trainDs = new TensorDataset(xTrain, yTrain);

[linear, opt] = getModel();

for (let epoch = 0; epoch < epochs; epoch++) {
  for (let i = 0; i < Math.floor((n - 1) / bs) + 1; i++) {
    [xb, yb] = trainDs.get(`${i * bs}:${i * bs + bs}`);
    const pred = linear(xb);
    const loss = lossFunc(pred, yb);

    loss.backward();
    opt.step();
    opt.zeroGrad();
  }
}

console.log(lossFunc(linear(xb), yb));

// Refactor using DataLoader
trainDs = new TensorDataset(xTrain, yTrain);
let trainDl: Iterable<Tensor[]> & { length: number } = new DataLoader(trainDs, { batchSize: bs });

[linear, opt] = getModel();

for (let epoch = 0; epoch < epochs; epoch++) {
  for ([xb, yb] of trainDl) {
    const pred = linear(xb);
    const loss = lossFunc(pred, yb);

    loss.backward();
    opt.step();
    opt.zeroGrad();
  }
}

console.log(lossFunc(linear(xb), yb));

// Add validation
trainDs = new TensorDataset(xTrain, yTrain);
trainDl = new DataLoader(trainDs, { batchSize: bs, shuffle: true });

const validDs = new TensorDataset(xValid, yValid);
let validDl: Iterable<Tensor[]> & { length: number } = new DataLoader(validDs, { batchSize: bs * 2 });

[linear, opt] = getModel();

for (let epoch = 0; epoch < epochs; epoch++) {
  linear.train();
  for (const [xb, yb] of trainDl) {
    const pred = linear(xb);
    const loss = lossFunc(pred, yb);

    loss.backward();
    opt.step();
    opt.zeroGrad();
  }

  linear.eval();
  const validLoss = noGrad(() => [...validDl].map(([xb, yb]) => lossFunc(linear(xb), yb)).reduce((s: Tensor | number, l) => l.add(s), 0));

  console.log(epoch, (validLoss as Tensor).div(validDl.length));
}

// Create fit() and get_data()
function lossBatch(model: (xb: Tensor) => Tensor, lossFunc: (input: Tensor, target: Tensor) => Tensor, xb: Tensor, yb: Tensor, opt: optim.SGD | null = null): [number, number] {
  const loss = lossFunc(model(xb), yb);

  if (opt !== null) {
    loss.backward();
    opt.step();
    opt.zeroGrad();
  }

  return [loss.item(), xb.shape[0]];
}

function fit(
  epochs: number,
  model: nn.Module & ((xb: Tensor) => Tensor),
  lossFunc: (input: Tensor, target: Tensor) => Tensor,
  opt: optim.SGD,
  trainDl: Iterable<Tensor[]>,
  validDl: Iterable<Tensor[]>,
): void {
  for (let epoch = 0; epoch < epochs; epoch++) {
    model.train();
    for (const [xb, yb] of trainDl) lossBatch(model, lossFunc, xb, yb, opt);

    model.eval();
    const batches = noGrad(() => [...validDl].map(([xb, yb]) => lossBatch(model, lossFunc, xb, yb)));
    const valLoss = batches.reduce((s, [loss, num]) => s + loss * num, 0) / batches.reduce((s, [, num]) => s + num, 0);

    console.log(epoch, valLoss);
  }
}

function getData(trainDs: utils.data.TensorDataset, validDs: utils.data.TensorDataset, bs: number): [utils.data.DataLoader<Tensor[]>, utils.data.DataLoader<Tensor[]>] {
  return [new DataLoader(trainDs, { batchSize: bs, shuffle: true }), new DataLoader(validDs, { batchSize: bs * 2 })];
}

[trainDl, validDl] = getData(trainDs, validDs, bs);
[linear, opt] = getModel();
fit(epochs, linear, lossFunc, opt, trainDl, validDl);

// Switch to CNN
class MnistCNN extends nn.Module {
  conv1 = new nn.Conv2d(1, 16, 3, { stride: 2, padding: 1 });
  conv2 = new nn.Conv2d(16, 16, 3, { stride: 2, padding: 1 });
  conv3 = new nn.Conv2d(16, 10, 3, { stride: 2, padding: 1 });

  forward(xb: Tensor): Tensor {
    xb = xb.view(-1, 1, 28, 28);
    xb = F.relu(this.conv1(xb));
    xb = F.relu(this.conv2(xb));
    xb = F.relu(this.conv3(xb));
    xb = F.avgPool2d(xb, 4);
    return xb.view(-1, xb.size(1));
  }
}

lr = 0.1;

net = new MnistCNN();
opt = new optim.SGD(net.parameters(), { lr, momentum: 0.9 });

fit(epochs, net, lossFunc, opt, trainDl, validDl);

// Using nn.Sequential
class Lambda extends nn.Module {
  constructor(readonly func: (x: Tensor) => Tensor) {
    super();
  }

  forward(x: Tensor): Tensor {
    return this.func(x);
  }
}

function preprocess(x: Tensor): Tensor {
  return x.view(-1, 1, 28, 28);
}

net = new nn.Sequential(
  new Lambda(preprocess),
  new nn.Conv2d(1, 16, 3, { stride: 2, padding: 1 }),
  new nn.ReLU(),
  new nn.Conv2d(16, 16, 3, { stride: 2, padding: 1 }),
  new nn.ReLU(),
  new nn.Conv2d(16, 10, 3, { stride: 2, padding: 1 }),
  new nn.ReLU(),
  new nn.AvgPool2d(4),
  new Lambda((x) => x.view(x.size(0), -1)),
);

opt = new optim.SGD(net.parameters(), { lr, momentum: 0.9 });

fit(epochs, net, lossFunc, opt, trainDl, validDl);

// Wrapping DataLoader
function preprocessBatch(x: Tensor, y: Tensor): Tensor[] {
  return [x.view(-1, 1, 28, 28), y];
}

class WrappedDataLoader {
  constructor(
    readonly dl: Iterable<Tensor[]> & { length: number },
    readonly func: (x: Tensor, y: Tensor) => Tensor[],
  ) {}

  get length(): number {
    return this.dl.length;
  }

  *[Symbol.iterator](): Iterator<Tensor[]> {
    for (const [x, y] of this.dl) yield this.func(x, y);
  }
}

[trainDl, validDl] = getData(trainDs, validDs, bs);
trainDl = new WrappedDataLoader(trainDl, preprocessBatch);
validDl = new WrappedDataLoader(validDl, preprocessBatch);

net = new nn.Sequential(
  new nn.Conv2d(1, 16, 3, { stride: 2, padding: 1 }),
  new nn.ReLU(),
  new nn.Conv2d(16, 16, 3, { stride: 2, padding: 1 }),
  new nn.ReLU(),
  new nn.Conv2d(16, 10, 3, { stride: 2, padding: 1 }),
  new nn.ReLU(),
  new nn.AdaptiveAvgPool2d(1),
  new Lambda((x) => x.view(x.size(0), -1)),
);

opt = new optim.SGD(net.parameters(), { lr, momentum: 0.9 });

fit(epochs, net, lossFunc, opt, trainDl, validDl);

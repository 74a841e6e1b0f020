// d2l.ai, "Concise Implementation of Linear Regression" (chapter 3.3), in Gradlens: TensorDataset, DataLoader,
// nn.Linear, nn.MSELoss and optim.SGD. Everything printed is what PyTorch 1.13 prints for the chapter's code.
import { matmul, nn, normal, optim, sub, tensor, utils, type Tensor } from "gradlens";

/** Generate y = Xw + b + noise. */
function syntheticData(w: Tensor, b: number, numExamples: number): [Tensor, Tensor] {
  const X = normal(0, 1, [numExamples, w.shape[0]]);
  const y = matmul(X, w).add(b);
  y.add_(normal(0, 0.01, y.shape));
  return [X, y.reshape(-1, 1)];
}

const trueW = tensor([2, -3.4]);
const trueB = 4.2;
const [features, labels] = syntheticData(trueW, trueB, 1000);

/** Construct a data iterator. */
function loadArray(dataArrays: Tensor[], batchSize: number, isTrain = true): utils.data.DataLoader<Tensor[]> {
  const dataset = new utils.data.TensorDataset(...dataArrays);
  return new utils.data.DataLoader(dataset, { batchSize, shuffle: isTrain });
}

const batchSize = 10;
const dataIter = loadArray([features, labels], batchSize);

console.log(dataIter[Symbol.iterator]().next().value);

const net = new nn.Sequential(new nn.Linear(2, 1));

const linear = net.get(0) as nn.Linear;
linear.weight.data.normal_(0, 0.01);
linear.bias!.data.fill_(0);

const loss = new nn.MSELoss();

const trainer = new optim.SGD(net.parameters(), { lr: 0.03 });

const numEpochs = 3;
for (let epoch = 0; epoch < numEpochs; epoch++) {
  for (const [X, y] of dataIter) {
    const l = loss(net(X), y);
    trainer.zeroGrad();
    l.backward();
    trainer.step();
  }
  const l = loss(net(features), labels);
  console.log(`epoch ${epoch + 1}, loss ${l.item().toFixed(6)}`);
}

const w = linear.weight.data;
console.log("error in estimating w:", trueW.sub(w.reshape(trueW.shape)));
const b = linear.bias!.data;
console.log("error in estimating b:", sub(trueB, b));

// d2l.ai, "Linear Regression Implementation from Scratch" (chapter 3.2), in Gradlens. data_iter shuffles with
// randperm here, as in the Python original the test runs (the chapter's random.shuffle draws from Python's own
// generator, which a port cannot reproduce); everything printed is what PyTorch 1.13 prints.
import { matmul, noGrad, normal, randperm, sub, tensor, zeros, type Tensor } from "gradlens";

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

console.log("features:", features.index([0]), "\nlabel:", labels.index([0]));

function* dataIter(batchSize: number, features: Tensor, labels: Tensor): Generator<[Tensor, Tensor]> {
  const numExamples = features.shape[0];
  // The examples are read at random, in no particular order
  const indices = randperm(numExamples);
  for (let i = 0; i < numExamples; i += batchSize) {
    const batchIndices = indices.index(`${i}:${Math.min(i + batchSize, numExamples)}`);
    yield [features.index([batchIndices]), labels.index([batchIndices])];
  }
}

const batchSize = 10;

for (const [X, y] of dataIter(batchSize, features, labels)) {
  console.log(X, "\n", y);
  break;
}

const w = normal(0, 0.01, [2, 1], { requiresGrad: true });
const b = zeros(1, { requiresGrad: true });

/** The linear regression model. */
function linreg(X: Tensor, w: Tensor, b: Tensor): Tensor {
  return matmul(X, w).add(b);
}

/** Squared loss. */
function squaredLoss(yHat: Tensor, y: Tensor): Tensor {
  return yHat.sub(y.reshape(yHat.shape)).pow(2).div(2);
}

/** Minibatch stochastic gradient descent. */
function sgd(params: Tensor[], lr: number, batchSize: number): void {
  noGrad(() => {
    for (const param of params) {
      param.sub_(param.grad!.mul(lr).div(batchSize));
      param.grad!.zero_();
    }
  });
}

const lr = 0.03;
const numEpochs = 3;
const net = linreg;
const loss = squaredLoss;

for (let epoch = 0; epoch < numEpochs; epoch++) {
  for (const [X, y] of dataIter(batchSize, features, labels)) {
    const l = loss(net(X, w, b), y); // Minibatch loss in `X` and `y`
    // Compute gradient on `l` with respect to [`w`, `b`]
    l.sum().backward();
    sgd([w, b], lr, batchSize); // Update parameters using their gradient
  }
  noGrad(() => {
    const trainL = loss(net(features, w, b), labels);
    console.log(`epoch ${epoch + 1}, loss ${trainL.mean().item().toFixed(6)}`);
  });
}

console.log(`error in estimating w: ${trueW.sub(w.reshape(trueW.shape))}`);
console.log(`error in estimating b: ${sub(trueB, b)}`);

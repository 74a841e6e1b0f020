// cs231n (Stanford), assignment 2, "Batch Normalization", in Gradlens: the layer's forward pass and its backward pass
// written by hand (float64, as the assignment's numpy computes), checked against autograd: F.batchNorm's own backward,
// and autograd through the hand-written forward. It prints what the same program prints under PyTorch 1.13, every
// relative error to the last digit (test/unit/tutorials.test.ts).
import { F, manualSeed, ones, randn, tensor, zeros, type Tensor } from "gradlens";

/** returns relative error */
function relError(x: Tensor, y: Tensor): number {
  return x.sub(y).abs().div(x.abs().add(y.abs()).clamp(1e-8)).max().item();
}

function printMeanStd(x: Tensor, dim = 0): void {
  console.log(`  means: ${x.mean(dim)}`);
  console.log(`  stds:  ${x.std(dim)}\n`);
}

interface BNParam {
  mode: "train" | "test";
  eps?: number;
  momentum?: number;
  runningMean?: Tensor;
  runningVar?: Tensor;
}

type BNCache = [x: Tensor, xHat: Tensor, mean: Tensor, variance: Tensor, gamma: Tensor, eps: number];

/**
 * Forward pass for batch normalization: during training the sample mean and (uncorrected) sample variance are
 * computed from minibatch statistics and used to normalize the incoming data, and an exponentially decaying
 * running mean and variance are kept for test time.
 */
function batchnormForward(x: Tensor, gamma: Tensor, beta: Tensor, bnParam: BNParam): [Tensor, BNCache | null] {
  const mode = bnParam.mode;
  const eps = bnParam.eps ?? 1e-5;
  const momentum = bnParam.momentum ?? 0.9;

  const D = x.shape[1];
  let runningMean = bnParam.runningMean ?? zeros(D, { dtype: x.dtype });
  let runningVar = bnParam.runningVar ?? zeros(D, { dtype: x.dtype });

  let out: Tensor;
  let cache: BNCache | null = null;
  if (mode === "train") {
    const sampleMean = x.mean(0);
    const sampleVar = x.var(0, { unbiased: false });
    const xHat = x.sub(sampleMean).div(sampleVar.add(eps).sqrt());
    out = gamma.mul(xHat).add(beta);
    cache = [x, xHat, sampleMean, sampleVar, gamma, eps];
    runningMean = runningMean.mul(momentum).add(sampleMean.mul(1 - momentum));
    runningVar = runningVar.mul(momentum).add(sampleVar.mul(1 - momentum));
  } else {
    out = gamma.mul(x.sub(runningMean)).div(runningVar.add(eps).sqrt()).add(beta);
  }

  // Store the updated running means back into bnParam
  bnParam.runningMean = runningMean;
  bnParam.runningVar = runningVar;

  return [out, cache];
}

/** Backward pass for batch normalization, through the computation graph of the forward pass step by step. */
function batchnormBackward(dout: Tensor, cache: BNCache): [Tensor, Tensor, Tensor] {
  const [x, xHat, mean, variance, gamma, eps] = cache;
  const N = x.shape[0];
  const dbeta = dout.sum(0);
  const dgamma = dout.mul(xHat).sum(0);
  const dxHat = dout.mul(gamma);
  const stdInv = variance.add(eps).sqrt().reciprocal();
  const dvar = dxHat.mul(x.sub(mean)).mul(-0.5).mul(stdInv.pow(3)).sum(0);
  const dmean = dxHat.neg().mul(stdInv).sum(0).add(dvar.mul(x.sub(mean).mul(-2).mean(0)));
  const dx = dxHat.mul(stdInv).add(dvar.mul(2).mul(x.sub(mean)).div(N)).add(dmean.div(N));
  return [dx, dgamma, dbeta];
}

/** Alternative backward pass: the gradient with respect to the inputs simplified on paper into a single statement. */
function batchnormBackwardAlt(dout: Tensor, cache: BNCache): [Tensor, Tensor, Tensor] {
  const [x, xHat, , variance, gamma, eps] = cache;
  const N = x.shape[0];
  const dbeta = dout.sum(0);
  const dgamma = dout.mul(xHat).sum(0);
  const stdInv = variance.add(eps).sqrt().reciprocal();
  const dx = gamma.mul(stdInv).div(N).mul(dout.mul(N).sub(dbeta).sub(xHat.mul(dgamma)));
  return [dx, dgamma, dbeta];
}

const f64 = { dtype: "float64" } as const;

// Check the training-time forward pass by checking means and variances of features both before and after batch
// normalization.
manualSeed(231);
let N = 200;
let D = 3;
let a = randn([N, D], f64).mul(tensor([2.0, 7.0, 0.5], f64)).add(tensor([11.0, -3.0, 0.2], f64));

console.log("Before batch normalization:");
printMeanStd(a, 0);

let gamma = ones(D, f64);
let beta = zeros(D, f64);
// Means should be close to zero and stds close to one.
console.log("After batch normalization (gamma=1, beta=0)");
let [aNorm] = batchnormForward(a, gamma, beta, { mode: "train" });
printMeanStd(aNorm, 0);

gamma = tensor([1.0, 2.0, 3.0], f64);
beta = tensor([11.0, 12.0, 13.0], f64);
// Now means should be close to beta and stds close to gamma.
console.log("After batch normalization (gamma=", gamma, ", beta=", beta, ")");
[aNorm] = batchnormForward(a, gamma, beta, { mode: "train" });
printMeanStd(aNorm, 0);

// The same layer in Gradlens, F.batchNorm in training mode.
console.log("forward vs F.batch_norm: ", relError(aNorm, F.batchNorm(a, null, null, { weight: gamma, bias: beta, training: true, eps: 1e-5 })));

// Check the test-time forward pass by running the training-time forward pass many times to warm up the running
// averages, and then checking the means and variances of activations after a test-time forward pass.
manualSeed(231);
N = 200;
D = 3;
const bnParam: BNParam = { mode: "train" };
gamma = ones(D, f64);
beta = zeros(D, f64);
const runningMean = zeros(D, f64);
const runningVar = zeros(D, f64);
const scale = tensor([2.0, 7.0, 0.5], f64);
const shift = tensor([11.0, -3.0, 0.2], f64);

for (let t = 0; t < 50; t++) {
  a = randn([N, D], f64).mul(scale).add(shift);
  batchnormForward(a, gamma, beta, bnParam);
  // Gradlens's running averages, as PyTorch's: momentum 0.1 is cs231n's 0.9, and it keeps the unbiased variance
  F.batchNorm(a, runningMean, runningVar, { weight: gamma, bias: beta, training: true, momentum: 0.1, eps: 1e-5 });
}

bnParam.mode = "test";
a = randn([N, D], f64).mul(scale).add(shift);
[aNorm] = batchnormForward(a, gamma, beta, bnParam);

// Means should be close to zero and stds close to one, but will be noisier than training-time forward passes.
console.log("After batch normalization (test-time):");
printMeanStd(aNorm, 0);
console.log("running mean vs PyTorch's: ", relError(bnParam.runningMean!, runningMean));
console.log("running var vs PyTorch's (unbiased): ", relError(bnParam.runningVar!, runningVar));

// Gradient check batchnorm backward pass, against autograd.
manualSeed(231);
N = 4;
D = 5;
const x = randn([N, D], f64).mul(5).add(12);
gamma = randn(D, f64);
beta = randn(D, f64);
const dout = randn([N, D], f64);

const [, cache] = batchnormForward(x, gamma, beta, { mode: "train" });
const [dx, dgamma, dbeta] = batchnormBackward(dout, cache!);

// autograd through the library's batch norm
const [xa, ga, ba] = [x, gamma, beta].map((t) => t.clone().requiresGrad_(true));
F.batchNorm(xa, null, null, { weight: ga, bias: ba, training: true, eps: 1e-5 }).backward(dout);
// You should expect to see relative errors between 1e-13 and 1e-8
console.log("dx error: ", relError(xa.grad!, dx));
console.log("dgamma error: ", relError(ga.grad!, dgamma));
console.log("dbeta error: ", relError(ba.grad!, dbeta));

// autograd through the hand-written forward pass
const [xb, gb, bb] = [x, gamma, beta].map((t) => t.clone().requiresGrad_(true));
const [out] = batchnormForward(xb, gb, bb, { mode: "train" });
out.backward(dout);
console.log("dx error (autograd of our forward): ", relError(xb.grad!, dx));
console.log("dgamma error (autograd of our forward): ", relError(gb.grad!, dgamma));
console.log("dbeta error (autograd of our forward): ", relError(bb.grad!, dbeta));

// The simplified backward pass
const [dx2, dgamma2, dbeta2] = batchnormBackwardAlt(dout, cache!);
console.log("dx difference: ", relError(dx, dx2));
console.log("dgamma difference: ", relError(dgamma, dgamma2));
console.log("dbeta difference: ", relError(dbeta, dbeta2));

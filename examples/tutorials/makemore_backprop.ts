// Karpathy's "makemore: becoming a backprop ninja" (nn-zero-to-hero, makemore part 4), in Gradlens: the MLP with
// BatchNorm backpropagated by hand, step by step (dlogprobs, dprobs, ... dC), each manual gradient compared with
// autograd's by cmp, then cross-entropy and batch norm backpropagated in one go, then training on the manual
// gradients. It prints what the notebook's code prints under PyTorch 1.13 (test/unit/tutorials.test.ts), exact: True
// and exact: False at the same places and the same maxdiff digits. As in the Python original the test runs, the
// names are the 500 Gradlens ships and the shuffle is a randperm from a Generator seeded with 42 (the notebook's
// random.shuffle draws from Python's own generator).
import { F, Generator, all, allclose, arange, div, multinomial, noGrad, onesLike, randint, randn, randperm, sub, tensor, utils, zerosLike, type Tensor } from "gradlens";

// read in all the words
let words = utils.data.datasets.loadNames();
console.log(words.length);
console.log(Math.max(...words.map((w) => w.length)));

// build the vocabulary of characters and mappings to/from integers
const chars = [...new Set(words.join(""))].sort();
const stoi = new Map(chars.map((s, i) => [s, i + 1]));
stoi.set(".", 0);
const itos = new Map([...stoi].map(([s, i]) => [i, s]));
const vocabSize = itos.size;
console.log(vocabSize);

// build the dataset
const blockSize = 3; // context length: how many characters do we take to predict the next one?

function buildDataset(words: string[]): [Tensor, Tensor] {
  const X: number[][] = [];
  const Y: number[] = [];

  for (const w of words) {
    let context = new Array<number>(blockSize).fill(0);
    for (const ch of w + ".") {
      const ix = stoi.get(ch)!;
      X.push(context);
      Y.push(ix);
      context = [...context.slice(1), ix]; // crop and append
    }
  }

  const Xt = tensor(X, { dtype: "int64" });
  const Yt = tensor(Y, { dtype: "int64" });
  console.log(Xt.shape, Yt.shape);
  return [Xt, Yt];
}

const perm = randperm(words.length, { generator: new Generator().manualSeed(42) }).tolist() as number[];
words = perm.map((i) => words[i]);
const n1 = Math.trunc(0.8 * words.length);
const n2 = Math.trunc(0.9 * words.length);

const [Xtr, Ytr] = buildDataset(words.slice(0, n1)); // 80%
const [Xdev, Ydev] = buildDataset(words.slice(n1, n2)); // 10%
const [Xte, Yte] = buildDataset(words.slice(n2)); // 10%

// utility function we will use later when comparing manual gradients to autograd's gradients
function cmp(s: string, dt: Tensor, t: Tensor): void {
  const ex = all(dt.eq(t.grad!)).item();
  const app = allclose(dt, t.grad!);
  const maxdiff = dt.sub(t.grad!).abs().max().item();
  const shapeOk = dt.shape.length === t.shape.length && dt.shape.every((size, i) => size === t.shape[i]);
  console.log(`${s.padEnd(15)} | exact: ${String(ex).padEnd(5)} | approximate: ${String(app).padEnd(5)} | maxdiff: ${maxdiff} | shape is correct: ${shapeOk}`);
}

let nEmbd = 10; // the dimensionality of the character embedding vectors
let nHidden = 64; // the number of neurons in the hidden layer of the MLP

let g = new Generator().manualSeed(2147483647); // for reproducibility
let C = randn([vocabSize, nEmbd], { generator: g });
// Layer 1
let W1 = randn([nEmbd * blockSize, nHidden], { generator: g }).mul(5 / 3).div((nEmbd * blockSize) ** 0.5);
let b1 = randn(nHidden, { generator: g }).mul(0.1); // using b1 just for fun, it's useless because of BN
// Layer 2
let W2 = randn([nHidden, vocabSize], { generator: g }).mul(0.1);
let b2 = randn(vocabSize, { generator: g }).mul(0.1);
// BatchNorm parameters
let bngain = randn([1, nHidden]).mul(0.1).add(1.0);
let bnbias = randn([1, nHidden]).mul(0.1);

// Note: I am initializating many of these parameters in non-standard ways
// because sometimes initializating with e.g. all zeros could mask an incorrect
// implementation of the backward pass.

let parameters = [C, W1, b1, W2, b2, bngain, bnbias];
console.log(parameters.reduce((total, p) => total + p.nelement(), 0)); // number of parameters in total
for (const p of parameters) p.requiresGrad = true;

let batchSize = 32;
let n = batchSize; // a shorter variable also, for convenience
// construct a minibatch
let ix = randint(0, Xtr.shape[0], [batchSize], { generator: g });
let [Xb, Yb] = [Xtr.index([ix]), Ytr.index([ix])]; // batch X,Y

// forward pass, "chunkated" into smaller steps that are possible to backward one at a time

let emb = C.index([Xb]); // embed the characters into vectors
let embcat = emb.view(emb.shape[0], -1); // concatenate the vectors
// Linear layer 1
let hprebn = embcat.matmul(W1).add(b1); // hidden layer pre-activation
// BatchNorm layer
const bnmeani = hprebn.sum(0, true).mul(1 / n);
const bndiff = hprebn.sub(bnmeani);
const bndiff2 = bndiff.pow(2);
let bnvar = bndiff2.sum(0, true).mul(1 / (n - 1)); // note: Bessel's correction (dividing by n-1, not n)
let bnvarInv = bnvar.add(1e-5).pow(-0.5);
let bnraw = bndiff.mul(bnvarInv);
let hpreact = bngain.mul(bnraw).add(bnbias);
// Non-linearity
let h = hpreact.tanh(); // hidden layer
// Linear layer 2
let logits = h.matmul(W2).add(b2); // output layer
// cross entropy loss (same as F.crossEntropy(logits, Yb))
const logitMaxes = logits.max(1, true).values;
const normLogits = logits.sub(logitMaxes); // subtract max for numerical stability
const counts = normLogits.exp();
const countsSum = counts.sum(1, true);
const countsSumInv = countsSum.pow(-1); // if I use (1.0 / counts_sum) instead then I can't get backprop to be bit exact...
const probs = counts.mul(countsSumInv);
const logprobs = probs.log();
let loss = logprobs.index([arange(n), Yb]).mean().neg();

// autograd's backward pass
for (const p of parameters) p.grad = null;
for (const t of [logprobs, probs, counts, countsSum, countsSumInv, // afaik there is no cleaner way
  normLogits, logitMaxes, logits, h, hpreact, bnraw,
  bnvarInv, bnvar, bndiff2, bndiff, hprebn, bnmeani,
  embcat, emb]) {
  t.retainGrad();
}
loss.backward();
console.log(loss);

// Exercise 1: backprop through the whole thing manually,
// backpropagating through exactly all of the variables
// as they are defined in the forward pass above, one by one

const dlogprobs = zerosLike(logprobs);
dlogprobs.indexPut_([arange(n), Yb], -1.0 / n);
const dprobs = div(1.0, probs).mul(dlogprobs);
const dcountsSumInv = counts.mul(dprobs).sum(1, true);
const dcounts = countsSumInv.mul(dprobs);
const dcountsSum = countsSum.pow(-2).neg().mul(dcountsSumInv);
dcounts.add_(onesLike(counts).mul(dcountsSum));
const dnormLogits = counts.mul(dcounts);
let dlogits = dnormLogits.clone();
const dlogitMaxes = dnormLogits.neg().sum(1, true);
dlogits.add_(F.oneHot(logits.max(1).indices, logits.shape[1]).mul(dlogitMaxes));
let dh = dlogits.matmul(W2.T);
let dW2 = h.T.matmul(dlogits);
let db2 = dlogits.sum(0);
let dhpreact = sub(1.0, h.pow(2)).mul(dh);
let dbngain = bnraw.mul(dhpreact).sum(0, true);
const dbnraw = bngain.mul(dhpreact);
let dbnbias = dhpreact.sum(0, true);
const dbndiff = bnvarInv.mul(dbnraw);
const dbnvarInv = bndiff.mul(dbnraw).sum(0, true);
const dbnvar = bnvar.add(1e-5).pow(-1.5).mul(-0.5).mul(dbnvarInv);
const dbndiff2 = onesLike(bndiff2).mul(1.0 / (n - 1)).mul(dbnvar);
dbndiff.add_(bndiff.mul(2).mul(dbndiff2));
let dhprebn = dbndiff.clone();
const dbnmeani = dbndiff.neg().sum(0);
dhprebn.add_(onesLike(hprebn).mul(dbnmeani).mul(1.0 / n));
let dembcat = dhprebn.matmul(W1.T);
let dW1 = embcat.T.matmul(dhprebn);
let db1 = dhprebn.sum(0);
let demb = dembcat.view(emb.shape);
let dC = zerosLike(C);
for (let k = 0; k < Xb.shape[0]; k++) {
  for (let j = 0; j < Xb.shape[1]; j++) {
    const ix = Xb.index([k, j]);
    dC.index([ix]).add_(demb.index([k, j]));
  }
}

cmp("logprobs", dlogprobs, logprobs);
cmp("probs", dprobs, probs);
cmp("counts_sum_inv", dcountsSumInv, countsSumInv);
cmp("counts_sum", dcountsSum, countsSum);
cmp("counts", dcounts, counts);
cmp("norm_logits", dnormLogits, normLogits);
cmp("logit_maxes", dlogitMaxes, logitMaxes);
cmp("logits", dlogits, logits);
cmp("h", dh, h);
cmp("W2", dW2, W2);
cmp("b2", db2, b2);
cmp("hpreact", dhpreact, hpreact);
cmp("bngain", dbngain, bngain);
cmp("bnbias", dbnbias, bnbias);
cmp("bnraw", dbnraw, bnraw);
cmp("bnvar_inv", dbnvarInv, bnvarInv);
cmp("bnvar", dbnvar, bnvar);
cmp("bndiff2", dbndiff2, bndiff2);
cmp("bndiff", dbndiff, bndiff);
cmp("bnmeani", dbnmeani, bnmeani);
cmp("hprebn", dhprebn, hprebn);
cmp("embcat", dembcat, embcat);
cmp("W1", dW1, W1);
cmp("b1", db1, b1);
cmp("emb", demb, emb);
cmp("C", dC, C);

// Exercise 2: backprop through cross_entropy but all in one go
// to complete this challenge look at the mathematical expression of the loss,
// take the derivative, simplify the expression, and just write it out

// forward pass: now
const lossFast = F.crossEntropy(logits, Yb);
console.log(lossFast.item(), "diff:", lossFast.sub(loss).item());

// backward pass

dlogits = F.softmax(logits, 1);
// dlogits[range(n), Yb] -= 1: an advanced index reads a copy, so the write goes through indexPut_
dlogits.indexPut_([arange(n), Yb], dlogits.index([arange(n), Yb]).sub(1));
dlogits.div_(n);

cmp("logits", dlogits, logits); // I can only get approximate to be true, my maxdiff is 6e-9

console.log(logits.shape, Yb.shape);
console.log(F.softmax(logits, 1).index([0]));
console.log(dlogits.index([0]).mul(n));
console.log(dlogits.index([0]).sum());

// Exercise 3: backprop through batchnorm but all in one go
// to complete this challenge look at the mathematical expression of the output of batchnorm,
// take the derivative w.r.t. its input, simplify the expression, and just write it out

// forward pass: now
const hpreactFast = bngain.mul(hprebn.sub(hprebn.mean(0, true))).div(hprebn.var(0, { unbiased: true, keepdim: true }).add(1e-5).sqrt()).add(bnbias);
console.log("max diff:", hpreactFast.sub(hpreact).abs().max());

// backward pass: dhprebn given dhpreact (i.e. backprop through the batchnorm)
dhprebn = bngain.mul(bnvarInv).div(n).mul(dhpreact.mul(n).sub(dhpreact.sum(0)).sub(bnraw.mul(n / (n - 1)).mul(dhpreact.mul(bnraw).sum(0))));

cmp("hprebn", dhprebn, hprebn); // I can only get approximate to be true, my maxdiff is 9e-10

console.log(dhprebn.shape, bngain.shape, bnvarInv.shape, dbnraw.shape, dbnraw.sum(0).shape);

// Exercise 4: putting it all together!
// Train the MLP neural net with your own backward pass

// init
nEmbd = 10; // the dimensionality of the character embedding vectors
nHidden = 200; // the number of neurons in the hidden layer of the MLP

g = new Generator().manualSeed(2147483647); // for reproducibility
C = randn([vocabSize, nEmbd], { generator: g });
// Layer 1
W1 = randn([nEmbd * blockSize, nHidden], { generator: g }).mul(5 / 3).div((nEmbd * blockSize) ** 0.5);
b1 = randn(nHidden, { generator: g }).mul(0.1);
// Layer 2
W2 = randn([nHidden, vocabSize], { generator: g }).mul(0.1);
b2 = randn(vocabSize, { generator: g }).mul(0.1);
// BatchNorm parameters
bngain = randn([1, nHidden]).mul(0.1).add(1.0);
bnbias = randn([1, nHidden]).mul(0.1);

parameters = [C, W1, b1, W2, b2, bngain, bnbias];
console.log(parameters.reduce((total, p) => total + p.nelement(), 0)); // number of parameters in total
for (const p of parameters) p.requiresGrad = true;

// same optimization as last time
const maxSteps = 200000;
batchSize = 32;
n = batchSize; // convenience
const lossi: number[] = [];
let grads: Tensor[] = [];

// kick off optimization
for (let i = 0; i < maxSteps; i++) {
  // minibatch construct
  ix = randint(0, Xtr.shape[0], [batchSize], { generator: g });
  [Xb, Yb] = [Xtr.index([ix]), Ytr.index([ix])]; // batch X,Y

  // forward pass
  emb = C.index([Xb]); // embed the characters into vectors
  embcat = emb.view(emb.shape[0], -1); // concatenate the vectors
  // Linear layer
  hprebn = embcat.matmul(W1).add(b1); // hidden layer pre-activation
  // BatchNorm layer
  // -------------------------------------------------------------
  const bnmean = hprebn.mean(0, true);
  bnvar = hprebn.var(0, { unbiased: true, keepdim: true });
  bnvarInv = bnvar.add(1e-5).pow(-0.5);
  bnraw = hprebn.sub(bnmean).mul(bnvarInv);
  hpreact = bngain.mul(bnraw).add(bnbias);
  // -------------------------------------------------------------
  // Non-linearity
  h = hpreact.tanh(); // hidden layer
  logits = h.matmul(W2).add(b2); // output layer
  loss = F.crossEntropy(logits, Yb); // loss function

  // backward pass
  for (const p of parameters) p.grad = null;
  loss.backward(); // use this for correctness comparisons, delete it later!

  // manual backprop! #swole_doge_meme
  // -----------------
  dlogits = F.softmax(logits, 1);
  dlogits.indexPut_([arange(n), Yb], dlogits.index([arange(n), Yb]).sub(1));
  dlogits.div_(n);
  // 2nd layer backprop
  dh = dlogits.matmul(W2.T);
  dW2 = h.T.matmul(dlogits);
  db2 = dlogits.sum(0);
  // tanh
  dhpreact = sub(1.0, h.pow(2)).mul(dh);
  // batchnorm backprop
  dbngain = bnraw.mul(dhpreact).sum(0, true);
  dbnbias = dhpreact.sum(0, true);
  dhprebn = bngain.mul(bnvarInv).div(n).mul(dhpreact.mul(n).sub(dhpreact.sum(0)).sub(bnraw.mul(n / (n - 1)).mul(dhpreact.mul(bnraw).sum(0))));
  // 1st layer
  dembcat = dhprebn.matmul(W1.T);
  dW1 = embcat.T.matmul(dhprebn);
  db1 = dhprebn.sum(0);
  // embedding
  demb = dembcat.view(emb.shape);
  dC = zerosLike(C);
  for (let k = 0; k < Xb.shape[0]; k++) {
    for (let j = 0; j < Xb.shape[1]; j++) {
      const ix = Xb.index([k, j]);
      dC.index([ix]).add_(demb.index([k, j]));
    }
  }
  grads = [dC, dW1, db1, dW2, db2, dbngain, dbnbias];
  // -----------------

  // update
  const lr = i < 100000 ? 0.1 : 0.01; // step learning rate decay
  parameters.forEach((p, k) => {
    // p.data.add_(p.grad!.mul(-lr)) // old way of cheems doge (using autograd's grad from .backward())
    p.data.add_(grads[k].mul(-lr)); // new way of swole doge TODO: enable
  });

  // track stats
  if (i % 10000 === 0) { // print every once in a while
    console.log(`${String(i).padStart(7)}/${String(maxSteps).padStart(7)}: ${loss.item().toFixed(4)}`);
  }
  lossi.push(loss.log10().item());

  if (i >= 100) { // TODO: delete early breaking when you're ready to train the full net
    break;
  }
}

// useful for checking your gradients
parameters.forEach((p, k) => cmp(`(${p.shape.join(", ")}${p.ndim === 1 ? "," : ""})`, grads[k], p));

// calibrate the batch norm at the end of training
const [bnmean, bnvarAll] = noGrad(() => {
  // pass the training set through
  const emb = C.index([Xtr]);
  const embcat = emb.view(emb.shape[0], -1);
  const hpreact = embcat.matmul(W1).add(b1);
  // measure the mean/std over the entire training set
  return [hpreact.mean(0, true), hpreact.var(0, { unbiased: true, keepdim: true })];
});

// evaluate train and val loss
function splitLoss(split: "train" | "val" | "test"): void {
  noGrad(() => { // this disables gradient tracking
    const [x, y] = { train: [Xtr, Ytr], val: [Xdev, Ydev], test: [Xte, Yte] }[split];
    const emb = C.index([x]); // (N, block_size, n_embd)
    const embcat = emb.view(emb.shape[0], -1); // concat into (N, block_size * n_embd)
    let hpreact = embcat.matmul(W1).add(b1);
    hpreact = bngain.mul(hpreact.sub(bnmean)).mul(bnvarAll.add(1e-5).pow(-0.5)).add(bnbias);
    const h = hpreact.tanh(); // (N, n_hidden)
    const logits = h.matmul(W2).add(b2); // (N, vocab_size)
    const loss = F.crossEntropy(logits, y);
    console.log(split, loss.item());
  });
}

splitLoss("train");
splitLoss("val");

// sample from the model
g = new Generator().manualSeed(2147483647 + 10);

for (let s = 0; s < 20; s++) {
  const out: number[] = [];
  let context = new Array<number>(blockSize).fill(0); // initialize with all ...
  for (;;) {
    // ------------
    // forward pass:
    // Embedding
    const emb = C.index([tensor([context], { dtype: "int64" })]); // (1,block_size,d)
    const embcat = emb.view(emb.shape[0], -1); // concat into (N, block_size * n_embd)
    let hpreact = embcat.matmul(W1).add(b1);
    hpreact = bngain.mul(hpreact.sub(bnmean)).mul(bnvarAll.add(1e-5).pow(-0.5)).add(bnbias);
    const h = hpreact.tanh(); // (N, n_hidden)
    const logits = h.matmul(W2).add(b2); // (N, vocab_size)
    // ------------
    // Sample
    const probs = F.softmax(logits, 1);
    const ix = multinomial(probs, 1, { generator: g }).item();
    context = [...context.slice(1), ix];
    out.push(ix);
    if (ix === 0) {
      break;
    }
  }
  console.log(out.map((i) => itos.get(i)).join(""));
}

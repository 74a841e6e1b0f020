// PyTorch, "Language Modeling with nn.Transformer and torchtext" (PyTorch 1.13's version), in Gradlens: the
// TransformerModel (nn.Embedding, PositionalEncoding with its buffer and dropout, nn.TransformerEncoder, the decoder
// Linear), generateSquareSubsequentMask, batchify, getBatch, the training loop with CrossEntropyLoss, SGD, StepLR and
// clipGradNorm_, and evaluate. It prints what PyTorch 1.13 prints for the Python original
// (scripts/fixtures/tutorials/transformer_tutorial.py). Changed from the tutorial, on both sides alike:
// - WikiText-2 and torchtext cannot be downloaded (no internet): the train, validation and test "texts" are fixed
//   sequences of token ids over a vocabulary of 30 (ids following a rule a model can learn), in place of the
//   tokenizer, the vocabulary and `data_process`;
// - small sizes, so that the port runs in seconds: emsize 16, dHid 32, nlayers 2, nhead 2, batchSize 8,
//   evalBatchSize 4, 3 epochs of 5 batches, a log line every 2 batches;
// - the wall-clock figures (`ms/batch`, an epoch's `time`) are left out of the printed lines, as they differ from
//   run to run; the shapes, the parameter count and the test loss to every digit are printed as well;
// - `best_model = copy.deepcopy(model)` keeps a copy of the best stateDict instead, loaded into the model for the test
//   evaluation (the same model in the end).
import { arange, cos, exp, manualSeed, nn, noGrad, ones, optim, sin, sprintf, tensor, triu, zeros, type Tensor } from "gradlens";

const { TransformerEncoder, TransformerEncoderLayer } = nn;

class PositionalEncoding extends nn.Module {
  readonly dropout: nn.Dropout;
  declare readonly pe: Tensor;

  constructor(dModel: number, dropout = 0.1, maxLen = 5000) {
    super();
    this.dropout = new nn.Dropout(dropout);

    const position = arange(maxLen).unsqueeze(1);
    const divTerm = exp(arange(0, dModel, 2).mul(-Math.log(10000.0) / dModel));
    const pe = zeros([maxLen, 1, dModel]);
    pe.indexPut_(":, 0, 0::2", sin(position.mul(divTerm)));
    pe.indexPut_(":, 0, 1::2", cos(position.mul(divTerm)));
    this.registerBuffer("pe", pe);
  }

  /** x: Tensor, shape [seq_len, batch_size, embedding_dim] */
  forward(x: Tensor): Tensor {
    x = x.add(this.pe.index(`:${x.size(0)}`));
    return this.dropout(x);
  }
}

class TransformerModel extends nn.Module {
  readonly modelType = "Transformer";
  readonly pos_encoder: PositionalEncoding;
  readonly transformer_encoder: nn.TransformerEncoder;
  readonly encoder: nn.Embedding;
  readonly dModel: number;
  readonly decoder: nn.Linear;

  constructor(ntoken: number, dModel: number, nhead: number, dHid: number, nlayers: number, dropout = 0.5) {
    super();
    this.pos_encoder = new PositionalEncoding(dModel, dropout);
    const encoderLayers = new TransformerEncoderLayer(dModel, nhead, { dimFeedforward: dHid, dropout });
    this.transformer_encoder = new TransformerEncoder(encoderLayers, nlayers);
    this.encoder = new nn.Embedding(ntoken, dModel);
    this.dModel = dModel;
    this.decoder = new nn.Linear(dModel, ntoken);

    this.initWeights();
  }

  initWeights(): void {
    const initrange = 0.1;
    this.encoder.weight.data.uniform_(-initrange, initrange);
    this.decoder.bias!.data.zero_();
    this.decoder.weight.data.uniform_(-initrange, initrange);
  }

  /** src: [seq_len, batch_size], srcMask: [seq_len, seq_len]; returns [seq_len, batch_size, ntoken]. */
  forward(src: Tensor, srcMask: Tensor): Tensor {
    src = this.encoder(src).mul(Math.sqrt(this.dModel));
    src = this.pos_encoder(src);
    let output = this.transformer_encoder(src, { mask: srcMask });
    output = this.decoder(output);
    return output;
  }
}

/** Generates an upper-triangular matrix of -inf, with zeros on diag. */
function generateSquareSubsequentMask(sz: number): Tensor {
  return triu(ones([sz, sz]).mul(-Infinity), 1);
}

// Load and batch data (a fixed stand-in for WikiText-2)
manualSeed(0);
const ntokens = 30; // size of vocabulary

function makeText(length: number, start: number): Tensor {
  return tensor(Array.from({ length }, (_, i) => (7 * i + Math.floor(i / 5) + start) % ntokens), { dtype: "int64" });
}

/** Divides the data into bsz separate sequences, removing extra elements that wouldn't cleanly fit: [N] → [N // bsz, bsz]. */
function batchify(data: Tensor, bsz: number): Tensor {
  const seqLen = Math.floor(data.size(0) / bsz);
  data = data.index(`:${seqLen * bsz}`);
  data = data.view(bsz, seqLen).t().contiguous();
  return data;
}

const batchSize = 8;
const evalBatchSize = 4;
const trainData = batchify(makeText(1200, 0), batchSize); // shape [seq_len, batch_size]
const valData = batchify(makeText(280, 3), evalBatchSize);
const testData = batchify(makeText(280, 11), evalBatchSize);
const size = (t: Tensor) => `torch.Size([${t.shape.join(", ")}])`;
console.log(size(trainData), size(valData), size(testData));

// Functions to generate input and target sequence
const bptt = 35;

/** data: [seq_len, batch_size], target: [seq_len * batch_size]. */
function getBatch(source: Tensor, i: number): [Tensor, Tensor] {
  const seqLen = Math.min(bptt, source.size(0) - 1 - i);
  const data = source.index(`${i}:${i + seqLen}`);
  const target = source.index(`${i + 1}:${i + 1 + seqLen}`).reshape(-1);
  return [data, target];
}

{
  const [data, targets] = getBatch(trainData, 0);
  console.log(data.index(":4"), targets.index(":12"));
}

// Initiate an instance
const emsize = 16; // embedding dimension
const dHid = 32; // dimension of the feedforward network model in nn.TransformerEncoder
const nlayers = 2; // number of nn.TransformerEncoderLayer in nn.TransformerEncoder
const nhead = 2; // number of heads in nn.MultiheadAttention
const dropout = 0.2; // dropout probability
const model = new TransformerModel(ntokens, emsize, nhead, dHid, nlayers, dropout);
console.log(model.parameters().reduce((s, p) => s + p.numel(), 0));

// Run the model
const criterion = new nn.CrossEntropyLoss();
const lr = 5.0; // learning rate
const optimizer = new optim.SGD(model.parameters(), { lr });
const scheduler = new optim.lrScheduler.StepLR(optimizer, 1.0, { gamma: 0.95 });
let epoch = 0;

function train(model: TransformerModel): void {
  model.train(); // turn on train mode
  let totalLoss = 0;
  const logInterval = 2;
  let srcMask = generateSquareSubsequentMask(bptt);

  const numBatches = Math.floor(trainData.size(0) / bptt);
  for (let batch = 0, i = 0; i < trainData.size(0) - 1; batch++, i += bptt) {
    const [data, targets] = getBatch(trainData, i);
    const seqLen = data.size(0);
    if (seqLen !== bptt) srcMask = srcMask.index(`:${seqLen}, :${seqLen}`); // only on last batch
    const output = model(data, srcMask);
    const loss = criterion(output.view(-1, ntokens), targets);

    optimizer.zeroGrad();
    loss.backward();
    nn.utils.clipGradNorm_(model.parameters(), 0.5);
    optimizer.step();

    totalLoss += loss.item();
    if (batch % logInterval === 0 && batch > 0) {
      const lr = scheduler.getLastLr()[0];
      const curLoss = totalLoss / logInterval;
      const ppl = Math.exp(curLoss);
      console.log(sprintf("| epoch %3d | %5d/%5d batches | lr %02.2f | loss %5.2f | ppl %8.2f", epoch, batch, numBatches, lr, curLoss, ppl));
      totalLoss = 0;
    }
  }
}

function evaluate(model: TransformerModel, evalData: Tensor): number {
  model.eval(); // turn on evaluation mode
  let totalLoss = 0;
  let srcMask = generateSquareSubsequentMask(bptt);
  noGrad(() => {
    for (let i = 0; i < evalData.size(0) - 1; i += bptt) {
      const [data, targets] = getBatch(evalData, i);
      const seqLen = data.size(0);
      if (seqLen !== bptt) srcMask = srcMask.index(`:${seqLen}, :${seqLen}`);
      const output = model(data, srcMask);
      const outputFlat = output.view(-1, ntokens);
      totalLoss += seqLen * criterion(outputFlat, targets).item();
    }
  });
  return totalLoss / (evalData.size(0) - 1);
}

// Loop over epochs. Save the model if the validation loss is the best we've seen so far.
let bestValLoss = Infinity;
const epochs = 3;
let bestModelState: Record<string, Tensor> | null = null;

for (epoch = 1; epoch <= epochs; epoch++) {
  train(model);
  const valLoss = evaluate(model, valData);
  const valPpl = Math.exp(valLoss);
  console.log("-".repeat(89));
  console.log(sprintf("| end of epoch %3d | valid loss %5.2f | valid ppl %8.2f", epoch, valLoss, valPpl));
  console.log("-".repeat(89));

  if (valLoss < bestValLoss) {
    bestValLoss = valLoss;
    bestModelState = Object.fromEntries(Object.entries(model.stateDict()).map(([k, v]) => [k, v.clone()]));
  }

  scheduler.step();
}

// Evaluate the best model on the test dataset
model.loadStateDict(bestModelState!);
const testLoss = evaluate(model, testData);
const testPpl = Math.exp(testLoss);
console.log("=".repeat(89));
console.log(sprintf("| End of training | test loss %5.2f | test ppl %8.2f", testLoss, testPpl));
console.log("=".repeat(89));
console.log(`test loss ${testLoss}`);

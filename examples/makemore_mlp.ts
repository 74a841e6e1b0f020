// makemore, part 2 (Karpathy's character-level MLP, after Bengio et al. 2003): an embedding table C looked up with
// C[Xb], a tanh hidden layer, cross-entropy on the next character. Every number is PyTorch's for the same seed
// (scripts/fixtures/examples/makemore_mlp.py is the PyTorch twin; test/unit/example_twins.test.ts compares).
import { F, Generator, randint, randn, tensor, utils } from "gradlens";

const words = utils.data.datasets.loadNames().slice(0, 200);
const chars = [...new Set(words.join(""))].sort();
const stoi = new Map(chars.map((c, i) => [c, i + 1]));
stoi.set(".", 0);

// Three characters of context predict the next one.
const blockSize = 3;
const xs: number[][] = [];
const ys: number[] = [];
for (const w of words) {
  let context = new Array<number>(blockSize).fill(0);
  for (const ch of [...w, "."]) {
    const ix = stoi.get(ch)!;
    xs.push(context);
    ys.push(ix);
    context = [...context.slice(1), ix];
  }
}
const X = tensor(xs, { dtype: "int64" });
const Y = tensor(ys, { dtype: "int64" });
console.log(X.shape, Y.shape);

const g = new Generator().manualSeed(2147483647);
const C = randn([27, 10], { generator: g, requiresGrad: true });
const W1 = randn([blockSize * 10, 200], { generator: g, requiresGrad: true });
const b1 = randn([200], { generator: g, requiresGrad: true });
const W2 = randn([200, 27], { generator: g, requiresGrad: true });
const b2 = randn([27], { generator: g, requiresGrad: true });
const parameters = [C, W1, b1, W2, b2];
console.log(parameters.reduce((n, p) => n + p.nelement(), 0));

for (let i = 0; i < 200; i++) {
  const ix = randint(0, X.shape[0], [32], { generator: g });
  const emb = C.index([X.index([ix])]); // C[X[ix]]: [32, 3, 10]
  const h = emb.view(-1, blockSize * 10).matmul(W1).add(b1).tanh();
  const logits = h.matmul(W2).add(b2);
  const loss = F.crossEntropy(logits, Y.index([ix]));
  for (const p of parameters) p.grad = null;
  loss.backward();
  const lr = i < 100 ? 0.1 : 0.01;
  for (const p of parameters) p.data.add_(p.grad!.mul(-lr));
  if (i % 50 === 0) console.log(i, loss.item().toFixed(4));
}

// A character-level RNN on names: one-hot characters through nn.RNN and a Linear readout, trained with Adam on
// next-character prediction, then sampled with multinomial. Every number is PyTorch's for the same seeds
// (scripts/fixtures/examples/char_rnn.py is the PyTorch twin; test/unit/example_twins.test.ts compares).
import { F, Generator, manualSeed, multinomial, nn, noGrad, optim, tensor, type Tensor, utils, zeros } from "gradlens";

manualSeed(42);
const words = utils.data.datasets.loadNames().slice(0, 64);
const chars = [".", ...[...new Set(words.join(""))].sort()];
const stoi = new Map(chars.map((c, i) => [c, i]));
const V = chars.length;

class CharRNN extends nn.Module {
  rnn = new nn.RNN(V, 48, { batchFirst: true });
  head = new nn.Linear(48, V);

  forward(x: Tensor, h?: Tensor | null): [Tensor, Tensor] {
    const [out, hN] = this.rnn(F.oneHot(x, V).float(), h);
    return [this.head(out), hN];
  }
}

const model = new CharRNN();
const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
console.log(model);

// Each name as input "." + name, target name + ".", trained one name at a time.
const encode = (w: string) => [...w].map((c) => stoi.get(c)!);
for (let epoch = 1; epoch <= 6; epoch++) {
  let total = 0;
  for (const w of words) {
    const x = tensor([[0, ...encode(w)]], { dtype: "int64" });
    const y = tensor([[...encode(w), 0]], { dtype: "int64" });
    const [logits] = model(x);
    const loss = F.crossEntropy(logits.view(-1, V), y.view(-1));
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    total += loss.item();
  }
  console.log(`epoch ${epoch}: mean loss ${(total / words.length).toFixed(4)}`);
}

const g = new Generator().manualSeed(2147483647);
noGrad(() => {
  for (let n = 0; n < 5; n++) {
    let h: Tensor | null = zeros(1, 1, 48);
    let ix = 0;
    let name = "";
    for (let k = 0; k < 12; k++) {
      const [logits, hN]: [Tensor, Tensor] = model(tensor([[ix]], { dtype: "int64" }), h);
      h = hN;
      ix = multinomial(F.softmax(logits.view(-1), 0), 1, { generator: g }).item();
      if (ix === 0) break;
      name += chars[ix];
    }
    console.log(name);
  }
});

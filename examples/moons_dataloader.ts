// Two moons classified by a small MLP: a TensorDataset, a shuffling DataLoader with its own generator, Adam with a
// StepLR schedule and gradient clipping. Every number (the data, the initial weights, the shuffles) is PyTorch's for
// the same seeds.
import { F, Generator, manualSeed, nn, optim, utils } from "gradlens";

manualSeed(0);
const g = new Generator().manualSeed(42);
const [X, y] = utils.data.datasets.makeMoons(64, { noise: 0.1, generator: g });
const loader = new utils.data.DataLoader(new utils.data.TensorDataset(X, y), { batchSize: 16, shuffle: true, generator: g });

const model = new nn.Sequential(new nn.Linear(2, 16), new nn.Tanh(), new nn.Linear(16, 2));
const optimizer = new optim.Adam(model.parameters(), { lr: 0.05 });
const scheduler = new optim.lr_scheduler.StepLR(optimizer, 3, { gamma: 0.5 });

for (let epoch = 1; epoch <= 6; epoch++) {
  let total = 0;
  for (const [xb, yb] of loader) {
    optimizer.zeroGrad();
    const loss = F.crossEntropy(model.forward(xb), yb);
    loss.backward();
    nn.utils.clipGradNorm_(model.parameters(), 1.0);
    optimizer.step();
    total += loss.item();
  }
  scheduler.step();
  console.log(`epoch ${epoch}: mean loss ${(total / loader.length).toFixed(4)}, lr ${scheduler.getLastLr()[0]}`);
}

// LeNet on tiny images: scikit-learn's 8×8 handwritten digits (300 of them ship with Gradlens), two convolutions with
// max pooling and three Linear layers, trained with Adam in minibatches. The data, the initial weights, the shuffles
// and every number printed are PyTorch's for the same seeds (scripts/fixtures/examples/lenet_digits.py is the PyTorch
// twin; test/unit/example_twins.test.ts compares).
import { F, Generator, manualSeed, nn, noGrad, optim, type Tensor, utils } from "gradlens";

manualSeed(0);
const [images, labels] = utils.data.datasets.loadDigits({ asImages: true, normalize: true });
const [train, test] = utils.data.randomSplit(new utils.data.TensorDataset(images, labels), [240, 60], new Generator().manualSeed(1));
const loader = new utils.data.DataLoader(train, { batchSize: 32, shuffle: true, generator: new Generator().manualSeed(2) });

class LeNet extends nn.Module {
  conv1 = new nn.Conv2d(1, 6, 3, { padding: 1 }); // 8×8 → 8×8, pooled to 4×4
  conv2 = new nn.Conv2d(6, 16, 3, { padding: 1 }); // 4×4 → 4×4, pooled to 2×2
  fc1 = new nn.Linear(16 * 2 * 2, 64);
  fc2 = new nn.Linear(64, 32);
  fc3 = new nn.Linear(32, 10);

  forward(x: Tensor): Tensor {
    let h = F.maxPool2d(F.relu(this.conv1(x)), 2);
    h = F.maxPool2d(F.relu(this.conv2(h)), 2);
    h = h.flatten(1);
    return this.fc3(F.relu(this.fc2(F.relu(this.fc1(h)))));
  }
}

const model = new LeNet();
console.log(model);
const optimizer = new optim.Adam(model.parameters(), { lr: 0.002 });

for (let epoch = 1; epoch <= 20; epoch++) {
  let total = 0;
  for (const [x, y] of loader) {
    const loss = F.crossEntropy(model(x), y);
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    total += loss.item();
  }
  console.log(`epoch ${epoch}: mean loss ${(total / loader.length).toFixed(4)}`);
}

noGrad(() => {
  const [x, y] = utils.data.defaultCollate(Array.from({ length: test.length }, (_, i) => test.get(i))) as [Tensor, Tensor];
  const accuracy = model(x).argmax(1).eq(y).float().mean().item();
  console.log(`test accuracy ${(accuracy * 100).toFixed(1)}%`);
});

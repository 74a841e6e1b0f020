// PyTorch's "A Gentle Introduction to torch.autograd", ported: the same steps, the same printed output.
// A small TinyNet stands in for torchvision's pretrained resnet18 (its weights cannot be downloaded here).
import { nn, optim, rand, tensor, type Tensor } from "gradlens";

class TinyNet extends nn.Module {
  features = new nn.Sequential(new nn.Linear(3 * 8 * 8, 512), new nn.ReLU());
  fc = new nn.Linear(512, 1000);

  forward(x: Tensor): Tensor {
    return this.fc.call(this.features.call(x.reshape(x.shape[0], -1)));
  }
}

let model = new TinyNet();
const data = rand(1, 3, 8, 8);
const labels = rand(1, 1000);

const prediction = model.call(data); // forward pass

const loss = prediction.sub(labels).sum();
loss.backward(); // backward pass

const optimSgd = new optim.SGD(model.parameters(), { lr: 1e-2, momentum: 0.9 });

optimSgd.step(); // gradient descent

let a = tensor([2, 3], { requiresGrad: true });
let b = tensor([6, 4], { requiresGrad: true });

const Q = a.pow(3).mul(3).sub(b.pow(2));

const externalGrad = tensor([1, 1]);
Q.backward(externalGrad);

// check if collected gradients are correct
console.log(a.pow(2).mul(9).eq(a.grad!));
console.log(b.mul(-2).eq(b.grad!));

const x = rand(5, 5);
const y = rand(5, 5);
const z = rand([5, 5], { requiresGrad: true });

a = x.add(y);
console.log(`Does \`a\` require gradients?: ${a.requiresGrad}`);
b = x.add(z);
console.log(`Does \`b\` require gradients?: ${b.requiresGrad}`);

model = new TinyNet();

// Freeze all the parameters in the network
for (const param of model.parameters()) {
  param.requiresGrad = false;
}

model.fc = new nn.Linear(512, 10);

// Optimize only the classifier
const optimizer = new optim.SGD(model.parameters(), { lr: 1e-2, momentum: 0.9 });
void optimizer;

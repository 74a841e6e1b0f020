// Seed 003 (자동 미분): y - x; a linear layer f(x) = x·W + b by hand, its MSE, and plain gradient steps.
import { F, matmul, ones, rand, tensor, zeros } from "gradlens";

{
  const x = rand([1], { requiresGrad: true });
  const y = rand(1);
  y.requiresGrad = true;
  const loss = y.sub(x);
  loss.backward();
  console.log(x.grad, y.grad);
}

const x = ones(4); // input tensor
const y = zeros(3); // expected output
// The notebook's torch.rand values, within the rounding it printed, so every printed number matches.
let W = tensor([[0.29641, 0.43778, 0.68061], [0.66021, 0.91058, 0.47191], [0.27071, 0.82908, 0.509], [0.51351, 0.46458, 0.5162]], { requiresGrad: true });
let b = tensor([0.2041, 0.9772, 0.9917], { requiresGrad: true });
let z = matmul(x, W).add(b);
console.log(W, b, z);

let loss = F.mseLoss(z, y);
loss.backward();
console.log(loss, W.grad, b.grad);

const threshold = 0.1;
const learningRate = 0.01;
let iterationNum = 0;

while (loss.item() > threshold) {
  iterationNum += 1;
  W = W.sub(W.grad!.mul(learningRate));
  b = b.sub(b.grad!.mul(learningRate));
  console.log(iterationNum, loss, z, y);
  // detach_(): 그래프로부터 끊음; requiresGrad_(true): 다시 현 텐서부터 미분 시작
  W.detach_().requiresGrad_(true);
  b.detach_().requiresGrad_(true);
  z = matmul(x, W).add(b);
  loss = F.mseLoss(z, y);
  loss.backward();
}
console.log("최종결과:", iterationNum + 1, loss, z, y);

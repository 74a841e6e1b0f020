// Seed 001 (Gradient Descent): fit x to a 3×3 target by gradient descent on the MSE.
import { F, sprintf, tensor } from "gradlens";

// target값 -> 실제값
const target = tensor([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9]]);
console.log(target);

// x -> (모델 파라미터로 예측한) 예측값. The notebook's torch.rand_like(target), within the rounding it printed.
let x = tensor([[0.36325601, 0.42026901, 0.44121099], [0.68384796, 0.30912301, 0.076701], [0.006844, 0.96748799, 0.99468702]]);
x.requiresGrad = true;
console.log(x);

// 타깃값과 예측값의 오차를 구해보면,
let loss = F.mseLoss(x, target);
console.log(loss);

const threshold = 1e-5; // 10의 -5승보다 loss가 작을 때는 학습(미분)을 멈출 예정.
const learningRate = 1.0;
let iterCnt = 0;

while (loss.item() > threshold) {
  iterCnt += 1;
  loss.backward(); // loss 미분 -> 결과: x.grad, 3x3의 기울기가 생긴다.
  x = x.sub(x.grad!.mul(learningRate)); // x 업데이트(미분값에 학습률을 곱해서 뻬줌)
  // detach: 그래프를 끊어준다.
  x.detach_();
  x.requiresGrad_(true);
  loss = F.mseLoss(x, target);
  console.log(sprintf("%d-th Loss: %.4e", iterCnt, loss));
  console.log(x, "\n");
}

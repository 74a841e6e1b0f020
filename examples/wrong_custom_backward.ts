// A user-defined op whose backward is wrong: Gradlens's numerical checks catch it and name the op.
import { autograd, tensor, type Tensor } from "gradlens";

class Square extends autograd.Function {
  static override forward(ctx: autograd.FunctionCtx, x: Tensor): Tensor {
    ctx.saveForBackward(x);
    return x.mul(x);
  }

  static override backward(ctx: autograd.FunctionCtx, grad: Tensor): Tensor {
    const [x] = ctx.savedTensors;
    return grad.mul(x); // wrong: d(x²)/dx is 2x
  }
}

const w = tensor([0.5, -1.0, 2.0], { requiresGrad: true });
const h = Square.apply(w.mul(3));
const loss = h.tanh().mean();
loss.backward();
console.log(w.grad);

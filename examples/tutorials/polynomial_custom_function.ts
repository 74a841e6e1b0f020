// "Learning PyTorch with Examples", "PyTorch: Defining new autograd functions": y = a + b·P3(c + d·x) with the
// Legendre polynomial P3 as an autograd.Function of our own, aliased as the tutorial does (P3 = ....apply). It prints
// what PyTorch 1.13 prints for the tutorial's code.
import { autograd, full, linspace, noGrad, type Tensor } from "gradlens";

/**
 * We can implement our own custom autograd Functions by subclassing
 * autograd.Function and implementing the forward and backward passes
 * which operate on Tensors.
 */
class LegendrePolynomial3 extends autograd.Function {
  /**
   * In the forward pass we receive a Tensor containing the input and return
   * a Tensor containing the output. ctx is a context object that can be used
   * to stash information for backward computation. You can cache arbitrary
   * objects for use in the backward pass using the ctx.saveForBackward method.
   */
  static override forward(ctx: autograd.FunctionCtx, input: Tensor): Tensor {
    ctx.saveForBackward(input);
    return input.pow(3).mul(5).sub(input.mul(3)).mul(0.5);
  }

  /**
   * In the backward pass we receive a Tensor containing the gradient of the loss
   * with respect to the output, and we need to compute the gradient of the loss
   * with respect to the input.
   */
  static override backward(ctx: autograd.FunctionCtx, gradOutput: Tensor): Tensor {
    const [input] = ctx.savedTensors;
    return gradOutput.mul(1.5).mul(input.pow(2).mul(5).sub(1));
  }
}

// Create Tensors to hold input and outputs.
// By default, requiresGrad=false, which indicates that we do not need to
// compute gradients with respect to these Tensors during the backward pass.
const x = linspace(-Math.PI, Math.PI, 2000, { dtype: "float32" });
const y = x.sin();

// Create random Tensors for weights. For this example, we need
// 4 weights: y = a + b * P3(c + d * x), these weights need to be initialized
// not too far from the correct result to ensure convergence.
// Setting requiresGrad=true indicates that we want to compute gradients with
// respect to these Tensors during the backward pass.
const a = full([], 0.0, { dtype: "float32", requiresGrad: true });
const b = full([], -1.0, { dtype: "float32", requiresGrad: true });
const c = full([], 0.0, { dtype: "float32", requiresGrad: true });
const d = full([], 0.3, { dtype: "float32", requiresGrad: true });

const learningRate = 5e-6;
for (let t = 0; t < 2000; t++) {
  // To apply our Function, we use Function.apply method. We alias this as 'P3'.
  const P3 = LegendrePolynomial3.apply;

  // Forward pass: compute predicted y using operations; we compute
  // P3 using our custom autograd operation.
  const yPred = a.add(b.mul(P3(c.add(d.mul(x)))));

  // Compute and print loss
  const loss = yPred.sub(y).pow(2).sum();
  if (t % 100 === 99) console.log(t, loss.item());

  // Use autograd to compute the backward pass.
  loss.backward();

  // Update weights using gradient descent
  noGrad(() => {
    a.sub_(a.grad!.mul(learningRate));
    b.sub_(b.grad!.mul(learningRate));
    c.sub_(c.grad!.mul(learningRate));
    d.sub_(d.grad!.mul(learningRate));

    // Manually zero the gradients after updating the weights
    a.grad = null;
    b.grad = null;
    c.grad = null;
    d.grad = null;
  });
}

console.log(`Result: y = ${a.item()} + ${b.item()} * P3(${c.item()} + ${d.item()} x)`);

// "Learning PyTorch with Examples", "PyTorch: optim": the same Linear model over (x, x^2, x^3), trained by
// optim.RMSprop. It prints what PyTorch 1.13 prints for the tutorial's code.
import { linspace, nn, optim, tensor } from "gradlens";

// Create Tensors to hold input and outputs.
const x = linspace(-Math.PI, Math.PI, 2000);
const y = x.sin();

// Prepare the input tensor (x, x^2, x^3).
const p = tensor([1, 2, 3]);
const xx = x.unsqueeze(-1).pow(p);

// Use the nn package to define our model and loss function.
const model = new nn.Sequential(new nn.Linear(3, 1), new nn.Flatten(0, 1));
const lossFn = new nn.MSELoss({ reduction: "sum" });

// Use the optim package to define an Optimizer that will update the weights of
// the model for us. Here we will use RMSprop; the optim package contains many other
// optimization algorithms. The first argument to the RMSprop constructor tells the
// optimizer which Tensors it should update.
const learningRate = 1e-3;
const optimizer = new optim.RMSprop(model.parameters(), { lr: learningRate });
for (let t = 0; t < 2000; t++) {
  // Forward pass: compute predicted y by passing x to the model.
  const yPred = model(xx);

  // Compute and print loss.
  const loss = lossFn(yPred, y);
  if (t % 100 === 99) console.log(t, loss.item());

  // Before the backward pass, use the optimizer object to zero all of the
  // gradients for the variables it will update (which are the learnable
  // weights of the model). This is because by default, gradients are
  // accumulated in buffers( i.e, not overwritten) whenever .backward()
  // is called. Checkout docs of torch.autograd.backward for more details.
  optimizer.zeroGrad();

  // Backward pass: compute gradient of the loss with respect to model
  // parameters
  loss.backward();

  // Calling the step function on an Optimizer makes an update to its
  // parameters
  optimizer.step();
}

const linearLayer = model.get(0) as nn.Linear;
const w = linearLayer.weight;
console.log(`Result: y = ${linearLayer.bias!.item()} + ${w.index(":, 0").item()} x + ${w.index(":, 1").item()} x^2 + ${w.index(":, 2").item()} x^3`);

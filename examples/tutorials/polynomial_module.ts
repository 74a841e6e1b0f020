// "Learning PyTorch with Examples", "PyTorch: Custom nn Modules": Polynomial3, a Module of four Parameters with a
// method of its own, trained by optim.SGD. It prints what PyTorch 1.13 prints for the tutorial's code.
import { linspace, nn, optim, randn, type Tensor } from "gradlens";

class Polynomial3 extends nn.Module {
  // In the constructor we instantiate four parameters and assign them as
  // member parameters (assigned properties are registered, as in PyTorch).
  a = new nn.Parameter(randn([]));
  b = new nn.Parameter(randn([]));
  c = new nn.Parameter(randn([]));
  d = new nn.Parameter(randn([]));

  // In the forward function we accept a Tensor of input data and we must return
  // a Tensor of output data. We can use Modules defined in the constructor as
  // well as arbitrary operators on Tensors.
  forward(x: Tensor): Tensor {
    return this.a.add(this.b.mul(x)).add(this.c.mul(x.pow(2))).add(this.d.mul(x.pow(3)));
  }

  // Just like any class, you can also define custom methods on modules
  string(): string {
    return `y = ${this.a.item()} + ${this.b.item()} x + ${this.c.item()} x^2 + ${this.d.item()} x^3`;
  }
}

// Create Tensors to hold input and outputs.
const x = linspace(-Math.PI, Math.PI, 2000);
const y = x.sin();

// Construct our model by instantiating the class defined above
const model = new Polynomial3();

// Construct our loss function and an Optimizer. The call to model.parameters()
// in the SGD constructor will contain the learnable parameters (defined
// with nn.Parameter) which are members of the model.
const criterion = new nn.MSELoss({ reduction: "sum" });
const optimizer = new optim.SGD(model.parameters(), { lr: 1e-6 });
for (let t = 0; t < 2000; t++) {
  // Forward pass: Compute predicted y by passing x to the model
  const yPred = model(x);

  // Compute and print loss
  const loss = criterion(yPred, y);
  if (t % 100 === 99) console.log(t, loss.item());

  // Zero gradients, perform a backward pass, and update the weights.
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
}

console.log(`Result: ${model.string()}`);

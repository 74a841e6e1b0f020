// "Learning PyTorch with Examples", "PyTorch: Control Flow + Weight Sharing": DynamicNet adds a random number of
// terms that all share the parameter e. The tutorial draws that number with Python's random.randint; here, and in
// the Python original the test runs, it is drawn with randint from a seeded Generator, so both make the same choices
// and print the same numbers.
import { Generator, linspace, nn, optim, randint, randn, type Tensor } from "gradlens";

const choice = new Generator().manualSeed(0);

class DynamicNet extends nn.Module {
  // In the constructor we instantiate five parameters and assign them as members.
  a = new nn.Parameter(randn([]));
  b = new nn.Parameter(randn([]));
  c = new nn.Parameter(randn([]));
  d = new nn.Parameter(randn([]));
  e = new nn.Parameter(randn([]));

  // For the forward pass of the model, we randomly choose either 4, 5
  // and reuse the e parameter to compute the contribution of these orders.
  //
  // Since each forward pass builds a dynamic computation graph, we can use normal
  // control-flow statements like loops or conditional statements when
  // defining the forward pass of the model.
  //
  // Here we also see that it is perfectly safe to reuse the same parameter many
  // times when defining a computational graph.
  forward(x: Tensor): Tensor {
    let y = this.a.add(this.b.mul(x)).add(this.c.mul(x.pow(2))).add(this.d.mul(x.pow(3)));
    const end = randint(4, 7, [], { generator: choice }).item();
    for (let exp = 4; exp < end; exp++) {
      y = y.add(this.e.mul(x.pow(exp)));
    }
    return y;
  }

  // Just like any class, you can also define custom methods on modules
  string(): string {
    return `y = ${this.a.item()} + ${this.b.item()} x + ${this.c.item()} x^2 + ${this.d.item()} x^3 + ${this.e.item()} x^4 ? + ${this.e.item()} x^5 ?`;
  }
}

// Create Tensors to hold input and outputs.
const x = linspace(-Math.PI, Math.PI, 2000);
const y = x.sin();

// Construct our model by instantiating the class defined above
const model = new DynamicNet();

// Construct our loss function and an Optimizer. Training this strange model with
// vanilla stochastic gradient descent is tough, so we use momentum
const criterion = new nn.MSELoss({ reduction: "sum" });
const optimizer = new optim.SGD(model.parameters(), { lr: 1e-8, momentum: 0.9 });
for (let t = 0; t < 30000; t++) {
  // Forward pass: Compute predicted y by passing x to the model
  const yPred = model(x);

  // Compute and print loss
  const loss = criterion(yPred, y);
  if (t % 2000 === 1999) console.log(t, loss.item());

  // Zero gradients, perform a backward pass, and update the weights.
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
}

console.log(`Result: ${model.string()}`);

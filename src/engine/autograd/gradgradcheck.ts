/**
 * autograd.gradgradcheck, as PyTorch's: the second derivatives of fn checked by running gradcheck on the function
 * (inputs, v) ↦ the gradient of fn's outputs with respect to the inputs, weighted by v, built with createGraph. The
 * weights v (PyTorch's grad_outputs) are random unless given, and are inputs of that function too, so the check also
 * covers a backward's linearity in the incoming gradient.
 */
import { RuntimeError } from "../errors";
import { Tensor } from "../tensor";
import { grad } from "./backward";
import { CheckRandom } from "./check_random";
import { withGradMode } from "./grad_mode";
import { type GradcheckOptions, gradcheck } from "./gradcheck";

type Fn = (...inputs: Tensor[]) => Tensor | Tensor[];

export interface GradgradcheckOptions extends GradcheckOptions {
  /** The weights of fn's outputs (PyTorch's grad_outputs); random in [-1, 1) by default. */
  gradOutputs?: Tensor | Tensor[] | null;
}

function asList(out: Tensor | Tensor[]): Tensor[] {
  return Array.isArray(out) ? out : [out];
}

export function gradgradcheck(fn: Fn, inputs: Tensor | Tensor[], options: GradgradcheckOptions = {}): boolean {
  const xs = Array.isArray(inputs) ? inputs : [inputs];
  const outputs = asList(fn(...xs)).filter((o) => o.requiresGrad);
  if (!outputs.length) throw new RuntimeError("gradgradcheck: none of the outputs of fn requires grad");
  let weights: Tensor[];
  if (options.gradOutputs) {
    weights = asList(options.gradOutputs);
  } else {
    const random = new CheckRandom(7);
    weights = outputs.map((o) => Tensor.fromData(random.vector(o.numel()), o.shape.slice(), "float64").to(o.dtype).requiresGrad_(true));
  }
  const n = xs.length;
  const differentiable = xs.filter((x) => x.requiresGrad);
  // gradcheck evaluates its function without grad for the finite differences; this one needs grad either way.
  const firstDerivative = (...args: Tensor[]): Tensor[] =>
    withGradMode(true, () => {
      const ins = args.slice(0, n);
      const vs = args.slice(n);
      const outs = asList(fn(...ins)).filter((o) => o.requiresGrad);
      const wrt = ins.filter((x) => x.requiresGrad);
      const grads = grad(outs, wrt, { gradOutputs: vs, createGraph: true, allowUnused: true });
      return grads.filter((g): g is Tensor => g !== null);
    });
  if (!differentiable.length) throw new RuntimeError("gradgradcheck expects at least one input tensor to require gradient");
  return gradcheck(firstDerivative, [...xs, ...weights], options);
}

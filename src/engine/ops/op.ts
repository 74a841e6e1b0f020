/**
 * An op is one entry: its forward, its backward and PyTorch's name for its grad_fn. `apply` is the one place that
 * turns a forward into a graph node; the backward walk, printing, replay and numerical checks all read `OpDef`s and
 * need no edit when an op is added.
 */
import { isGradEnabled, withGradMode } from "../autograd/grad_mode";
import { GradFn } from "../autograd/node";
import { isFloating } from "../dtype";
import { recorder, unrecorded } from "../recorder";
import type { Tensor } from "../tensor";

export interface BackwardContext<A> {
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  readonly attrs: A;
  /** Per input: whether its gradient is wanted; a backward may skip the work for the others. */
  readonly needsInputGrad: readonly boolean[];
}

export interface OpDef<A = unknown> {
  /** The op's own name (`mul`), as the trace and replay refer to it. */
  readonly name: string;
  /** PyTorch's class name of the grad_fn (`MulBackward0`); a function where it depends on the call. */
  readonly gradFnName: string | ((attrs: A, inputs: readonly Tensor[]) => string);
  /** Computes the result, never recording a graph (inputs are read, never written). */
  forward(inputs: readonly Tensor[], attrs: A): Tensor;
  /** The gradient of each input given the gradient of the output, written with differentiable tensor ops so that
   * `createGraph` works; null where an input gets no gradient. Broadcast inputs may get a gradient of the output's
   * shape: the engine sums it down to the input's shape. */
  backward(ctx: BackwardContext<A>, grad: Tensor): Array<Tensor | null>;
  /** What the backward reads, so that an in-place change to it before backward is caught (PyTorch's version check)
   * and a second backward through a freed graph is refused. */
  readonly saves?: { readonly inputs?: readonly number[]; readonly output?: boolean };
  /** False for ops whose result never requires grad (comparisons, argmax). */
  readonly differentiable?: boolean;
  /** Attributes for running forward then backward afresh on other values, for ops whose backward reads state their
   * forward saved (user-defined Functions' ctx). Numerical checks use it; most ops need none. */
  readonly freshAttrs?: (attrs: A) => A;
}

export function defineOp<A = void>(def: OpDef<A>): OpDef<A> {
  return def;
}

/** For forwards written with other ops: computes without recording a graph or telling the recorder. */
export function composite<T>(fn: () => T): T {
  return unrecorded(() => withGradMode(false, fn));
}

/** Runs an op: its forward, then (when grad mode is on and an input requires grad) the node that records it. */
export function apply<A>(op: OpDef<A>, inputs: readonly Tensor[], attrs: A): Tensor {
  const out = op.forward(inputs, attrs);
  // Only floating tensors carry gradients: `x.long()` or `x.gt(0)` never require grad.
  if (op.differentiable !== false && isFloating(out.dtype) && isGradEnabled()) {
    for (let i = 0; i < inputs.length; i++) {
      if (inputs[i].requiresGrad) {
        out.gradFn = new GradFn(op as unknown as OpDef<unknown>, inputs, attrs, out);
        break;
      }
    }
  }
  if (recorder.current) recorder.current.onTensor(out, op as unknown as OpDef<unknown>, inputs, attrs);
  return out;
}

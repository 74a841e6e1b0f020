/**
 * An op is one entry: its forward, its backward and PyTorch's name for its grad_fn. `apply` is the one place that
 * turns a forward into a graph node (and a view op's result into a view of its input); the backward walk, printing,
 * replay and numerical checks all read `OpDef`s and need no edit when an op is added.
 */
import { isGradEnabled, withGradMode } from "../autograd/grad_mode";
import { GradFn } from "../autograd/node";
import { isFloating } from "../dtype";
import { recorder, unrecorded } from "../recorder";
import type { Tensor, ViewCreation } from "../tensor";

export interface BackwardContext<A> {
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  readonly attrs: A;
  /** Per input: whether its gradient is wanted; a backward may skip the work for the others. */
  readonly needsInputGrad: readonly boolean[];
}

interface OpDefCommon<A> {
  /** The op's own name (`mul`), as the trace and replay refer to it. */
  readonly name: string;
  /** PyTorch's class name of the grad_fn (`MulBackward0`); a function where it depends on the call. */
  readonly gradFnName: string | ((attrs: A, inputs: readonly Tensor[]) => string);
  /** What the backward reads, so that an in-place change to it before backward is caught (PyTorch's version check)
   * and a second backward through a freed graph is refused. `inputs` may depend on which inputs need a gradient, as
   * PyTorch saves `self` for mul only when `other` requires grad (so `a * 2` then `a.add_(1)` is no error). */
  readonly saves?: { readonly inputs?: readonly number[] | ((needsGrad: readonly boolean[]) => readonly number[]); readonly output?: boolean };
  /** False for ops whose result never requires grad (comparisons, argmax). */
  readonly differentiable?: boolean;
  /** A view op: its forward returns a tensor sharing the first input's storage (and version counter), and the result
   * becomes a view of that input's base, as PyTorch's view ops do. */
  readonly view?: boolean;
  /** Why, for these attributes, the op's backward is deliberately not the derivative of its forward (embedding's
   * padding_idx keeps a row's gradient at zero), or null when it is. The numerical checks then do not judge the op,
   * nor the leaves whose gradient flows through it, and say why. */
  readonly notDerivative?: (attrs: A) => string | null;
  /** Attributes for running forward then backward afresh on other values, for ops whose backward reads state their
   * forward saved (user-defined Functions' ctx). Numerical checks use it; most ops need none. */
  readonly freshAttrs?: (attrs: A) => A;
  /** For the numerical check of a node: maps a random direction for input `index` onto the directions the op's
   * gradient is defined along, where those are a subspace (eigh and cholesky take a symmetric matrix, read one triangle
   * of it, and have PyTorch's symmetric gradient). Most ops need none. */
  readonly checkDirection?: (direction: Float64Array, input: Tensor, index: number, attrs: A) => Float64Array;
}

export interface OpDef<A = unknown> extends OpDefCommon<A> {
  readonly multiOutput?: false;
  /** Computes the result, never recording a graph (inputs are read, never written). */
  forward(inputs: readonly Tensor[], attrs: A): Tensor;
  /** The gradient of each input given the gradient of the output, written with differentiable tensor ops so that
   * `createGraph` works; null where an input gets no gradient. Broadcast inputs may get a gradient of the output's
   * shape: the engine sums it down to the input's shape. */
  backward(ctx: BackwardContext<A>, grad: Tensor): Array<Tensor | null>;
}

export interface MultiBackwardContext<A> extends BackwardContext<A> {
  readonly outputs: readonly Tensor[];
}

/** An op with several differentiable outputs under one node (unbind, split, var_mean, qr...): PyTorch's graph has one
 * node there, and each output is `output i` of it. */
export interface MultiOpDef<A = unknown> extends OpDefCommon<A> {
  readonly multiOutput: true;
  forward(inputs: readonly Tensor[], attrs: A): Tensor[];
  /** Outputs that never require grad though they are floating (a user Function's markNonDifferentiable), read after
   * forward ran; the numerical checks give them no gradient. */
  readonly nonDifferentiableOutputs?: (attrs: A) => readonly number[];
  /** `grads[i]` is null for an output no gradient reached. */
  backward(ctx: MultiBackwardContext<A>, grads: ReadonlyArray<Tensor | null>): Array<Tensor | null>;
}

/** An op of any attributes, as the graph holds it (each node keeps its own attrs beside its op). */
export type AnyOpDef = OpDef<unknown> | MultiOpDef<unknown>;

export function defineOp<A = void>(def: OpDef<A>): OpDef<A> {
  return def;
}

export function defineMultiOp<A = void>(def: Omit<MultiOpDef<A>, "multiOutput">): MultiOpDef<A> {
  return { ...def, multiOutput: true };
}

/** For forwards written with other ops: computes without recording a graph or telling the recorder. */
export function composite<T>(fn: () => T): T {
  return unrecorded(() => withGradMode(false, fn));
}

function needsNode<A>(op: OpDefCommon<A>, inputs: readonly Tensor[], out: Tensor): boolean {
  // Only floating tensors carry gradients: `x.long()` or `x.gt(0)` never require grad.
  if (op.differentiable === false || !isFloating(out.dtype) || !isGradEnabled()) return false;
  for (let i = 0; i < inputs.length; i++) if (inputs[i].requiresGrad) return true;
  return false;
}

/** Set by autograd/forward_ad.ts while a dual level is open: computes the tangents of an op's outputs from those of
 * its inputs (from the op's own backward, so it needs nothing per op). Called for the ops a user's code applies, not
 * for those inside another op's forward. */
export const forwardAdHooks: { propagate: ((op: AnyOpDef, inputs: readonly Tensor[], attrs: unknown, outputs: readonly Tensor[]) => void) | null } = { propagate: null };

let forwardNesting = 0;

function nestedForward<T>(run: () => T): T {
  forwardNesting++;
  try {
    return run();
  } finally {
    forwardNesting--;
  }
}

/** Runs an op: its forward, then (when grad mode is on and an input requires grad) the node that records it. */
export function apply<A>(op: OpDef<A>, inputs: readonly Tensor[], attrs: A): Tensor {
  const propagate = forwardAdHooks.propagate;
  const out = propagate === null ? op.forward(inputs, attrs) : nestedForward(() => op.forward(inputs, attrs));
  if (op.view) markView(out, inputs[0], isGradEnabled() ? "default" : "noGrad");
  if (needsNode(op, inputs, out)) out.gradFn = new GradFn(op as unknown as AnyOpDef, inputs, attrs, out);
  if (recorder.current) recorder.current.onTensor(out, op as unknown as AnyOpDef, inputs, attrs);
  if (propagate !== null && forwardNesting === 0) propagate(op as unknown as AnyOpDef, inputs, attrs, [out]);
  return out;
}

/** `apply` for an op with several outputs; they share one node, and output i knows it is output i. */
export function applyMulti<A>(op: MultiOpDef<A>, inputs: readonly Tensor[], attrs: A): Tensor[] {
  const propagate = forwardAdHooks.propagate;
  const outs = propagate === null ? op.forward(inputs, attrs) : nestedForward(() => op.forward(inputs, attrs));
  if (op.view) for (const out of outs) markView(out, inputs[0], isGradEnabled() ? "multiOutput" : "noGrad");
  const excluded = op.nonDifferentiableOutputs?.(attrs) ?? [];
  const differentiable = outs.filter((o, i) => !excluded.includes(i) && needsNode(op, inputs, o));
  if (differentiable.length) {
    const fn = new GradFn(op as unknown as AnyOpDef, inputs, attrs, outs);
    outs.forEach((out, i) => {
      // An output marked not differentiable is no output of the node (PyTorch leaves its output_nr at 0).
      if (excluded.includes(i)) return;
      out._outputNr = i;
      if (isFloating(out.dtype)) out.gradFn = fn;
    });
  }
  if (recorder.current) for (const out of outs) recorder.current.onTensor(out, op as unknown as AnyOpDef, inputs, attrs);
  if (propagate !== null && forwardNesting === 0) propagate(op as unknown as AnyOpDef, inputs, attrs, outs);
  return outs;
}

/** Makes `view` (which already shares `source`'s storage and version counter) a view of source's base. */
function markView(view: Tensor, source: Tensor, creation: ViewCreation): void {
  const parent = source._viewMeta;
  view._viewMeta = {
    base: parent ? parent.base : source,
    // A view of a view keeps its parent's reason unless it has one of its own (PyTorch's propagate_creation_meta).
    creation: parent && creation === "default" ? parent.creation : creation,
    attrVersion: view._storage.version,
  };
}

/** Any op's forward, its outputs as a list (the replay and the checks treat every op alike). */
export function forwardOf(op: AnyOpDef, inputs: readonly Tensor[], attrs: unknown): Tensor[] {
  return op.multiOutput ? op.forward(inputs, attrs) : [op.forward(inputs, attrs)];
}

/** Any op's backward, given the gradient of each output (null where none reached it). */
export function backwardOf(
  op: AnyOpDef,
  ctx: { inputs: readonly Tensor[]; outputs: readonly Tensor[]; attrs: unknown; needsInputGrad: readonly boolean[] },
  grads: ReadonlyArray<Tensor | null>,
): Array<Tensor | null> {
  if (op.multiOutput) return op.backward({ ...ctx, output: ctx.outputs[0] }, grads);
  return op.backward({ ...ctx, output: ctx.outputs[0] }, grads[0]!);
}

/**
 * The hook through which the runner watches the engine. The engine calls it at the few points where something a user
 * would want to see happens; with no recorder set, each call is one property read.
 */
import type { Node } from "./autograd/node";
import type { OpDef } from "./ops/op";
import type { Tensor } from "./tensor";

export interface Recorder {
  /** A tensor was made by an op (with the op, its inputs and attributes) or a creator (without). */
  onTensor(t: Tensor, op?: OpDef<unknown>, inputs?: readonly Tensor[], attrs?: unknown): void;
  /** A tensor's values changed in place (add_, copy_, detach_, an optimizer step...). */
  onModified(t: Tensor): void;
  /** `backward()` (or `autograd.grad`) is about to run. */
  onBackwardStart?(root: Tensor): void;
  /** `backward()` (or `autograd.grad`) finished; `leaves` are the leaves its gradient reached, `gradient` what the
   * user passed for a non-scalar root. */
  onBackward(root: Tensor, leaves: readonly Tensor[], accumulated: boolean, gradient: Tensor | null): void;
  /** In a backward walk, the gradient that reached a node (for a GradFn, what `retainGrad()` would keep for its
   * output; for an AccumulateGrad, the leaf's share), and what the node's backward made of it (null for a leaf). */
  onNodeGradient?(node: Node, grad: Tensor, inputGrads: ReadonlyArray<Tensor | null> | null): void;
  /** A tensor's values left its graph: `detach()`, `detach_()`, `.data`, `item()`, `tolist()`. */
  onCut?(source: Tensor, how: "detach" | "detach_" | "data" | "item" | "tolist"): void;
  /** An optimizer's `step()` starts (done = false) or has updated every parameter (done = true). */
  onOptimizerStep?(optimizer: { readonly params: readonly Tensor[] }, done: boolean): void;
  /** A module's `call()` starts; the function returned is called with its output when it ends (null if it threw). */
  onModuleCall?(module: object, inputs: readonly Tensor[]): ((output: Tensor | null) => void) | void;
  /** A warning PyTorch would print (UserWarning). */
  onWarning(message: string): void;
}

export const recorder: { current: Recorder | null } = { current: null };

export function setRecorder(r: Recorder | null): void {
  recorder.current = r;
}

/** Runs engine-internal work (a composite forward, a backward pass) without the recorder seeing its tensors. */
export function unrecorded<T>(fn: () => T): T {
  const saved = recorder.current;
  recorder.current = null;
  try {
    return fn();
  } finally {
    recorder.current = saved;
  }
}

const warned = new Set<string>();

/** PyTorch prints a UserWarning once per place; the recorder sees every one, the console the first. */
export function warn(message: string): void {
  if (recorder.current) {
    recorder.current.onWarning(message);
    return;
  }
  if (warned.has(message)) return;
  warned.add(message);
  console.warn(`UserWarning: ${message}`);
}

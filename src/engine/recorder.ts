/**
 * The hook through which the runner watches the engine. The engine calls it at the few points where something a user
 * would want to see happens; with no recorder set, each call is one property read.
 */
import type { Node } from "./autograd/node";
import type { AnyOpDef } from "./ops/op";
import type { Tensor } from "./tensor";

export interface Recorder {
  /** A tensor was made by an op (with the op, its inputs and attributes) or a creator (without). */
  onTensor(t: Tensor, op?: AnyOpDef, inputs?: readonly Tensor[], attrs?: unknown): void;
  /** A tensor's values changed in place (add_, copy_, detach_, an optimizer step...). */
  onModified(t: Tensor): void;
  /** `backward()` (or `autograd.grad`) is about to run. */
  onBackwardStart?(root: Tensor): void;
  /** `backward()` (or `autograd.grad`) finished; `leaves` are the leaves its gradient reached, `gradient` what the
   * user passed for a non-scalar root. */
  onBackward(root: Tensor, leaves: readonly Tensor[], accumulated: boolean, gradient: Tensor | null): void;
  /** In a backward walk, the gradient that reached a node's output (for a GradFn, what `retainGrad()` would keep for
   * that output — one call per output that got one; for an AccumulateGrad, the leaf's share), and what the node's
   * backward made (null for a leaf). */
  onNodeGradient?(node: Node, grad: Tensor, inputGrads: ReadonlyArray<Tensor | null> | null, output: Tensor): void;
  /** A tensor's values left its graph: `detach()`, `detach_()`, `.data`, `item()`, `tolist()`. */
  onCut?(source: Tensor, how: "detach" | "detach_" | "data" | "item" | "tolist"): void;
  /** An optimizer's `step()` is about to update its parameters (done = false), or has updated them (done = true). */
  onOptimizerStep?(optimizer: object, params: readonly Tensor[], done: boolean): void;
  /** A warning PyTorch would print (UserWarning). */
  onWarning(message: string): void;
  /** A module's `call()` starts; the function returned is called with its output when it ends (null if it threw). */
  onModuleCall?(module: object, inputs: readonly Tensor[]): ((output: Tensor | null) => void) | void;
  /** Something Gradlens did differently from PyTorch on purpose, for the user to know (not a warning). */
  onNote?(message: string): void;
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

/** Tells the recorder (if any) of a deliberate difference from PyTorch; outside the runner it is silent. */
export function note(message: string): void {
  recorder.current?.onNote?.(message);
}

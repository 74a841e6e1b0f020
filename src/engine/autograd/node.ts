/**
 * The nodes of the backward graph. A `GradFn` is made by an op (PyTorch's `grad_fn`); it keeps the op, its inputs
 * and attributes, which is all that is needed both to run the op's backward and to run its forward again
 * (replay, for numerical checks). Leaves are reached through their `AccumulateGrad` node.
 */
import type { OpDef } from "../ops/op";
import type { Tensor } from "../tensor";

export type NextFunction = [Node | null, number];

export abstract class Node {
  /** Higher runs first among the nodes ready in backward, as PyTorch's sequence numbers order them. */
  abstract readonly seq: number;
  abstract get name(): string;
  abstract get nextFunctions(): NextFunction[];

  // Bookkeeping of the backward walk, kept on the node rather than in maps because the walk touches every node.
  /** @internal Which walk the fields below belong to. */
  _walk = 0;
  /** @internal Edges into this node not yet processed in the current walk. */
  _dependencies = 0;
  /** @internal The gradient summed so far for this node in the current walk. */
  _pending: Tensor | null = null;

  toString(): string {
    return `<${this.name} object>`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

let nextSeq = 0;

export class GradFn extends Node {
  readonly seq = ++nextSeq;
  /** Set when a backward without `retainGraph` has run through this node. */
  released = false;
  /** Storage versions of what the op saved for backward, taken when the op ran (null when it saved nothing). */
  readonly savedVersions: number[] | null;
  /** Where each input's gradient goes, fixed when the op ran (a later in-place op must not reroute it). */
  readonly next: ReadonlyArray<Node | null>;

  constructor(
    readonly op: OpDef<unknown>,
    readonly inputs: readonly Tensor[],
    readonly attrs: unknown,
    readonly output: Tensor,
  ) {
    super();
    this.savedVersions = savedVersionsOf(op, inputs, output);
    this.next = inputs.map(edgeTo);
  }

  get name(): string {
    const n = this.op.gradFnName;
    return typeof n === "string" ? n : n(this.attrs, this.inputs);
  }

  get nextFunctions(): NextFunction[] {
    return this.next.map((node, i): NextFunction => [node, this.inputs[i]._outputNr]);
  }
}

function savedVersionsOf(op: OpDef<unknown>, inputs: readonly Tensor[], output: Tensor): number[] | null {
  const s = op.saves;
  if (!s) return null;
  let versions: number[] | null = null;
  if (s.inputs) for (const i of s.inputs) (versions ??= []).push(inputs[i]._storage.version);
  if (s.output) (versions ??= []).push(output._storage.version);
  return versions;
}

/** The tensors an op keeps for its backward, in the order PyTorch reports them. */
export function savedTensors<A>(op: OpDef<A>, inputs: readonly Tensor[], output: Tensor): Tensor[] | null {
  const s = op.saves;
  if (!s) return null;
  const list = (s.inputs ?? []).map((i) => inputs[i]);
  if (s.output) list.push(output);
  return list.length ? list : null;
}

export class AccumulateGrad extends Node {
  readonly seq = Number.POSITIVE_INFINITY;
  readonly name = "AccumulateGrad";

  constructor(readonly variable: Tensor) {
    super();
  }

  get nextFunctions(): NextFunction[] {
    return [];
  }
}

/** Where the gradient for `t` goes: its grad_fn, its AccumulateGrad if it is a leaf that requires grad, or nowhere. */
export function edgeTo(t: Tensor): Node | null {
  if (t.gradFn) return t.gradFn;
  if (t._requiresGrad) return (t._accumulator ??= new AccumulateGrad(t));
  return null;
}

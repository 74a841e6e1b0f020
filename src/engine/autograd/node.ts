/**
 * The nodes of the backward graph. A `GradFn` is made by an op (PyTorch's `grad_fn`); it keeps the op, its inputs,
 * attributes and outputs, which is all that is needed both to run the op's backward and to run its forward again
 * (replay, for numerical checks). Leaves are reached through their `AccumulateGrad` node.
 */
import type { AnyOpDef } from "../ops/op";
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
  /** @internal The gradient summed so far for output 0 of this node in the current walk... */
  _pending: Tensor | null = null;
  /** @internal ...and for its other outputs (only nodes with several outputs have them). */
  _pendingMore: Array<Tensor | null> | null = null;

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
  /** The versions of what the backward reads (`savedTensors`), taken when the op ran; null when it saves nothing. */
  savedVersions: number[] | null;
  /** Which inputs the backward reads. */
  readonly savedInputs: readonly number[];
  /** Where each input's gradient goes, fixed when the op ran (a later in-place op must not reroute it). */
  readonly next: ReadonlyArray<Node | null>;

  /** The first (for most ops the only) output; an in-place op puts the tensor it wrote into in place of its result. */
  output: Tensor;
  /** Every output, for an op that has several; null for the others (a list per node would cost every op). */
  private readonly _outputs: Tensor[] | null;

  constructor(
    readonly op: AnyOpDef,
    readonly inputs: readonly Tensor[],
    readonly attrs: unknown,
    outputs: Tensor | Tensor[],
    /** Edges already taken (CopySlices reuses the in-place op's: read after the write, a view input's grad_fn would
     * have been made anew). */
    edges?: ReadonlyArray<Node | null>,
  ) {
    super();
    if (Array.isArray(outputs)) {
      this._outputs = outputs;
      this.output = outputs[0];
    } else {
      this._outputs = null;
      this.output = outputs;
    }
    const next = edges ? edges.slice() : new Array<Node | null>(inputs.length);
    if (!edges) for (let i = 0; i < inputs.length; i++) next[i] = edgeTo(inputs[i]);
    this.next = next;
    const which = op.saves?.inputs;
    this.savedInputs = which === undefined ? NONE : typeof which === "function" ? which(next.map((n) => n !== null)) : which;
    this.savedVersions = savedVersionsOf(this);
  }

  get outputs(): Tensor[] {
    return this._outputs ?? [this.output];
  }

  /** @internal The tensor an in-place op wrote into becomes its output 0. */
  _setOutput(t: Tensor): void {
    this.output = t;
    if (this._outputs) this._outputs[0] = t;
  }

  get name(): string {
    const n = this.op.gradFnName;
    return typeof n === "string" ? n : n(this.attrs, this.inputs);
  }

  get nextFunctions(): NextFunction[] {
    return this.next.map((node, i): NextFunction => [node, this.inputs[i]._outputNr]);
  }

  /** @internal After an in-place op moved its output onto the tensor it wrote into: the saved output is that tensor
   * at its new version (the saved inputs keep theirs, so a write into one of them is still caught). */
  _resave(): void {
    const now = savedVersionsOf(this);
    const inputs = this.savedInputs.length;
    if (now && this.savedVersions) for (let i = inputs; i < now.length; i++) this.savedVersions[i] = now[i];
  }
}

const NONE: readonly number[] = [];

function savedVersionsOf(fn: GradFn): number[] | null {
  const which = fn.savedInputs;
  const output = fn.op.saves?.output === true;
  if (which.length === 0 && !output) return null;
  const versions: number[] = [];
  for (let i = 0; i < which.length; i++) versions.push(fn.inputs[which[i]]._storage.version);
  if (output) for (const t of fn.outputs) versions.push(t._storage.version);
  return versions;
}

/** What a node's backward reads, in the order PyTorch reports them: the saved inputs, then the outputs. */
/** PyTorch's message for a graph whose saved tensors a backward without `retainGraph` has freed. */
export const FREED_GRAPH =
  "Trying to backward through the graph a second time (or directly access saved tensors after they have already " +
  "been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). " +
  "Specify retainGraph: true if you need to backward through the graph a second time or if you need to access " +
  "saved tensors after calling backward.";

export function savedTensors(fn: GradFn): Tensor[] | null {
  const output = fn.op.saves?.output === true;
  if (fn.savedInputs.length === 0 && !output) return null;
  const list = fn.savedInputs.map((i) => fn.inputs[i]);
  if (output) for (const t of fn.outputs) list.push(t);
  return list;
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
  // Only a view's grad_fn may need making anew (see Tensor.gradFn); the field is enough for the rest.
  const fn = t._viewMeta === null ? t._gradFn : t.gradFn;
  if (fn) return fn;
  if (t._requiresGrad) return (t._accumulator ??= new AccumulateGrad(t));
  return null;
}

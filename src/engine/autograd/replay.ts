/**
 * Replay: run a recorded graph's forward again with other values for its leaves — in float64 (what the numerical
 * checks differentiate), in the recorded dtypes (to see whether the graph reproduces what was computed), or in float64
 * with a graph of its own (so that the engine's own backward gives the gradient in float64). Each node keeps its op,
 * attributes and inputs, so this needs no knowledge of any particular op. It touches none of the original tensors.
 *
 * Every replay keeps to a deadline (a graph of a million nodes takes seconds to run once), and the unrecorded ones
 * let go of each intermediate value as soon as the last node that reads it has run, so a long chain replays in
 * constant memory.
 */
import { float64Copy, isFloating } from "../dtype";
import { apply, applyMulti, composite, forwardOf } from "../ops/op";
import { unrecorded } from "../recorder";
import { Tensor } from "../tensor";
import { withGradMode } from "./grad_mode";
import { AccumulateGrad, GradFn, type Node } from "./node";

/** Thrown when a check's time is up in the middle of a replay. */
export class CheckDeadline extends Error {
  override name = "CheckDeadline";
}

/** A point in time (performance.now()) a check must stop at; read every few nodes, not every node. */
export class Deadline {
  private ticks = 0;

  constructor(readonly at: number) {}

  static in(ms: number): Deadline {
    return new Deadline(performance.now() + ms);
  }

  static never(): Deadline {
    return new Deadline(Infinity);
  }

  get remaining(): number {
    return this.at - performance.now();
  }

  get passed(): boolean {
    return performance.now() > this.at;
  }

  /** Throws CheckDeadline once the time is up (looks at the clock every 64 calls). */
  tick(): void {
    if ((++this.ticks & 63) === 0 && performance.now() > this.at) throw new CheckDeadline("the check's time budget ran out");
  }
}

export interface ReplayGraph {
  /** Op nodes, each after every node it reads from. */
  readonly nodes: readonly GradFn[];
  /** The leaves (tensors that require grad) the root depends on, in the order first reached. */
  readonly leaves: readonly Tensor[];
  /** Recomputes the root in float64 from these leaf values (float64, same shapes as the leaves; a leaf not given
   * keeps its current value). */
  run(leafValues: ReadonlyMap<Tensor, Tensor>, deadline?: Deadline): Tensor;
  /** Recomputes the root in the dtypes the snippet used, at the leaves' current values: a faithful graph gives back
   * the root's own value. */
  runRecordedDtypes(deadline?: Deadline): Tensor;
  /** Recomputes the root in float64 at the leaves' current values with a graph of its own: `leaves` are its float64
   * leaves (requiring grad), for the engine's backward to differentiate. */
  runDifferentiable(deadline?: Deadline): { root: Tensor; leaves: Map<Tensor, Tensor> };
  /** The same in the dtypes the snippet used: its backward rounds as the snippet's did, without the hooks or writes
   * that may have changed the gradient backward() left. */
  runDifferentiableRecorded(deadline?: Deadline): { root: Tensor; leaves: Map<Tensor, Tensor> };
  /** Runs every node in float64 at the leaves' current values, handing each node its inputs and outputs as it goes. */
  forEachNode(visit: (node: GradFn, at: ReplayedNode) => void, deadline?: Deadline): void;
}

/** One node's float64 inputs and outputs in a replay. */
export interface ReplayedNode {
  inputs: Tensor[];
  outputs: Tensor[];
}

export function toFloat64(t: Tensor): Tensor {
  if (!isFloating(t.dtype)) return t;
  return Tensor.fromData(float64Copy(t._data), t.shape.slice(), "float64");
}

/** Nodes reachable from root, each listed after its inputs (an explicit stack: graphs may be very deep). */
function topologicalOrder(root: GradFn, deadline: Deadline): GradFn[] {
  const order: GradFn[] = [];
  const seen = new Set<Node>([root]);
  // Two parallel stacks (node, next edge to follow) rather than a pair per frame: a million-node chain is deep.
  const nodes: GradFn[] = [root];
  const edges: number[] = [0];
  while (nodes.length) {
    deadline.tick();
    const top = nodes.length - 1;
    const node = nodes[top];
    const i = edges[top];
    if (i < node.next.length) {
      edges[top] = i + 1;
      const n = node.next[i];
      if (n instanceof GradFn && !seen.has(n)) {
        seen.add(n);
        nodes.push(n);
        edges.push(0);
      }
    } else {
      nodes.pop();
      edges.pop();
      order.push(node);
    }
  }
  return order;
}

/** Where each node's inputs come from, and after which node (by position) each output is read no more. */
function lastReaders(nodes: readonly GradFn[]): Map<GradFn, number> {
  const last = new Map<GradFn, number>();
  nodes.forEach((node, position) => {
    for (const n of node.next) if (n instanceof GradFn) last.set(n, position);
  });
  return last;
}

type Mode = "float64" | "recorded" | "differentiable" | "differentiable-recorded";

export function replayGraph(root: Tensor, deadline: Deadline = Deadline.never()): ReplayGraph {
  if (!root.gradFn) {
    return {
      nodes: [],
      leaves: root.requiresGrad ? [root] : [],
      run: (values) => values.get(root) ?? toFloat64(root),
      runRecordedDtypes: () => root,
      runDifferentiable: () => {
        const leaf = toFloat64(root).requiresGrad_(root.requiresGrad);
        return { root: leaf, leaves: new Map(root.requiresGrad ? [[root, leaf]] : []) };
      },
      runDifferentiableRecorded: () => {
        const leaf = root.detach().requiresGrad_(root.requiresGrad);
        return { root: leaf, leaves: new Map(root.requiresGrad ? [[root, leaf]] : []) };
      },
      forEachNode: () => undefined,
    };
  }
  const rootFn = root.gradFn;
  const nodes = topologicalOrder(rootFn, deadline);
  const leaves: Tensor[] = [];
  const seen = new Set<Tensor>();
  for (const node of nodes) {
    for (const n of node.next) {
      if (n instanceof AccumulateGrad && !seen.has(n.variable)) {
        seen.add(n.variable);
        leaves.push(n.variable);
      }
    }
  }
  const lastRead = lastReaders(nodes);
  const constants = new Map<Tensor, Tensor>();
  const constant64 = (t: Tensor) => {
    let c = constants.get(t);
    if (!c) constants.set(t, (c = toFloat64(t)));
    return c;
  };

  const evaluate = (mode: Mode, leafValue: (leaf: Tensor) => Tensor, d: Deadline, visit?: (node: GradFn, at: ReplayedNode) => void): Tensor => {
    const outputs = new Map<GradFn, Tensor[]>();
    for (let position = 0; position < nodes.length; position++) {
      d.tick();
      const node = nodes[position];
      const inputs = node.inputs.map((t, i) => {
        const from = node.next[i];
        if (from instanceof GradFn) return outputs.get(from)![t._outputNr];
        if (from instanceof AccumulateGrad) return leafValue(from.variable);
        return mode === "recorded" || mode === "differentiable-recorded" ? t : constant64(t);
      });
      let out: Tensor[];
      const op = node.op;
      // A cast back to float32 would throw away the precision a float64 replay is for.
      if ((mode === "float64" || mode === "differentiable") && op.name === "cast" && isFloating(node.output.dtype)) out = [inputs[0]];
      else if (mode === "differentiable" || mode === "differentiable-recorded") {
        const attrs = op.freshAttrs ? op.freshAttrs(node.attrs) : node.attrs;
        out = op.multiOutput ? applyMulti(op, inputs, attrs) : [apply(op, inputs, attrs)];
      } else out = forwardOf(op, inputs, node.attrs);
      outputs.set(node, out);
      visit?.(node, { inputs, outputs: out });
      // The backward of a differentiable replay needs every value; the others need each only until its last reader.
      if (mode !== "differentiable" && mode !== "differentiable-recorded") {
        for (const n of node.next) if (n instanceof GradFn && lastRead.get(n) === position && n !== rootFn) outputs.delete(n);
      }
    }
    return outputs.get(rootFn)![root._outputNr];
  };

  return {
    nodes,
    leaves,
    run: (values, d = deadline) => composite(() => evaluate("float64", (leaf) => values.get(leaf) ?? constant64(leaf), d)),
    runRecordedDtypes: (d = deadline) => composite(() => evaluate("recorded", (leaf) => leaf, d)),
    runDifferentiable: (d = deadline) =>
      unrecorded(() =>
        withGradMode(true, () => {
          const leaves64 = new Map(leaves.map((leaf) => [leaf, toFloat64(leaf).requiresGrad_(true)]));
          const out = evaluate("differentiable", (leaf) => leaves64.get(leaf)!, d);
          return { root: out, leaves: leaves64 };
        }),
      ),
    runDifferentiableRecorded: (d = deadline) =>
      unrecorded(() =>
        withGradMode(true, () => {
          const own = new Map(leaves.map((leaf) => [leaf, leaf.detach().requiresGrad_(true)]));
          const out = evaluate("differentiable-recorded", (leaf) => own.get(leaf)!, d);
          return { root: out, leaves: own };
        }),
      ),
    forEachNode: (visit, d = deadline) => {
      composite(() => evaluate("float64", constant64, d, visit));
    },
  };
}

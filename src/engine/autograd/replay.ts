/**
 * Replay: run a recorded graph's forward again, in float64, with other values for its leaves. Each node keeps its op,
 * attributes and inputs, so this needs no knowledge of any particular op. It touches none of the original tensors.
 */
import { isFloating } from "../dtype";
import { composite, forwardOf } from "../ops/op";
import { Tensor } from "../tensor";
import { AccumulateGrad, GradFn, type Node } from "./node";

export interface ReplayGraph {
  /** Op nodes, each after every node it reads from. */
  readonly nodes: readonly GradFn[];
  /** The leaves (tensors that require grad) the root depends on, in the order first reached. */
  readonly leaves: readonly Tensor[];
  /** Recomputes the root from these leaf values (float64, same shapes as the leaves). */
  run(leafValues: ReadonlyMap<Tensor, Tensor>): Tensor;
  /** The float64 inputs and output of every node at the leaves' current values. */
  trace(): Map<GradFn, ReplayedNode>;
}

/** One node's float64 inputs and outputs in a replay. */
export interface ReplayedNode {
  inputs: Tensor[];
  outputs: Tensor[];
}

export function toFloat64(t: Tensor): Tensor {
  if (!isFloating(t.dtype)) return t;
  return Tensor.fromData(Float64Array.from(t._data), t.shape.slice(), "float64");
}

/** Nodes reachable from root, each listed after its inputs (an explicit stack: graphs may be very deep). */
function topologicalOrder(root: GradFn): GradFn[] {
  const order: GradFn[] = [];
  const state = new Map<Node, 1 | 2>();
  const stack: Array<[GradFn, number]> = [[root, 0]];
  state.set(root, 1);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [node, i] = top;
    if (i < node.next.length) {
      top[1]++;
      const n = node.next[i];
      if (n instanceof GradFn && !state.has(n)) {
        state.set(n, 1);
        stack.push([n, 0]);
      }
    } else {
      stack.pop();
      state.set(node, 2);
      order.push(node);
    }
  }
  return order;
}

export function replayGraph(root: Tensor): ReplayGraph {
  if (!root.gradFn) {
    return {
      nodes: [],
      leaves: root.requiresGrad ? [root] : [],
      run: (values) => values.get(root) ?? toFloat64(root),
      trace: () => new Map(),
    };
  }
  const nodes = topologicalOrder(root.gradFn);
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
  const constants = new Map<Tensor, Tensor>();
  const constant = (t: Tensor) => {
    let c = constants.get(t);
    if (!c) constants.set(t, (c = toFloat64(t)));
    return c;
  };
  const evaluate = (values: ReadonlyMap<Tensor, Tensor>, keep: Map<GradFn, ReplayedNode> | null) =>
    composite(() => {
      const outputs = new Map<GradFn, Tensor[]>();
      for (const node of nodes) {
        const inputs = node.inputs.map((t, i) => {
          const from = node.next[i];
          if (from instanceof GradFn) return outputs.get(from)![t._outputNr];
          if (from instanceof AccumulateGrad) return values.get(from.variable) ?? constant(from.variable);
          return constant(t);
        });
        // A cast back to float32 would throw away the precision the replay is for.
        const out = node.op.name === "cast" && isFloating(node.output.dtype) ? [inputs[0]] : forwardOf(node.op, inputs, node.attrs);
        outputs.set(node, out);
        if (keep) keep.set(node, { inputs, outputs: out });
      }
      return outputs.get(root.gradFn!)![root._outputNr];
    });
  return {
    nodes,
    leaves,
    run: (values) => evaluate(values, null),
    trace: () => {
      const keep = new Map<GradFn, ReplayedNode>();
      evaluate(new Map(), keep);
      return keep;
    },
  };
}

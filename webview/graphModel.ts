/**
 * The graph as the panel draws it: one box per grad_fn node (labelled with the tensor it made) and per leaf, edges
 * in the forward direction (leaves at the top, the loss at the bottom). Past COLLAPSE_AT nodes, the nodes a source
 * line made again and again (a loop) fold into one box per line and op, so 1,000 nodes stay readable.
 */
import type { NodeRecord, TensorRecord, Trace } from "../src/runner/trace";

export const COLLAPSE_AT = 300;

export interface GraphBox {
  key: string;
  /** The trace nodes this box stands for (several when collapsed). */
  nodes: number[];
  title: string;
  subtitle: string;
  kind: "op" | "custom" | "leaf" | "group";
  line: number | null;
  tensor: number | null;
  failing: boolean;
}

export interface GraphModel {
  boxes: GraphBox[];
  /** [from, to] box keys, forward direction. */
  edges: Array<[string, string]>;
  boxOfNode: Map<number, string>;
  collapsed: boolean;
}

function shapeText(t: TensorRecord | undefined): string {
  return t ? `[${t.shape.join(", ")}]` : "";
}

export function buildGraph(trace: Trace): GraphModel {
  const tensors = new Map(trace.tensors.map((t) => [t.id, t]));
  const failing = new Set(trace.backwards.flatMap((b) => b.nodeChecks.filter((c) => c.passed === false).map((c) => c.node)));
  const failingLeaves = new Set(trace.backwards.flatMap((b) => b.checks.filter((c) => c.passed === false).map((c) => c.tensor)));
  const collapsed = trace.nodes.length > COLLAPSE_AT;
  const keyOf = (n: NodeRecord) => (collapsed && n.kind !== "accumulate" ? `g:${n.at?.line ?? 0}:${n.name}` : `n:${n.id}`);
  const boxes = new Map<string, GraphBox>();
  const boxOfNode = new Map<number, string>();
  for (const n of trace.nodes) {
    const key = keyOf(n);
    boxOfNode.set(n.id, key);
    const t = n.tensor !== null ? tensors.get(n.tensor) : undefined;
    const existing = boxes.get(key);
    if (existing) {
      existing.nodes.push(n.id);
      existing.kind = "group";
      existing.subtitle = `×${existing.nodes.length}${n.at ? ` · line ${n.at.line}` : ""}`;
      existing.failing ||= failing.has(n.id);
      continue;
    }
    const leaf = n.kind === "accumulate";
    boxes.set(key, {
      key,
      nodes: [n.id],
      title: leaf ? (t?.name ?? "leaf") : n.name,
      subtitle: leaf ? `${shapeText(t)} leaf` : `${t?.name ? `${t.name} ` : ""}${shapeText(t)}`,
      kind: leaf ? "leaf" : n.kind === "custom" ? "custom" : "op",
      line: n.at?.line ?? null,
      tensor: n.tensor,
      failing: failing.has(n.id) || (leaf && n.tensor !== null && failingLeaves.has(n.tensor)),
    });
  }
  const edges = new Set<string>();
  for (const n of trace.nodes) {
    for (const e of n.next) {
      if (e.node === null) continue;
      const from = boxOfNode.get(e.node);
      const to = boxOfNode.get(n.id);
      if (from && to && from !== to) edges.add(`${from}\u0000${to}`);
    }
  }
  return { boxes: [...boxes.values()], edges: [...edges].map((e) => e.split("\u0000") as [string, string]), boxOfNode, collapsed };
}

/** Boxes on some path from `from` to the root box, following edges forward. */
export function pathToRoot(model: GraphModel, from: string, root: string | null): Set<string> {
  if (!root) return new Set([from]);
  const out = new Map<string, string[]>();
  const back = new Map<string, string[]>();
  for (const [a, b] of model.edges) {
    out.set(a, [...(out.get(a) ?? []), b]);
    back.set(b, [...(back.get(b) ?? []), a]);
  }
  const reach = (start: string, next: Map<string, string[]>) => {
    const seen = new Set([start]);
    const stack = [start];
    while (stack.length) {
      for (const n of next.get(stack.pop()!) ?? []) {
        if (seen.has(n)) continue;
        seen.add(n);
        stack.push(n);
      }
    }
    return seen;
  };
  const down = reach(from, out);
  const up = reach(root, back);
  return new Set([...down].filter((k) => up.has(k)));
}

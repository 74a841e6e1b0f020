/**
 * The graph as the panel draws it: one box per grad_fn node (labelled with the tensor it made) and per leaf, edges
 * in the forward direction (leaves at the top, the loss at the bottom). Past COLLAPSE_AT nodes, the nodes a source
 * line made again and again (a loop) fold into one box per line and op, so 1,000 nodes stay readable.
 */
import type { JsonNumber, ModuleRecord, NodeRecord, TensorRecord, Trace } from "../src/runner/trace";

export const COLLAPSE_AT = 300;

export interface GraphBox {
  key: string;
  /** The trace nodes this box stands for (several when collapsed). */
  nodes: number[];
  title: string;
  subtitle: string;
  kind: "op" | "custom" | "leaf" | "group" | "module";
  line: number | null;
  tensor: number | null;
  failing: boolean;
  /** ‖gradient‖ that reached this box's node in the latest backward through it (null: none reached it). */
  gradNorm: number | null;
  /** The innermost module (ModuleRecord id) that made it; for a module box, that module. */
  module: number | null;
}

export interface GraphModel {
  boxes: GraphBox[];
  /** [from, to] box keys, forward direction. */
  edges: Array<[string, string]>;
  boxOfNode: Map<number, string>;
  collapsed: boolean;
}

function shapeText(t: TensorRecord): string {
  return `[${t.shape.join(", ")}]`;
}

/**
 * A loop that builds a fresh graph each iteration (the seeds' gradient descent, a training loop) leaves many copies
 * of one graph: keep the latest copy of each, and say how many there were. Copies are told apart by their op nodes
 * only: a training loop's copies all end in the same parameters' AccumulateGrad nodes, which would otherwise join
 * them into one. A leaf node stays when a kept copy uses it (or nothing uses it).
 */
function latestOfRepeatedGraphs(nodes: NodeRecord[]): { nodes: NodeRecord[]; repeats: Map<number, number> } {
  const isLeaf = (n: NodeRecord) => n.kind === "accumulate";
  const ops = nodes.filter((n) => !isLeaf(n));
  const parent = new Map<number, number>(ops.map((n) => [n.id, n.id]));
  const find = (x: number): number => {
    while (parent.get(x) !== x) x = parent.get(x)!;
    return x;
  };
  for (const n of ops) for (const e of n.next) if (e.node !== null && parent.has(e.node)) parent.set(find(e.node), find(n.id));
  const components = new Map<number, NodeRecord[]>();
  for (const n of ops) {
    const root = find(n.id);
    const members = components.get(root);
    if (members) members.push(n);
    else components.set(root, [n]);
  }
  const bySignature = new Map<string, NodeRecord[][]>();
  for (const members of components.values()) {
    const signature = members.map((n) => `${n.name}@${n.at?.line ?? 0}`).sort().join("|");
    const copies = bySignature.get(signature);
    if (copies) copies.push(members);
    else bySignature.set(signature, [members]);
  }
  const keptIds = new Set<number>();
  const repeats = new Map<number, number>();
  const newest = (copy: NodeRecord[]) => copy.reduce((m, n) => Math.max(m, n.id), -Infinity);
  for (const copies of bySignature.values()) {
    const latest = copies.reduce((a, b) => (newest(a) > newest(b) ? a : b));
    for (const n of latest) {
      keptIds.add(n.id);
      if (copies.length > 1) repeats.set(n.id, copies.length);
    }
  }
  const used = new Set<number>();
  for (const n of ops) for (const e of n.next) if (e.node !== null) used.add(e.node);
  for (const n of ops) if (keptIds.has(n.id)) for (const e of n.next) if (e.node !== null) keptIds.add(e.node);
  for (const n of nodes) if (isLeaf(n) && !used.has(n.id)) keptIds.add(n.id);
  return { nodes: nodes.filter((n) => keptIds.has(n.id)), repeats };
}

function norm(v: JsonNumber | null): number | null {
  return v === null ? null : typeof v === "number" ? v : v === "nan" ? NaN : Infinity;
}

/** The module a parameter belongs to, from its name (`model.0.weight` belongs to `model.0`). */
function moduleOfName(name: string | null | undefined, modules: readonly ModuleRecord[]): number | null {
  if (!name) return null;
  let best: ModuleRecord | null = null;
  for (const m of modules) if (name.startsWith(`${m.name}.`) && (!best || m.name.length > best.name.length)) best = m;
  return best?.id ?? null;
}

export function buildGraph(trace: Trace): GraphModel {
  const { nodes: shown, repeats } = latestOfRepeatedGraphs(trace.nodes);
  const tensors = new Map(trace.tensors.map((t) => [t.id, t]));
  const failing = new Set(trace.backwards.flatMap((b) => b.nodeChecks.filter((c) => c.passed === false).map((c) => c.node)));
  const failingLeaves = new Set(trace.backwards.flatMap((b) => b.checks.filter((c) => c.passed === false).map((c) => c.tensor)));
  const collapsed = shown.length > COLLAPSE_AT;
  const keyOf = (n: NodeRecord) => (collapsed && n.kind !== "accumulate" ? `g:${n.at?.line ?? 0}:${n.name}` : `n:${n.id}`);
  const boxes = new Map<string, GraphBox>();
  const boxOfNode = new Map<number, string>();
  for (const n of shown) {
    const key = keyOf(n);
    boxOfNode.set(n.id, key);
    const t = n.tensor !== null ? tensors.get(n.tensor) : undefined;
    const existing = boxes.get(key);
    if (existing) {
      existing.nodes.push(n.id);
      const g = norm(n.gradNorm);
      if (g !== null && (existing.gradNorm === null || g > existing.gradNorm)) existing.gradNorm = g;
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
      // A tensor from a middle loop iteration is not kept, so its box has no name or shape to show.
      subtitle: t ? (leaf ? `${shapeText(t)} leaf` : `${t.name ? `${t.name} ` : ""}${shapeText(t)}`) : "not kept",
      kind: leaf ? "leaf" : n.kind === "custom" ? "custom" : "op",
      line: n.at?.line ?? null,
      tensor: n.tensor,
      failing: failing.has(n.id) || (leaf && n.tensor !== null && failingLeaves.has(n.tensor)),
      gradNorm: norm(n.gradNorm),
      module: leaf ? moduleOfName(t?.name, trace.modules) : n.module,
    });
    const times = repeats.get(n.id);
    if (times && !leaf) boxes.get(key)!.subtitle = t ? `${boxes.get(key)!.subtitle} · ×${times} runs` : `×${times} runs`;
  }
  const edges = new Set<string>();
  for (const n of shown) {
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

/** The modules a model's boxes sit in, outermost first: a module's ancestors come before it. */
export function moduleChain(trace: Trace, id: number | null): ModuleRecord[] {
  const byId = new Map(trace.modules.map((m) => [m.id, m]));
  const chain: ModuleRecord[] = [];
  for (let m = id === null ? undefined : byId.get(id); m; m = m.parent === null ? undefined : byId.get(m.parent)) chain.unshift(m);
  return chain;
}

/**
 * The model with each folded module drawn as one box (`model.0 · Linear`), standing for every box inside it; edges go
 * to and from that box. A folded module inside a folded module disappears into the outer one.
 */
export function foldModules(model: GraphModel, trace: Trace, folded: ReadonlySet<number>): GraphModel {
  if (!folded.size) return model;
  const owner = new Map<string, ModuleRecord>();
  for (const b of model.boxes) {
    const outer = moduleChain(trace, b.module).find((m) => folded.has(m.id));
    if (outer) owner.set(b.key, outer);
  }
  const boxes: GraphBox[] = [];
  const moduleBoxes = new Map<number, GraphBox>();
  const keyOf = (b: GraphBox) => {
    const m = owner.get(b.key);
    return m ? `m:${m.id}` : b.key;
  };
  for (const b of model.boxes) {
    const m = owner.get(b.key);
    if (!m) {
      boxes.push(b);
      continue;
    }
    let box = moduleBoxes.get(m.id);
    if (!box) {
      box = { key: `m:${m.id}`, nodes: [], title: m.name, subtitle: `${m.className} · ×${m.calls} call${m.calls === 1 ? "" : "s"}`, kind: "module", line: m.at?.line ?? null, tensor: null, failing: false, gradNorm: null, module: m.id };
      moduleBoxes.set(m.id, box);
      boxes.push(box);
    }
    box.nodes.push(...b.nodes);
    box.failing ||= b.failing;
    // The module's output carries the largest gradient of its ops: the box shows the gradient that reaches it.
    if (b.kind !== "leaf" && b.gradNorm !== null && (box.gradNorm === null || b.gradNorm > box.gradNorm)) box.gradNorm = b.gradNorm;
  }
  const edges = new Set<string>();
  const byKey = new Map(model.boxes.map((b) => [b.key, b]));
  for (const [a, b] of model.edges) {
    const from = keyOf(byKey.get(a)!);
    const to = keyOf(byKey.get(b)!);
    if (from !== to) edges.add(`${from}\u0000${to}`);
  }
  const boxOfNode = new Map<number, string>();
  for (const b of boxes) for (const n of b.nodes) boxOfNode.set(n, b.key);
  return { boxes, edges: [...edges].map((e) => e.split("\u0000") as [string, string]), boxOfNode, collapsed: model.collapsed };
}

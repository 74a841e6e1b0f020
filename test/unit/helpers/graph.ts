/** A tensor's backward graph as one line of text, the way scripts/fixtures/fixture_common.py prints PyTorch's. */
import type { Node, Tensor } from "../../../src/engine";

/** `i:Name(children)` for every node in depth-first order from t.gradFn; edges to nothing (None) are left out. */
export function graphOf(t: Tensor): string {
  const ids = new Map<Node, number>();
  const out: string[] = [];
  const visit = (node: Node): number => {
    const seen = ids.get(node);
    if (seen !== undefined) return seen;
    const i = out.length;
    ids.set(node, i);
    out.push("");
    const kids = node.nextFunctions.filter(([n]) => n !== null).map(([n]) => visit(n!));
    out[i] = node.name + (kids.length ? `(${kids.join(",")})` : "");
    return i;
  };
  if (t.gradFn) visit(t.gradFn);
  return out.map((s, i) => `${i}:${s}`).join(" ");
}

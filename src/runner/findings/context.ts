/** What the findings' rules share: how they name what they found, and how a finding is written. */
import type { Node } from "../../engine/autograd/node";
import type { Tensor } from "../../engine/tensor";
import type { Finding, FindingRule, FindingSeverity } from "../trace";

/** Names and ids from the recorder, asked for when the run has ended. */
export interface Names {
  /** A tensor's Trace id (null when not kept) and what to call it: its variable (`w`, `model.0.weight`) or where it
   * was made. */
  tensor(t: Tensor): { id: number | null; name: string };
  node(n: Node): { id: number; line: number | null };
}

export function finding(rule: FindingRule, severity: FindingSeverity, line: number | null, message: string, fix: string, refs: Partial<Pick<Finding, "tensors" | "nodes" | "modules">> = {}): Finding {
  return { rule, severity, at: line ? { line, column: 1 } : null, message, fix, tensors: refs.tensors ?? [], nodes: refs.nodes ?? [], modules: refs.modules ?? [] };
}

/** "a, b and c", or "a, b, c and 4 more". */
export function list(names: string[], max = 3): string {
  const unique = [...new Set(names)];
  if (unique.length <= 1) return unique[0] ?? "";
  if (unique.length > max) return `${unique.slice(0, max).join(", ")} and ${unique.length - max} more`;
  return `${unique.slice(0, -1).join(", ")} and ${unique[unique.length - 1]}`;
}

/** Numbers in sentences: 0.52, 3.1e+12, 2e-9. */
export function num(x: number | null): string {
  if (x === null) return "–";
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  return Math.abs(x) >= 1e4 || Math.abs(x) < 1e-3 ? x.toExponential(1) : String(Number(x.toPrecision(3)));
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

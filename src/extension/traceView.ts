/**
 * What the editor features read from a Trace: per source line, the tensors made there, the backward calls, and
 * the checks. One place that knows how to turn the Trace into line-keyed facts, so each feature stays short.
 */
import type { BackwardRecord, GradCheckRecord, NodeCheckRecord, TensorRecord, Trace, ValueSummary } from "../runner/trace";

export interface LineFacts {
  /** The tensor shown for the line: the one assigned to a variable, else the last one made there. */
  tensor: TensorRecord;
  check: GradCheckRecord | null;
}

export class TraceView {
  readonly byLine = new Map<number, LineFacts>();
  readonly backwardsByLine = new Map<number, BackwardRecord[]>();
  private readonly tensorsById = new Map<number, TensorRecord>();

  constructor(readonly trace: Trace) {
    for (const t of trace.tensors) this.tensorsById.set(t.id, t);
    const latestCheck = new Map<number, GradCheckRecord>();
    for (const b of trace.backwards) {
      if (b.at) push(this.backwardsByLine, b.at.line, b);
      for (const c of b.checks) latestCheck.set(c.tensor, c);
    }
    for (const t of trace.tensors) {
      if (!t.at) continue;
      const current = this.byLine.get(t.at.line);
      // Prefer named tensors, then later ones (the latest iteration of a loop, the result of a chained expression).
      if (!current || (t.name !== null) >= (current.tensor.name !== null)) {
        this.byLine.set(t.at.line, { tensor: t, check: latestCheck.get(t.id) ?? null });
      }
    }
  }

  tensor(id: number): TensorRecord | undefined {
    return this.tensorsById.get(id);
  }

  /** The grad_fn chain from a tensor towards the leaves, breadth first: "MulBackward0 → AddBackward0, SubBackward0". */
  gradFnChain(t: TensorRecord, limit = 8): string[] {
    const names: string[] = [];
    const nodes = new Map(this.trace.nodes.map((n) => [n.id, n]));
    let frontier = t.gradFn === null ? [] : [t.gradFn];
    const seen = new Set<number>();
    while (frontier.length && names.length < limit) {
      const level: string[] = [];
      const next: number[] = [];
      for (const id of frontier) {
        if (seen.has(id)) continue;
        seen.add(id);
        const n = nodes.get(id);
        if (!n) continue;
        level.push(n.name);
        for (const e of n.next) if (e.node !== null) next.push(e.node);
      }
      if (level.length) names.push(level.join(", "));
      frontier = next;
    }
    return names;
  }

  failingNodeChecks(): NodeCheckRecord[] {
    return this.trace.backwards.flatMap((b) => b.nodeChecks.filter((c) => c.passed === false));
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** A one-line form of a value for the end of a line: `[[3., 4.], [5., 6.]]`, cut to `max` characters. */
export function shortValue(v: ValueSummary, max = 48): string {
  const inner = v.text.replace(/^tensor\(/, "").replace(/,\s*(grad_fn|requires_grad|dtype)=.*$/s, "").replace(/\)$/, "");
  const oneLine = inner.replace(/\s*\n\s*/g, " ").replace(/\s+/g, " ");
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

/** Numbers in messages: 2e-9, 0.031, 1.5. */
export function formatError(x: number): string {
  if (x === 0) return "0";
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) < 1e-3 || Math.abs(x) >= 1e4 ? x.toExponential(0) : x.toPrecision(2);
}

/** The sentence a CodeLens and a diagnostic say about one backward. */
export function backwardVerdict(b: BackwardRecord, view: TraceView): { ok: boolean | null; text: string } {
  const failing = b.checks.find((c) => c.passed === false);
  if (failing) {
    const name = failing.name ?? view.tensor(failing.tensor)?.name ?? `tensor #${failing.tensor}`;
    if (failing.message && !failing.worst) return { ok: false, text: `${name}.grad: ${failing.message.split(":")[0]}` };
    const at = failing.worst ? ` at [${failing.worst.index.join(", ")}]` : "";
    const badNode = b.nodeChecks.find((n) => n.passed === false);
    return { ok: false, text: `${name}.grad is wrong${at}` + (badNode ? ` — ${badNode.name}'s backward disagrees with numerics` : "") };
  }
  const ran = b.checks.filter((c) => c.passed === true);
  if (!ran.length) return { ok: null, text: "gradients not checked" + (b.checks[0]?.skipped ? `: ${b.checks[0].skipped}` : "") };
  const maxRel = Math.max(...ran.map((c) => c.maxRelError));
  const unchecked = b.checks.filter((c) => c.passed === null).length;
  if (unchecked) return { ok: true, text: `partly checked: ${ran.length} of ${b.checks.length} gradients match numerics, max rel err ${formatError(maxRel)}` };
  return { ok: true, text: `gradients match numerics, max rel err ${formatError(maxRel)}` };
}

/** The check table, the console and the error. */
import type { GradCheckRecord, NodeCheckRecord, Trace } from "../src/runner/trace";
import { el, fmt } from "./dom";

export interface CheckRow {
  kind: "leaf" | "node";
  passed: boolean | null;
  label: string;
  line: number | null;
  detail: string;
  maxRel: number;
  tensor: number | null;
  node: number | null;
}

export function checkRows(trace: Trace): CheckRow[] {
  const tensors = new Map(trace.tensors.map((t) => [t.id, t]));
  const rows: CheckRow[] = [];
  const seen = new Set<string>();
  for (const b of trace.backwards) {
    const leaf = (c: GradCheckRecord): CheckRow => ({
      kind: "leaf",
      passed: c.passed,
      label: `${c.name ?? tensors.get(c.tensor)?.name ?? `tensor #${c.tensor}`}.grad`,
      line: b.at?.line ?? c.at?.line ?? null,
      detail: c.passed === false && c.worst ? `worst at [${c.worst.index.join(", ")}]: analytical ${fmt(c.worst.analytical)}, numerical ${fmt(c.worst.numerical)}` : c.skipped ?? `${c.mode}, ${c.checkedElements}/${c.totalElements} elements`,
      maxRel: c.maxRelError,
      tensor: c.tensor,
      node: null,
    });
    const node = (c: NodeCheckRecord): CheckRow => ({
      kind: "node",
      passed: c.passed,
      label: `${c.name} backward`,
      line: c.at?.line ?? null,
      detail: c.message ?? c.skipped ?? "its own backward against its own numerical derivative",
      maxRel: c.maxRelError,
      tensor: null,
      node: c.node,
    });
    for (const r of [...b.checks.map(leaf), ...b.nodeChecks.map(node)]) {
      // A loop repeats the same rows: keep one per label and line, the failing one when there is one.
      const key = `${r.kind}:${r.label}:${r.line}`;
      if (seen.has(key) && r.passed !== false) continue;
      seen.add(key);
      rows.push(r);
    }
  }
  const rank = (r: CheckRow) => (r.passed === false ? 0 : r.passed === null ? 2 : 1);
  return rows.sort((a, b) => rank(a) - rank(b));
}

export function renderChecks(rows: CheckRow[], onPick: (row: CheckRow) => void): HTMLElement {
  const wrap = el("section", "checks");
  wrap.append(el("h2", undefined, "Numerical checks"));
  if (!rows.length) {
    wrap.append(el("div", "muted", "No backward() ran, so there is nothing to check."));
    return wrap;
  }
  const table = el("table", "check-table");
  const head = el("tr");
  for (const h of ["", "gradient", "line", "max rel err", ""]) head.append(el("th", undefined, h));
  table.append(head);
  for (const r of rows) {
    const tr = el("tr", r.passed === false ? "fail" : r.passed ? "pass" : "skip");
    tr.append(
      el("td", "mark", r.passed === false ? "✗" : r.passed ? "✓" : "–"),
      el("td", "label", r.label),
      el("td", "line", r.line ? String(r.line) : ""),
      el("td", "num", fmt(r.maxRel)),
      el("td", "detail", r.detail),
    );
    tr.addEventListener("click", () => onPick(r));
    table.append(tr);
  }
  wrap.append(table);
  return wrap;
}

export function renderConsole(trace: Trace): HTMLElement | null {
  if (!trace.console.length && !trace.error) return null;
  const wrap = el("section", "console");
  wrap.append(el("h2", undefined, "Output"));
  if (trace.console.length) wrap.append(el("pre", undefined, trace.console.map((l) => l.text).join("\n")));
  if (trace.error) {
    const e = trace.error;
    wrap.append(el("pre", "error", `${e.name}: ${e.message}${e.at ? `\n  at line ${e.at.line}` : ""}${e.stack ? `\n${e.stack}` : ""}`));
  }
  return wrap;
}

/** The terminal report: each backward's gradients and a check table. */
import type { BackwardRecord, Finding, FindingSeverity, Trace } from "../runner/trace";

export interface Style {
  ok(s: string): string;
  bad(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

export const PLAIN: Style = { ok: (s) => s, bad: (s) => s, dim: (s) => s, bold: (s) => s };
export const COLOR: Style = {
  ok: (s) => `\x1b[32m${s}\x1b[0m`,
  bad: (s) => `\x1b[31m${s}\x1b[0m`,
  dim: (s) => `\x1b[2m${s}\x1b[0m`,
  bold: (s) => `\x1b[1m${s}\x1b[0m`,
};

function sci(x: number): string {
  return x === 0 ? "0" : x >= Number.MAX_VALUE ? "inf" : x.toExponential(1);
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => stripAnsi(r[c]).length)));
  return rows.map((r) => r.map((cell, c) => cell + " ".repeat(widths[c] - stripAnsi(cell).length)).join("  ").trimEnd());
}

function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[\d+m/g, "");
}

function backwardReport(trace: Trace, b: BackwardRecord, style: Style): string[] {
  const tensors = new Map(trace.tensors.map((t) => [t.id, t]));
  const out: string[] = [];
  const root = tensors.get(b.root);
  out.push(style.bold(`backward #${b.id}${b.at ? ` (line ${b.at.line})` : ""} of ${root?.name ?? "a tensor"}`));
  for (const g of b.grads) {
    const t = tensors.get(g.tensor);
    const label = `${t?.name ?? `tensor #${g.tensor}`}.grad = `;
    out.push("  " + label + g.grad.text.replace(/\n/g, "\n  " + " ".repeat(label.length)));
  }
  const rows = [["", "gradient", "mode", "checked", "max abs err", "max rel err", "worst element"]];
  for (const c of b.checks) {
    const mark = c.passed === null ? style.dim("–") : c.passed ? style.ok("✓") : style.bad("✗");
    const worst = c.worst && c.passed === false ? `[${c.worst.index.join(", ")}] analytical ${c.worst.analytical.toPrecision(6)}, numerical ${c.worst.numerical.toPrecision(6)}` : c.skipped ?? "";
    rows.push([mark, `${c.name ?? `tensor #${c.tensor}`}.grad`, c.mode, `${c.checkedElements}/${c.totalElements}`, sci(c.maxAbsError), sci(c.maxRelError), worst]);
  }
  for (const n of b.nodeChecks.filter((n) => n.passed === false)) {
    rows.push([style.bad("✗"), `${n.name} backward`, "node", "", sci(n.maxAbsError), sci(n.maxRelError), `${n.at ? `line ${n.at.line}: ` : ""}${n.message ?? ""}`]);
  }
  if (rows.length > 1) out.push(...table(rows).map((r) => "  " + r));
  for (const c of b.checks) {
    const name = `${c.name ?? `tensor #${c.tensor}`}.grad`;
    if (c.message && c.passed === false) out.push(style.bad(`  ${name}: ${c.message}`));
    else if (c.precision?.large) {
      out.push(style.dim(`  ${name} (${c.precision.dtype}) is up to ${sci(c.precision.maxRelError)} (relative) from the float64 backward: rounding, not a wrong derivative`));
    }
  }
  const nodesOk = b.nodeChecks.filter((n) => n.passed === true).length;
  if (b.nodeChecks.length) out.push(style.dim(`  ${nodesOk} of ${b.nodeChecks.length} ops' backward agree with their numerical derivative`));
  return out;
}

/** What looks wrong in the run, one block per finding: severity, line, the sentence, and the usual fix. */
export function findingsReport(findings: readonly Finding[], style: Style): string {
  const out = [style.bold(`${findings.length} finding${findings.length === 1 ? "" : "s"}`)];
  for (const f of findings) {
    const mark = f.severity === "warning" ? style.bad("⚠ warning") : style.dim("ℹ info");
    out.push(`  ${mark} ${f.at ? `line ${f.at.line}` : ""} ${style.dim(`[${f.rule}]`)}`, `    ${f.message}`, `    ${style.dim(`fix: ${f.fix}`)}`);
  }
  return out.join("\n");
}

const SEVERITY_RANK: Record<FindingSeverity, number> = { warning: 2, info: 1 };

/** `--fail-on <severity>`: whether a finding is at least that severe. */
export function failsOn(findings: readonly Finding[], threshold: FindingSeverity | null): boolean {
  return threshold !== null && findings.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[threshold]);
}

/** Backward calls on the same line in a loop are many: the first and the last are shown, the rest counted. */
export function checkReport(trace: Trace, style: Style): string {
  const out: string[] = [];
  const byLine = new Map<number, BackwardRecord[]>();
  for (const b of trace.backwards) {
    const line = b.at?.line ?? 0;
    byLine.set(line, [...(byLine.get(line) ?? []), b]);
  }
  for (const list of byLine.values()) {
    const shown = list.length > 1 ? [list[0], list[list.length - 1]] : list;
    // Calls the Trace left out (omittedBefore) are on this line too.
    const calls = list.reduce((n, b) => n + 1 + (b.omittedBefore ?? 0), 0);
    shown.forEach((b, i) => {
      out.push(...backwardReport(trace, b, style));
      if (i === 0 && calls > 2) out.push(style.dim(`  … ${calls - 2} more backward calls on this line`));
    });
  }
  return out.join("\n");
}

/** Failing gradient checks, findings and snippet errors, in the Problems view at their lines. */
import * as vscode from "vscode";
import type { RunResult, SnippetRunner } from "./runner";
import { formatError } from "./traceView";

export function registerDiagnostics(runner: SnippetRunner): vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection("gradlens");
  const subscriptions = [
    collection,
    runner.onDidRun((r) => collection.set(r.uri, diagnosticsOf(r))),
    vscode.workspace.onDidCloseTextDocument((d) => collection.delete(d.uri)),
  ];
  return vscode.Disposable.from(...subscriptions);
}

function lineRange(line: number | undefined): vscode.Range {
  const l = Math.max((line ?? 1) - 1, 0);
  return new vscode.Range(l, 0, l, Number.MAX_SAFE_INTEGER);
}

export function diagnosticsOf({ trace, view }: RunResult): vscode.Diagnostic[] {
  const list: vscode.Diagnostic[] = [];
  const add = (line: number | undefined, message: string, severity: vscode.DiagnosticSeverity, code: string) => {
    const d = new vscode.Diagnostic(lineRange(line), message, severity);
    d.source = "gradlens";
    d.code = code;
    list.push(d);
  };
  if (trace.error) {
    const e = trace.error;
    add(e.at?.line, `${e.name}: ${e.message}`, vscode.DiagnosticSeverity.Error, e.kind);
  }
  const seen = new Set<string>();
  for (const b of trace.backwards) {
    for (const c of b.checks) {
      if (c.passed !== false) continue;
      const name = c.name ?? view.tensor(c.tensor)?.name ?? `tensor #${c.tensor}`;
      const where = c.worst ? ` at [${c.worst.index.join(", ")}]: analytical ${c.worst.analytical}, numerical ${c.worst.numerical}` : "";
      const message = `${name}.grad does not match the numerical derivative${where} (max rel err ${formatError(c.maxRelError)})`;
      const key = `${b.at?.line}:${message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      add(b.at?.line ?? c.at?.line, message, vscode.DiagnosticSeverity.Error, "gradient-check");
    }
    for (const n of b.nodeChecks) {
      if (n.passed !== false) continue;
      const message = `${n.name}: its backward disagrees with the numerical derivative${n.message ? ` — ${n.message}` : ""}`;
      const key = `${n.at?.line}:${message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      add(n.at?.line, message, vscode.DiagnosticSeverity.Error, "node-check");
    }
  }
  for (const f of trace.findings) {
    add(f.at?.line, `${f.message} Fix: ${f.fix}`, f.severity === "warning" ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information, f.rule);
  }
  // A warning a finding already explains (a loss that broadcasts) is said once, by the finding.
  const explained = new Set(trace.findings.filter((f) => f.rule === "broadcast-loss").map((f) => f.at?.line));
  for (const w of trace.warnings) if (!(explained.has(w.at?.line) && /^Using a target size/.test(w.message))) add(w.at?.line, w.message, vscode.DiagnosticSeverity.Warning, "warning");
  return list;
}

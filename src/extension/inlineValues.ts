/** Faint text after each line that made a tensor: its value, and after backward its .grad with ✓ or ✗. */
import * as vscode from "vscode";
import { inlineValuesEnabled } from "./config";
import type { RunResult, SnippetRunner } from "./runner";
import { type LineFacts, shortValue } from "./traceView";

export interface InlineDecoration {
  line: number;
  text: string;
  state: "plain" | "ok" | "failed";
}

export class InlineValues implements vscode.Disposable {
  private readonly types = {
    plain: decorationType(new vscode.ThemeColor("editorCodeLens.foreground")),
    ok: decorationType(new vscode.ThemeColor("testing.iconPassed")),
    failed: decorationType(new vscode.ThemeColor("testing.iconFailed")),
  };
  private readonly current = new Map<string, InlineDecoration[]>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(runner: SnippetRunner) {
    this.disposables.push(
      runner.onDidRun((r) => this.update(r)),
      vscode.window.onDidChangeVisibleTextEditors(() => this.applyToVisible()),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration("gradlens.inlineValues") && this.applyToVisible()),
      vscode.workspace.onDidCloseTextDocument((d) => this.current.delete(d.uri.toString())),
    );
  }

  /** What is shown for a document (tests read it; the editor API cannot read decorations back). */
  decorationsFor(uri: vscode.Uri): readonly InlineDecoration[] {
    return this.current.get(uri.toString()) ?? [];
  }

  private update(result: RunResult): void {
    const decorations: InlineDecoration[] = [];
    for (const [line, facts] of result.view.byLine) decorations.push({ line, ...describe(facts) });
    decorations.sort((a, b) => a.line - b.line);
    this.current.set(result.uri.toString(), decorations);
    this.applyToVisible();
  }

  private applyToVisible(): void {
    const enabled = inlineValuesEnabled();
    for (const editor of vscode.window.visibleTextEditors) {
      const list = enabled ? this.current.get(editor.document.uri.toString()) ?? [] : [];
      // Each type is set in one call with its full list: the editor swaps them without a blank frame.
      for (const state of ["plain", "ok", "failed"] as const) {
        const options = list
          .filter((d) => d.state === state && d.line - 1 < editor.document.lineCount)
          .map((d): vscode.DecorationOptions => {
            const end = editor.document.lineAt(d.line - 1).range.end;
            return { range: new vscode.Range(end, end), renderOptions: { after: { contentText: d.text } } };
          });
        editor.setDecorations(this.types[state], options);
      }
    }
  }

  dispose(): void {
    for (const t of Object.values(this.types)) t.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

function decorationType(color: vscode.ThemeColor): vscode.TextEditorDecorationType {
  return vscode.window.createTextEditorDecorationType({
    after: { color, margin: "0 0 0 2em", fontStyle: "normal" },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedOpen,
  });
}

function describe({ tensor, check }: LineFacts): { text: string; state: InlineDecoration["state"] } {
  const name = tensor.name ?? "";
  const value = `${name ? `${name} = ` : ""}${shortValue(tensor.value)}`;
  // A tensor without a .grad of its own (a non-leaf): the gradient that reached it in the latest backward.
  if (!tensor.grad) return { text: tensor.backwardGrad?.text ? `${value}  ∇ ${shortValue(tensor.backwardGrad, 40)}` : value, state: "plain" };
  const grad = `  ∇ ${shortValue(tensor.grad, 40)}`;
  if (!check || check.passed === null) return { text: value + grad, state: "plain" };
  return check.passed ? { text: `${value}${grad} ✓`, state: "ok" } : { text: `${value}${grad} ✗`, state: "failed" };
}

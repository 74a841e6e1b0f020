/** A CodeLens over each backward() call: whether its gradients match the numerical check; opens the panel there. */
import * as vscode from "vscode";
import type { SnippetRunner } from "./runner";
import { backwardVerdict } from "./traceView";

export class BackwardLenses implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly runner: SnippetRunner) {
    this.subscription = runner.onDidRun(() => this.changed.fire());
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const result = this.runner.lastResult(document.uri);
    if (!result) return [];
    const lenses: vscode.CodeLens[] = [];
    for (const [line, backwards] of result.view.backwardsByLine) {
      if (line - 1 >= document.lineCount) continue;
      // In a loop one line runs backward many times: the latest call speaks for the line.
      const b = backwards[backwards.length - 1];
      const { ok, text } = backwardVerdict(b, result.view);
      const range = document.lineAt(line - 1).range;
      const icon = ok === null ? "$(circle-outline)" : ok ? "$(pass)" : "$(error)";
      // Calls the Trace left out of a long loop (omittedBefore) were made all the same.
      const calls = backwards.reduce((n, x) => n + 1 + (x.omittedBefore ?? 0), 0);
      const count = calls > 1 ? ` (${calls} calls)` : "";
      lenses.push(new vscode.CodeLens(range, { title: `${icon} ${text}${count}`, command: "gradlens.showPanel", arguments: [{ uri: document.uri, backward: b.id }] }));
    }
    return lenses;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

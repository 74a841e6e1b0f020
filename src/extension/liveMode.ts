/** Live mode: re-run a snippet a short pause after each edit, cancelling the run before. */
import * as vscode from "vscode";
import { liveDelayMs, liveModeSetting } from "./config";
import type { SnippetRunner } from "./runner";

export class LiveMode implements vscode.Disposable {
  /** Per-document choices made with the toggle command; they override the setting. */
  private readonly overrides = new Map<string, boolean>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly runner: SnippetRunner) {
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length && this.isLive(e.document)) this.schedule(e.document);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.cancel(d.uri)),
    );
  }

  isLive(document: vscode.TextDocument): boolean {
    if (document.languageId !== "typescript" || !vscode.workspace.isTrusted) return false;
    // A notebook cell runs in its notebook's kernel, with the cells before it, never alone.
    if (document.uri.scheme === "vscode-notebook-cell") return false;
    const override = this.overrides.get(document.uri.toString());
    if (override !== undefined) return override;
    const setting = liveModeSetting();
    if (setting === "off") return false;
    if (setting === "gradFiles") return document.fileName.endsWith(".grad.ts");
    return /from\s+["']gradlens["']/.test(document.getText());
  }

  toggle(document: vscode.TextDocument): boolean {
    const on = !this.isLive(document);
    this.overrides.set(document.uri.toString(), on);
    if (on) this.schedule(document, 0);
    else this.cancel(document.uri);
    return on;
  }

  private schedule(document: vscode.TextDocument, delay = liveDelayMs()): void {
    this.cancel(document.uri);
    const timer = setTimeout(() => {
      this.timers.delete(document.uri.toString());
      this.runner.run({ document, reason: "live" }).catch(() => undefined);
    }, delay);
    this.timers.set(document.uri.toString(), timer);
  }

  private cancel(uri: vscode.Uri): void {
    const timer = this.timers.get(uri.toString());
    if (timer) clearTimeout(timer);
    this.timers.delete(uri.toString());
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
  }
}

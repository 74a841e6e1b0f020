/** The status bar item: the last run's result (ok, failed check, error); a click opens the panel. */
import * as vscode from "vscode";
import { checkCoverage } from "../runner/coverage";
import { backwardCalls } from "../runner/trace";
import type { SnippetRunner } from "./runner";

export function registerStatusBar(runner: SnippetRunner): vscode.Disposable {
  const item = vscode.window.createStatusBarItem("gradlens.status", vscode.StatusBarAlignment.Left, 50);
  item.name = "Gradlens";
  item.command = "gradlens.showPanel";
  const show = (text: string, tooltip: string, background?: string) => {
    item.text = text;
    item.tooltip = tooltip;
    item.backgroundColor = background ? new vscode.ThemeColor(background) : undefined;
    item.show();
  };
  if (!vscode.workspace.isTrusted) show("$(shield) Gradlens: restricted", "Gradlens runs nothing in Restricted Mode: trust this workspace to run snippets.");
  return vscode.Disposable.from(
    item,
    runner.onDidStart(() => show("$(sync~spin) Gradlens", "Running the snippet…")),
    runner.onDidRun(({ trace }) => {
      const { coverage, text } = checkCoverage(trace);
      if (coverage === "all") show("$(pass) Gradlens", `Last run ok: ${backwardCalls(trace)} backward calls, every gradient matched its numerical check.`);
      else if (coverage === "partly") show("$(pass) Gradlens: partly checked", `Last run ok, ${text}.`);
      else if (coverage === "none" || coverage === "no-backward") show("$(circle-large-outline) Gradlens: not checked", `Last run ok, ${text}.`);
      else if (coverage === "failed") show("$(error) Gradlens: gradient check failed", "A gradient does not match its numerical derivative. Click to open the panel.", "statusBarItem.warningBackground");
      else show("$(error) Gradlens: error", `${trace.error?.name ?? "Error"}: ${trace.error?.message ?? ""}`, "statusBarItem.errorBackground");
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => show("$(graph) Gradlens", "Run a snippet: Gradlens: Run File")),
  );
}

/** The command palette's Gradlens commands. */
import * as path from "node:path";
import * as vscode from "vscode";
import type { LiveMode } from "./liveMode";
import type { GradlensPanel } from "./panel";
import type { SnippetRunner } from "./runner";
import { NEW_SNIPPET } from "./snippetTemplate";
import { openPanelOnRun } from "./config";
import { ensureTrusted } from "./trust";

interface Features {
  runner: SnippetRunner;
  panel: GradlensPanel;
  live: LiveMode;
  extensionPath: string;
}

function typescriptEditor(): vscode.TextEditor | undefined {
  const editor = vscode.window.activeTextEditor;
  if (editor?.document.languageId === "typescript") return editor;
  void vscode.window.showInformationMessage("Gradlens runs TypeScript snippets: open a .ts file that imports from \"gradlens\".");
  return undefined;
}

async function runAndReport(f: Features, editor: vscode.TextEditor, reason: "command" | "selection"): Promise<void> {
  if (!(await ensureTrusted())) return;
  // In a notebook cell, running means running the cell in its notebook's kernel, with what the cells before it made.
  if (editor.document.uri.scheme === "vscode-notebook-cell") {
    await vscode.commands.executeCommand("notebook.cell.execute");
    return;
  }
  const range = reason === "selection" && !editor.selection.isEmpty ? editor.selection : undefined;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: "Gradlens: running snippet" },
    () => f.runner.run({ document: editor.document, range, reason }),
  );
  if (!result) return;
  const { trace } = result;
  if (trace.error && (trace.error.kind === "timeout" || trace.error.kind === "out-of-memory" || trace.error.kind === "stack-overflow" || trace.error.kind === "crash")) {
    void vscode.window.showErrorMessage(`Gradlens: ${trace.error.message}${trace.error.at ? ` (line ${trace.error.at.line})` : ""}`);
  }
  // The panel opens beside the editor (focus stays in the editor), or comes forward if it is open but hidden; an open
  // panel has already been given this run by the runner's event.
  if (openPanelOnRun()) f.panel.show(f.panel.isOpen ? undefined : result, true);
}

export function registerCommands(f: Features): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand("gradlens.runFile", async () => {
      const editor = typescriptEditor();
      if (editor) await runAndReport(f, editor, "command");
    }),
    vscode.commands.registerCommand("gradlens.runSelection", async () => {
      const editor = typescriptEditor();
      if (editor) await runAndReport(f, editor, "selection");
    }),
    vscode.commands.registerCommand("gradlens.showPanel", (target?: { uri?: vscode.Uri; backward?: number }) => {
      const uri = target?.uri ?? vscode.window.activeTextEditor?.document.uri;
      const result = (uri && f.runner.lastResult(uri)) || f.runner.lastAny();
      const line = result && target?.backward !== undefined ? result.trace.backwards.find((b) => b.id === target.backward)?.at?.line : undefined;
      f.panel.show(result, true, line);
    }),
    vscode.commands.registerCommand("gradlens.toggleLiveMode", async () => {
      const editor = typescriptEditor();
      if (!editor || !(await ensureTrusted())) return;
      const on = f.live.toggle(editor.document);
      void vscode.window.setStatusBarMessage(`Gradlens live mode ${on ? "on" : "off"} for ${path.basename(editor.document.fileName)}`, 3000);
    }),
    vscode.commands.registerCommand("gradlens.newSnippet", async () => {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      let document: vscode.TextDocument;
      if (folder) {
        const uri = await freeName(folder, "example", ".grad.ts");
        await vscode.workspace.fs.writeFile(uri, Buffer.from(NEW_SNIPPET, "utf8"));
        document = await vscode.workspace.openTextDocument(uri);
      } else {
        document = await vscode.workspace.openTextDocument({ language: "typescript", content: NEW_SNIPPET });
      }
      await vscode.window.showTextDocument(document);
      if (vscode.workspace.isTrusted) await f.runner.run({ document, reason: "command" });
    }),
    vscode.commands.registerCommand("gradlens.exportHtml", async (target?: vscode.Uri) => {
      const editor = vscode.window.activeTextEditor;
      const uri = target ?? editor?.document.uri;
      let result = uri ? f.runner.lastResult(uri) : undefined;
      if (!result && editor?.document.languageId === "typescript" && (await ensureTrusted())) {
        result = await f.runner.run({ document: editor.document, reason: "command" });
      }
      if (!result) {
        void vscode.window.showInformationMessage("Gradlens: run a snippet first, then export its report.");
        return;
      }
      const suggested = vscode.Uri.file(result.uri.fsPath.replace(/\.ts$/, ".gradlens.html"));
      const destination = target ? suggested : await vscode.window.showSaveDialog({ defaultUri: suggested, filters: { HTML: ["html"] } });
      if (!destination) return;
      const report = f.runner.load();
      const html = report.renderHtmlReport(result.trace, report.readReportAssets(path.join(f.extensionPath, "dist")));
      await vscode.workspace.fs.writeFile(destination, Buffer.from(html, "utf8"));
      void vscode.window.showInformationMessage(`Gradlens: report written to ${vscode.workspace.asRelativePath(destination)}`);
      return destination;
    }),
  ];
}

async function freeName(folder: vscode.Uri, stem: string, extension: string): Promise<vscode.Uri> {
  for (let i = 0; ; i++) {
    const uri = vscode.Uri.joinPath(folder, `${stem}${i ? `-${i}` : ""}${extension}`);
    try {
      await vscode.workspace.fs.stat(uri);
    } catch {
      return uri;
    }
  }
}

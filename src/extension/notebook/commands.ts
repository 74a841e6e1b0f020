/** The notebook commands: a new Gradlens notebook, restarting a notebook's kernel, and opening a cell's run in the
 * panel (the renderer's button). */
import * as vscode from "vscode";
import type { Trace } from "../../runner/trace";
import type { GradlensPanel } from "../panel";
import type { RunResult, SnippetRunner } from "../runner";
import { TraceView } from "../traceView";
import { ensureTrusted } from "../trust";
import { CONTROLLER_ID, type NotebookKernel } from "./kernel";
import { newNotebook } from "./template";

export const EXTENSION_ID = "gradlens.gradlens";

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

/** Shows a notebook with the Gradlens kernel chosen for it. VS Code 1.100 names the command `_notebook.selectKernel`
 * (earlier versions `notebook.selectKernel`); both take the controller's id and the extension's. */
export async function showWithKernel(document: vscode.NotebookDocument): Promise<vscode.NotebookEditor> {
  const editor = await vscode.window.showNotebookDocument(document);
  const kernel = { id: CONTROLLER_ID, extension: EXTENSION_ID };
  const commands = await vscode.commands.getCommands(true);
  const select = ["_notebook.selectKernel", "notebook.selectKernel"].find((c) => commands.includes(c));
  if (select) await vscode.commands.executeCommand(select, kernel);
  return editor;
}

/** The panel on a cell's run: the live run when the extension has it, else the Trace the output holds (a saved
 * notebook's output, from an earlier session). */
export function openPanelOn(trace: Trace, runner: SnippetRunner, panel: GradlensPanel, notebook: vscode.NotebookDocument | undefined): void {
  const cell = notebook?.getCells().find((c) => runner.lastResult(c.document.uri)?.trace.startedAt === trace.startedAt);
  const live = cell ? runner.lastResult(cell.document.uri) : undefined;
  const index = Number(/#cell-(\d+)$/.exec(trace.file)?.[1] ?? 0) - 1;
  const uri = live?.uri ?? notebook?.cellAt(Math.max(index, 0))?.document.uri ?? vscode.Uri.parse(trace.file);
  const result: RunResult = live ?? { uri, trace, view: new TraceView(trace), valuesOnDemand: new Map() };
  panel.show(result, true);
}

/** The command the renderer's "Open in Gradlens panel" button runs (not in the palette: it needs a cell's run). */
export const OPEN_RUN_COMMAND = "gradlens.openCellRunInPanel";

export function registerNotebookCommands(kernel: NotebookKernel, runner: SnippetRunner, panel: GradlensPanel): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(OPEN_RUN_COMMAND, (trace: Trace, notebookUri?: vscode.Uri) => {
      const nb = vscode.workspace.notebookDocuments.find((d) => d.uri.toString() === notebookUri?.toString()) ?? vscode.window.activeNotebookEditor?.notebook;
      openPanelOn(trace, runner, panel, nb);
    }),
    vscode.commands.registerCommand("gradlens.newNotebook", async () => {
      const content = new TextEncoder().encode(JSON.stringify(newNotebook(), null, 1) + "\n");
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      let document: vscode.NotebookDocument;
      if (folder) {
        const uri = await freeName(folder, "example", ".ipynb");
        await vscode.workspace.fs.writeFile(uri, content);
        document = await vscode.workspace.openNotebookDocument(uri);
      } else {
        const data = await vscode.workspace.openNotebookDocument(vscode.Uri.parse("untitled:example.ipynb"));
        document = data;
      }
      return showWithKernel(document);
    }),
    vscode.commands.registerCommand("gradlens.restartNotebookKernel", async (target?: vscode.Uri | { notebookEditor?: { notebookUri?: vscode.Uri } }) => {
      const uri = target instanceof vscode.Uri ? target : target?.notebookEditor?.notebookUri;
      const nb = uri ? vscode.workspace.notebookDocuments.find((d) => d.uri.toString() === uri.toString()) : vscode.window.activeNotebookEditor?.notebook;
      if (!nb || !(await ensureTrusted())) return undefined;
      const lost = await kernel.restart(nb);
      void vscode.window.showInformationMessage(`Gradlens: the notebook's kernel was restarted. ${lost.length ? `These variables were lost: ${lost.join(", ")}.` : "It held no variables."}`);
      return lost;
    }),
  ];
}

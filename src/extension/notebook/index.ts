/** Notebooks in the extension: the kernel, its commands and the renderer's messages, wired in one place. */
import * as vscode from "vscode";
import type { GradlensPanel } from "../panel";
import type { SnippetRunner } from "../runner";
import { OPEN_RUN_COMMAND, registerNotebookCommands } from "./commands";
import { NotebookKernel } from "./kernel";
import { RendererHost } from "./rendererHost";

export interface NotebookFeatures {
  kernel: NotebookKernel;
  renderer: RendererHost;
}

export function registerNotebooks(extensionPath: string, runner: SnippetRunner, panel: GradlensPanel, log: vscode.LogOutputChannel): { features: NotebookFeatures; disposables: vscode.Disposable[] } {
  const kernel = new NotebookKernel(extensionPath, runner, log);
  const renderer = new RendererHost((trace, editor) => void vscode.commands.executeCommand(OPEN_RUN_COMMAND, trace, editor?.notebook.uri));
  return { features: { kernel, renderer }, disposables: [kernel, renderer, ...registerNotebookCommands(kernel, runner, panel)] };
}

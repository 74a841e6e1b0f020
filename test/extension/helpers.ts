/** Shared steps of the extension-host tests: get the API, open files, run and wait. */
import * as path from "node:path";
import * as vscode from "vscode";
import type { GradlensApi } from "../../src/extension/extension";
import type { PanelShown } from "../../src/extension/panel";
import type { RunResult } from "../../src/extension/runner";

export async function gradlens(): Promise<GradlensApi> {
  const ext = vscode.extensions.getExtension<GradlensApi>("gradlens.gradlens");
  if (!ext) throw new Error("the Gradlens extension is not installed in this extension host");
  return ext.isActive ? ext.exports : await ext.activate();
}

export function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error("the tests need a workspace folder");
  return vscode.Uri.joinPath(folder.uri, name);
}

/** The first workspace file whose name matches (examples are named by the seed they port). */
export async function findFile(pattern: string): Promise<vscode.Uri> {
  const [uri] = await vscode.workspace.findFiles(pattern, "**/node_modules/**", 1);
  if (!uri) throw new Error(`no workspace file matches ${pattern}`);
  return uri;
}

export async function open(uri: vscode.Uri): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(document, { preview: false });
}

export async function writeFile(name: string, text: string): Promise<vscode.Uri> {
  const uri = workspaceFile(name);
  await vscode.workspace.fs.writeFile(uri, Buffer.from(text, "utf8"));
  return uri;
}

/** Resolves with the next event that matches, or rejects after `timeoutMs` saying what did not happen. */
export function nextEvent<T>(event: vscode.Event<T>, matches: (e: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`${what} within ${timeoutMs} ms`));
    }, timeoutMs);
    const sub = event((e) => {
      if (!matches(e)) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(e);
    });
  });
}

/** Resolves with the next finished run of `uri` (started by whatever happens after this call). */
export function nextRun(api: GradlensApi, uri: vscode.Uri, timeoutMs = 30_000): Promise<RunResult> {
  return nextEvent(api.runner.onDidRun, (r) => r.uri.toString() === uri.toString(), `no run of ${path.basename(uri.fsPath)} finished`, timeoutMs);
}

/** Resolves when the panel has painted the run that started at `startedAt`. */
export function panelShows(api: GradlensApi, startedAt: string, timeoutMs = 30_000): Promise<PanelShown> {
  return nextEvent(api.panel.onDidShow, (shown) => shown.startedAt === startedAt, `the panel did not paint the run of ${startedAt}`, timeoutMs);
}

/** Opens a file and runs it with the Run File command, as a user would. */
export async function runFile(api: GradlensApi, uri: vscode.Uri): Promise<RunResult> {
  await open(uri);
  const done = nextRun(api, uri);
  await vscode.commands.executeCommand("gradlens.runFile");
  return done;
}

/** The 1-based line of the first line containing `text`. */
export function lineOf(document: vscode.TextDocument, text: string): number {
  for (let i = 0; i < document.lineCount; i++) if (document.lineAt(i).text.includes(text)) return i + 1;
  throw new Error(`no line contains ${JSON.stringify(text)} in ${document.fileName}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export { screenshot } from "./screenshot";

/**
 * Gradlens for VS Code. `activate` only wires the features together; each lives in its own module. Nothing heavy
 * loads here: the runner, the engine and the transpiler load on the first run.
 */
import * as vscode from "vscode";
import { BackwardLenses } from "./codeLens";
import { registerCommands } from "./commands";
import { registerDiagnostics } from "./diagnostics";
import { registerHovers } from "./hovers";
import { InlineValues } from "./inlineValues";
import { LiveMode } from "./liveMode";
import { type NotebookFeatures, registerNotebooks } from "./notebook";
import { GradlensPanel } from "./panel";
import { SnippetRunner } from "./runner";
import { registerStatusBar } from "./statusBar";

/** What `activate` returns: the features' state, for the extension's own tests in the extension host. */
export interface GradlensApi {
  runner: SnippetRunner;
  inline: InlineValues;
  lenses: BackwardLenses;
  panel: GradlensPanel;
  live: LiveMode;
  notebooks: NotebookFeatures;
}

export function activate(context: vscode.ExtensionContext): GradlensApi {
  const log = vscode.window.createOutputChannel("Gradlens", { log: true });
  const runner = new SnippetRunner(context.extensionPath, log);
  const inline = new InlineValues(runner);
  const lenses = new BackwardLenses(runner);
  const panel = new GradlensPanel(context.extensionUri, runner);
  const live = new LiveMode(runner);
  const notebooks = registerNotebooks(context.extensionPath, runner, panel, log);

  context.subscriptions.push(
    log,
    runner,
    inline,
    lenses,
    panel,
    live,
    vscode.languages.registerCodeLensProvider({ language: "typescript" }, lenses),
    registerHovers(runner),
    registerDiagnostics(runner),
    registerStatusBar(runner),
    ...registerCommands({ runner, panel, live, extensionPath: context.extensionPath }),
    ...notebooks.disposables,
  );
  return { runner, inline, lenses, panel, live, notebooks: notebooks.features };
}

export function deactivate(): void {}

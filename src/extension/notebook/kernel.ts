/**
 * The notebook kernel "Gradlens (TypeScript)": a NotebookController for .ipynb notebooks whose code cells are
 * TypeScript. Each notebook gets a session (a kernel process that keeps the cells' variables); cells run one at a
 * time in the order asked, numbered as Jupyter numbers them; Run All stops at a failing cell unless the cell is tagged
 * raises-exception. Interrupt stops the running cell (the variables stay); Restart starts a fresh session and says
 * which variables were lost. Each cell's run is published to the editor features (inline values, CodeLens, hovers,
 * diagnostics, the panel) under the cell's document, as a file's run is.
 */
import * as path from "node:path";
import * as vscode from "vscode";
import type { CellRun, NotebookSession } from "../../runner/notebook";
import { runSettings } from "../config";
import type { RunResult, SnippetRunner } from "../runner";
import { TraceView } from "../traceView";
import { toCellOutput } from "./outputs";

type NotebookModule = typeof import("../../runner/notebook");

export const CONTROLLER_ID = "gradlens-notebook";
export const NOTEBOOK_TYPE = "jupyter-notebook";

/** A finished cell run, for the extension's tests and anyone watching. */
export interface CellRunEvent {
  notebook: vscode.NotebookDocument;
  cell: vscode.NotebookCell;
  executionCount: number;
  run: CellRun;
}

interface NotebookState {
  session: NotebookSession;
  executionCount: number;
  /** Set by Interrupt and Restart: the cells still queued are not run. */
  cancelled: boolean;
}

export class NotebookKernel implements vscode.Disposable {
  readonly controller: vscode.NotebookController;
  private module: NotebookModule | undefined;
  private readonly states = new Map<string, NotebookState>();
  private queue = Promise.resolve();
  private readonly ran = new vscode.EventEmitter<CellRunEvent>();
  readonly onDidRunCell = this.ran.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionPath: string,
    private readonly runner: SnippetRunner,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.controller = vscode.notebooks.createNotebookController(CONTROLLER_ID, NOTEBOOK_TYPE, "Gradlens (TypeScript)");
    this.controller.supportedLanguages = ["typescript"];
    this.controller.supportsExecutionOrder = true;
    this.controller.description = "TypeScript cells on Gradlens's PyTorch-like autograd, with the graph and gradient checks";
    this.controller.executeHandler = (cells, notebook) => this.enqueue(cells, notebook);
    this.controller.interruptHandler = (notebook) => this.interrupt(notebook);
    this.disposables.push(
      this.controller,
      this.ran,
      vscode.workspace.onDidOpenNotebookDocument((nb) => this.prefer(nb)),
      vscode.workspace.onDidCloseNotebookDocument((nb) => this.close(nb)),
    );
    for (const nb of vscode.workspace.notebookDocuments) this.prefer(nb);
  }

  /** A notebook written for Gradlens (its kernelspec says so) gets this kernel without asking. */
  private prefer(nb: vscode.NotebookDocument): void {
    if (nb.notebookType !== NOTEBOOK_TYPE) return;
    const meta = (nb.metadata.metadata ?? (nb.metadata.custom as { metadata?: unknown } | undefined)?.metadata) as { kernelspec?: { name?: string } } | undefined;
    if (meta?.kernelspec?.name === "gradlens") this.controller.updateNotebookAffinity(nb, vscode.NotebookControllerAffinity.Preferred);
  }

  /** The variables a notebook's session holds now. */
  variables(nb: vscode.NotebookDocument): string[] {
    return this.states.get(nb.uri.toString())?.session.variables ?? [];
  }

  private load(): NotebookModule {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded by path on first use, to keep activation fast
    this.module ??= require(path.join(this.extensionPath, "dist", "notebook.js")) as NotebookModule;
    return this.module;
  }

  private state(nb: vscode.NotebookDocument): NotebookState {
    const key = nb.uri.toString();
    let s = this.states.get(key);
    if (!s) {
      const m = this.load();
      s = { session: new m.NotebookSession({ memoryMb: runSettings().memoryMb }), executionCount: 0, cancelled: false };
      this.states.set(key, s);
    }
    return s;
  }

  /** Runs after whatever this kernel is already running, so two Run Alls do not interleave. */
  private enqueue(cells: vscode.NotebookCell[], nb: vscode.NotebookDocument): Promise<void> {
    const s = this.states.get(nb.uri.toString());
    if (s) s.cancelled = false;
    const done = this.queue.then(() => this.execute(cells, nb));
    this.queue = done.catch((e) => this.log.error(`notebook run failed inside Gradlens: ${(e as Error).stack ?? e}`));
    return done;
  }

  private async execute(cells: vscode.NotebookCell[], nb: vscode.NotebookDocument): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      for (const cell of cells) this.refuse(cell);
      return;
    }
    const state = this.state(nb);
    state.cancelled = false;
    for (const cell of cells) {
      if (state.cancelled) break;
      if (cell.kind !== vscode.NotebookCellKind.Code) continue;
      const ok = await this.runCell(cell, nb, state);
      // As Jupyter's Run All: a failing cell stops the rest, unless it is tagged as expected to fail.
      if (!ok && !raisesException(cell)) break;
    }
  }

  private async runCell(cell: vscode.NotebookCell, nb: vscode.NotebookDocument, state: NotebookState): Promise<boolean> {
    const m = this.load();
    const execution = this.controller.createNotebookCellExecution(cell);
    const executionCount = ++state.executionCount;
    execution.executionOrder = executionCount;
    execution.start(Date.now());
    await execution.clearOutput();
    if (cell.document.languageId !== "typescript") {
      await execution.replaceOutput(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error({ name: "Error", message: `Gradlens runs TypeScript cells; this cell is ${cell.document.languageId}.` })]));
      execution.end(false, Date.now());
      return false;
    }
    const settings = runSettings();
    const live = new LiveStream(execution);
    const run = await state.session.run({
      file: m.cellFile(nb.uri.scheme === "file" ? nb.uri.fsPath : nb.uri.path, cell.index),
      source: cell.document.getText(),
      timeoutMs: settings.timeoutMs,
      checkBudgetMs: settings.checkBudgetMs,
      consoleLines: settings.consoleLines,
      consoleBytes: settings.consoleBytes,
      tolerance: { eps: settings.check.eps, atol: settings.check.atol, rtol: settings.check.rtol },
      onConsole: (line) => live.add(line.stream === "log" ? "stdout" : "stderr", line.text),
    });
    live.stop();
    await execution.replaceOutput(m.cellOutputs(run, executionCount).map(toCellOutput));
    const ok = run.trace.error === null;
    execution.end(ok, Date.now());
    if (run.restarted) void vscode.window.showWarningMessage(`Gradlens: the notebook's kernel was restarted. ${m.lostSentence(run.restarted.lost)}`);
    const result: RunResult = { uri: cell.document.uri, trace: run.trace, view: new TraceView(run.trace), valuesOnDemand: run.valuesOnDemand };
    this.runner.publish(result);
    this.log.info(`notebook cell ${cell.index + 1} of ${nb.uri.path.split("/").pop()} (In [${executionCount}]): ${run.trace.status}${run.trace.error ? ` (${run.trace.error.kind}: ${run.trace.error.message})` : ""}, ` +
      `${run.trace.tensors.length} tensors, ${run.trace.backwards.length} backward calls, ${run.trace.durationMs.toFixed(0)} ms`);
    this.ran.fire({ notebook: nb, cell, executionCount, run });
    return ok;
  }

  private refuse(cell: vscode.NotebookCell): void {
    const execution = this.controller.createNotebookCellExecution(cell);
    execution.start(Date.now());
    void execution.replaceOutput(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error({
      name: "Restricted Mode",
      message: "Gradlens runs nothing in Restricted Mode: a cell is code, and this workspace is not trusted. Trust the workspace to run cells.",
    })]));
    execution.end(false, Date.now());
  }

  interrupt(nb: vscode.NotebookDocument): void {
    const s = this.states.get(nb.uri.toString());
    if (!s) return;
    s.cancelled = true;
    s.session.interrupt();
  }

  /** A fresh session for the notebook (numbering starts again at 1); resolves with the variables that were lost. */
  async restart(nb: vscode.NotebookDocument): Promise<string[]> {
    const s = this.states.get(nb.uri.toString());
    if (!s) return [];
    s.cancelled = true;
    const lost = await s.session.restart();
    s.executionCount = 0;
    return lost;
  }

  private close(nb: vscode.NotebookDocument): void {
    const key = nb.uri.toString();
    this.states.get(key)?.session.dispose();
    this.states.delete(key);
  }

  dispose(): void {
    for (const s of this.states.values()) s.session.dispose();
    this.states.clear();
    for (const d of this.disposables) d.dispose();
  }
}

/** Jupyter's tag for a cell that is meant to fail: Run All goes on after it. VS Code keeps a cell's nbformat metadata
 * under `metadata` (older versions under `custom.metadata`). */
export function raisesException(cell: vscode.NotebookCell): boolean {
  const meta = (cell.metadata.metadata ?? (cell.metadata.custom as { metadata?: unknown } | undefined)?.metadata) as { tags?: unknown } | undefined;
  return Array.isArray(meta?.tags) && meta.tags.includes("raises-exception");
}

/** What a cell prints, shown while it runs (a long training loop's lines appear as they come), a few times a second. */
class LiveStream {
  private readonly parts: Array<{ name: "stdout" | "stderr"; text: string }> = [];
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly execution: vscode.NotebookCellExecution) {}

  add(name: "stdout" | "stderr", line: string): void {
    const last = this.parts[this.parts.length - 1];
    if (last?.name === name) last.text += `${line}\n`;
    else this.parts.push({ name, text: `${line}\n` });
    this.timer ??= setTimeout(() => this.flush(), 150);
  }

  private flush(): void {
    this.timer = null;
    if (this.stopped) return;
    void this.execution.replaceOutput(this.parts.map((p) => new vscode.NotebookCellOutput([p.name === "stdout" ? vscode.NotebookCellOutputItem.stdout(p.text) : vscode.NotebookCellOutputItem.stderr(p.text)], { outputType: "stream" })));
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}

/**
 * Runs snippets for the editor: loads the runner lazily (so activation stays cheap), cancels a run that a newer one
 * replaces, keeps the latest Trace of each document, and tells the features when one arrives.
 */
import * as path from "node:path";
import * as vscode from "vscode";
import { backwardCalls, type Trace, type ValuesOnDemand } from "../runner/trace";
import { runSettings } from "./config";
import { TraceView } from "./traceView";

type RunnerModule = typeof import("../runner");

export interface RunResult {
  uri: vscode.Uri;
  trace: Trace;
  view: TraceView;
  /** Values of the tensors too big for the Trace, for the panel to send when the user opens one. */
  valuesOnDemand: ValuesOnDemand;
}

export interface RunRequest {
  document: vscode.TextDocument;
  /** Run only this part of the document (Run Selection); lines keep their numbers. */
  range?: vscode.Range;
  reason: "command" | "live" | "selection";
}

export class SnippetRunner implements vscode.Disposable {
  private runner: RunnerModule | undefined;
  private readonly running = new Map<string, AbortController>();
  private readonly latest = new Map<string, RunResult>();
  private readonly didRun = new vscode.EventEmitter<RunResult>();
  private readonly didStart = new vscode.EventEmitter<vscode.Uri>();
  /** Fires with every finished run (not with cancelled ones). */
  readonly onDidRun = this.didRun.event;
  readonly onDidStart = this.didStart.event;

  /** A closed document's run goes: a Trace and its big tensors' values can hold tens of megabytes. */
  private readonly closing = vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri));
  /** A snippet in the editor: start a child process for its first run now, while the user reads. */
  private readonly focusing = vscode.window.onDidChangeActiveTextEditor((e) => this.prewarmFor(e?.document));
  private readonly firstLook: ReturnType<typeof setTimeout>;

  constructor(
    private readonly extensionPath: string,
    private readonly log: vscode.LogOutputChannel,
  ) {
    // After activation has returned: loading the runner and starting a child are not activation's job.
    this.firstLook = setTimeout(() => this.prewarmFor(vscode.window.activeTextEditor?.document), 500);
  }

  /** Starts the next run's child process if `document` is a snippet and runs are allowed here. */
  private prewarmFor(document: vscode.TextDocument | undefined): void {
    if (!document || document.languageId !== "typescript" || !vscode.workspace.isTrusted) return;
    if (!document.fileName.endsWith(".grad.ts") && !/from\s+["']gradlens["']/.test(document.getText())) return;
    try {
      void this.load().prewarm(runSettings().memoryMb);
    } catch (e) {
      this.log.warn(`could not start a process for the next run: ${(e as Error).message}`);
    }
  }

  lastResult(uri: vscode.Uri): RunResult | undefined {
    return this.latest.get(uri.toString());
  }

  lastAny(): RunResult | undefined {
    let last: RunResult | undefined;
    for (const r of this.latest.values()) if (!last || r.trace.startedAt > last.trace.startedAt) last = r;
    return last;
  }

  isRunning(uri: vscode.Uri): boolean {
    return this.running.has(uri.toString());
  }

  /** Runs the document's current text (saved or not). Resolves with undefined when a newer run cancelled this one. */
  async run(request: RunRequest): Promise<RunResult | undefined> {
    const { document } = request;
    const key = document.uri.toString();
    this.running.get(key)?.abort();
    const controller = new AbortController();
    this.running.set(key, controller);
    this.didStart.fire(document.uri);
    const settings = runSettings();
    const source = request.range ? keepLines(document, request.range) : document.getText();
    const started = performance.now();
    try {
      const runner = this.load();
      const { check, ...limits } = settings;
      const { trace, valuesOnDemand } = await runner.runSnippetWithValues({
        file: document.uri.scheme === "file" ? document.uri.fsPath : document.fileName,
        source,
        ...limits,
        tolerance: { eps: check.eps, atol: check.atol, rtol: check.rtol },
        signal: controller.signal,
      });
      if (controller.signal.aborted) return undefined;
      const ran = performance.now();
      const result: RunResult = { uri: document.uri, trace, view: new TraceView(trace), valuesOnDemand };
      this.latest.set(key, result);
      this.didRun.fire(result);
      const shown = performance.now();
      this.log.info(`${request.reason} run of ${path.basename(document.fileName)}: ${trace.status}${trace.error ? ` (${trace.error.kind}: ${trace.error.message})` : ""}, ` +
        `${trace.tensors.length} tensors, ${backwardCalls(trace)} backward calls; snippet ${trace.durationMs.toFixed(0)} ms, checks ${trace.checkDurationMs.toFixed(0)} ms, ` +
        `run ${(ran - started).toFixed(0)} ms, shown ${(shown - ran).toFixed(0)} ms`);
      return result;
    } catch (e) {
      if (e instanceof Error && e.name === "RunnerError") {
        // Gradlens's own failure (or a snippet that wrote to the runner's channel): say so, and keep working.
        this.log.error(`run of ${document.fileName}: ${e.message}`);
        void vscode.window.showErrorMessage(`Gradlens: the run failed inside Gradlens: ${e.message}`);
        return undefined;
      }
      this.log.error(`run of ${document.fileName} failed inside Gradlens: ${(e as Error).stack ?? String(e)}`);
      throw e;
    } finally {
      if (this.running.get(key) === controller) this.running.delete(key);
    }
  }

  /** A run made elsewhere (a notebook cell's, by the notebook kernel): the editor features show it as any other. */
  publish(result: RunResult): void {
    this.latest.set(result.uri.toString(), result);
    this.didRun.fire(result);
  }

  forget(uri: vscode.Uri): void {
    this.running.get(uri.toString())?.abort();
    this.latest.delete(uri.toString());
  }

  /** The runner bundle (the child-process host, the HTML report), loaded on first use, not at activation. */
  load(): RunnerModule {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded by path on first use, to keep activation fast
    this.runner ??= require(path.join(this.extensionPath, "dist", "runner.js")) as RunnerModule;
    return this.runner;
  }

  dispose(): void {
    for (const c of this.running.values()) c.abort();
    this.running.clear();
    clearTimeout(this.firstLook);
    this.runner?.disposeRunner();
    this.focusing.dispose();
    this.closing.dispose();
    this.didRun.dispose();
    this.didStart.dispose();
  }
}

/** The selected lines, with every other line blanked, so line numbers in the Trace stay the document's. */
function keepLines(document: vscode.TextDocument, range: vscode.Range): string {
  const lines: string[] = [];
  for (let i = 0; i < document.lineCount; i++) {
    const text = document.lineAt(i).text;
    const isImport = /^\s*import\b/.test(text);
    lines.push(i >= range.start.line && i <= range.end.line ? text : isImport ? text : "");
  }
  return lines.join("\n");
}

/**
 * runSnippet: the host side of a run. It starts a worker thread with memory and stack limits, stops it when the
 * time limit passes or the caller cancels, and turns whatever happened into a Trace. It never rejects for the
 * snippet's fault: a throw, a hang, an overflow or an out-of-memory is in `trace.error`, and the host is unharmed.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import type { Tolerance } from "../engine/autograd/graph_check";
import type { WorkerInput, WorkerMessage } from "./protocol";
import type { RecordedParts } from "./recorder";
import { type ConsoleLine, DEFAULT_THRESHOLDS, type FindingThresholds, type SnippetError, type Trace, TRACE_VERSION, type ValuesOnDemand } from "./trace";

export interface RunOptions {
  file: string;
  /** The text to run (an editor's unsaved buffer); read from `file` when absent. */
  source?: string;
  timeoutMs?: number;
  memoryMb?: number;
  /** Time the numerical checks of the whole run may take; 0 turns them off. */
  checkBudgetMs?: number;
  tolerance?: Partial<Tolerance>;
  /** Thresholds of the findings (vanishing and exploding gradients, dead ReLUs...). */
  thresholds?: Partial<FindingThresholds>;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
  onConsole?: (line: ConsoleLine) => void;
}

export const DEFAULTS = { timeoutMs: 10_000, memoryMb: 512, checkBudgetMs: 2000, tolerance: { eps: 1e-6, atol: 1e-5, rtol: 1e-3 } };

/** dist/runner-worker.js: beside this bundle when built, or in the repository's dist/ when run from sources. */
export function workerScriptPath(): string {
  const candidates = [path.join(__dirname, "runner-worker.js"), path.join(__dirname, "..", "..", "dist", "runner-worker.js")];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`Gradlens: the runner's worker bundle is missing (looked in ${candidates.join(", ")}); run npm run build`);
  return found;
}

function emptyParts(): RecordedParts {
  return { tensors: [], valuesOnDemand: new Map(), nodes: [], backwards: [], series: [], warnings: [], limits: { droppedTensors: 0, droppedNodes: 0, historyPerLine: 0 }, checkDurationMs: 0, findings: [], modules: [], flow: { parameters: [], layers: [], loss: [] } };
}

/** A run: its Trace, and beside it the values of the tensors too big to travel inside it (for a viewer to ask for). */
export interface RunOutput {
  trace: Trace;
  valuesOnDemand: ValuesOnDemand;
}

export async function runSnippet(options: RunOptions): Promise<Trace> {
  return (await runSnippetWithValues(options)).trace;
}

export function runSnippetWithValues(options: RunOptions): Promise<RunOutput> {
  const file = path.resolve(options.file);
  const startedAt = new Date();
  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  const memoryMb = options.memoryMb ?? DEFAULTS.memoryMb;
  const checkBudgetMs = options.checkBudgetMs ?? DEFAULTS.checkBudgetMs;
  const tolerance = { ...DEFAULTS.tolerance, ...options.tolerance };
  let source: string;
  try {
    source = options.source ?? readFileSync(file, "utf8");
  } catch (e) {
    source = "";
    return Promise.resolve(output(file, source, startedAt, started, 0, [], emptyParts(), {
      kind: "crash", name: "Error", message: `cannot read ${file}: ${(e as Error).message}`, file, at: null, stack: null,
    }));
  }
  const lineBuffer = new SharedArrayBuffer(4);
  const currentLine = new Int32Array(lineBuffer);
  const consoleLines: ConsoleLine[] = [];

  return new Promise<RunOutput>((resolve) => {
    let settled = false;
    const input: WorkerInput = { file, source, checkBudgetMs, tolerance, thresholds: { ...DEFAULT_THRESHOLDS, ...options.thresholds }, lineBuffer };
    const worker = new Worker(workerScriptPath(), {
      workerData: input,
      resourceLimits: { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: Math.min(64, Math.max(8, memoryMb / 8)), stackSizeMb: 4 },
      stdout: false,
      stderr: false,
    });
    const stuckAt = () => {
      const line = Atomics.load(currentLine, 0);
      return line ? { line, column: 1 } : null;
    };
    const finish = (parts: RecordedParts, error: SnippetError | null, snippetMs: number) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      void worker.terminate();
      resolve(output(file, source, startedAt, started, snippetMs, consoleLines, parts, error));
    };
    const fail = (kind: SnippetError["kind"], message: string) => {
      const at = stuckAt();
      finish(emptyParts(), { kind, name: kind === "timeout" ? "TimeoutError" : kind === "out-of-memory" ? "RangeError" : "Error", message, file, at, stack: null }, performance.now() - started);
    };
    // The checks have their own budget; the limit is on the snippet's own time.
    const timer = setTimeout(() => {
      const at = stuckAt();
      fail("timeout", `The snippet ran longer than ${timeoutMs} ms and was stopped${at ? ` while at line ${at.line}` : ""}.`);
    }, timeoutMs + checkBudgetMs);
    const onAbort = () => fail("crash", "The run was cancelled.");
    options.signal?.addEventListener("abort", onAbort);
    if (options.signal?.aborted) onAbort();
    worker.on("message", (m: WorkerMessage) => {
      if (m.type === "console") {
        consoleLines.push(m.line);
        options.onConsole?.(m.line);
      } else if (m.type === "progress") options.onProgress?.(m.message);
      else finish(m.parts, m.error, m.snippetMs);
    });
    worker.on("error", (e: Error & { code?: string }) => {
      if (e.code === "ERR_WORKER_OUT_OF_MEMORY") {
        const at = stuckAt();
        fail("out-of-memory", `The snippet used more than the memory limit (${memoryMb} MB) and was stopped${at ? ` at line ${at.line}` : ""}.`);
      } else fail("crash", `The snippet's worker failed: ${e.message}`);
    });
    worker.on("exit", (code) => fail("crash", `The snippet's worker exited unexpectedly (code ${code}).`));
  });
}

function output(file: string, source: string, startedAt: Date, started: number, snippetMs: number, consoleLines: ConsoleLine[], parts: RecordedParts, error: SnippetError | null): RunOutput {
  const failed = parts.backwards.some((b) => b.checks.some((c) => c.passed === false) || b.nodeChecks.some((c) => c.passed === false));
  const trace: Trace = {
    version: TRACE_VERSION,
    file,
    source,
    startedAt: startedAt.toISOString(),
    durationMs: snippetMs || performance.now() - started,
    checkDurationMs: parts.checkDurationMs,
    status: error ? "error" : failed ? "check-failed" : "ok",
    tensors: parts.tensors,
    nodes: parts.nodes,
    backwards: parts.backwards,
    console: consoleLines,
    series: parts.series,
    warnings: parts.warnings,
    error,
    limits: parts.limits,
    findings: parts.findings,
    modules: parts.modules,
    flow: parts.flow,
  };
  return { trace, valuesOnDemand: parts.valuesOnDemand };
}

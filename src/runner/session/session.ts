/**
 * A notebook session: one notebook's kernel on the runner's process model (../README.md) — a child process started
 * as a session (`new SnippetProcess(heap, { session: true })`), which keeps the cells' variables from one run to the
 * next, with the runner's limits on each cell. Cells run one at a time, each turned into a Trace of its own run.
 *
 * It never rejects for a cell's fault. A cell that V8 can stop (busy at its time limit, or interrupted) ends with
 * the kernel alive and its variables kept; one it cannot (busy after an `await`, out of memory, a crash) ends its
 * child, and the next cell finds a fresh one — the cell's error then says so and names the variables that were lost.
 */
import { SnippetProcess } from "../childProcess";
import { heapLimitMb } from "../limits";
import { RunnerError, runInSession } from "../run";
import type { Tolerance } from "../../engine/autograd/graph_check";
import { type ConsoleLine, type SnippetError, type Trace, TRACE_VERSION, type ValuesOnDemand } from "../trace";

export interface SessionOptions {
  /** Memory the cells may use: tensors and other arrays, JavaScript objects (the runner's memoryMb). */
  memoryMb?: number;
}

export interface CellRunOptions {
  /** The cell's name in the Trace and in stack traces, e.g. `/work/nb.ipynb#cell-3`; relative imports resolve from
   * its folder. */
  file: string;
  source: string;
  /** The cell's own time (without its numerical checks), as the runner's timeoutMs. */
  timeoutMs?: number;
  checkBudgetMs?: number;
  /** Console lines and bytes kept per cell (the runner's limits). */
  consoleLines?: number;
  consoleBytes?: number;
  tolerance?: Partial<Tolerance>;
  onConsole?: (line: ConsoleLine) => void;
  onProgress?: (message: string) => void;
}

export interface CellRun {
  trace: Trace;
  valuesOnDemand: ValuesOnDemand;
  /** The cell's last expression (`Out[n]`), or null. */
  value: { text: string } | null;
  /** The session's variables after the run. */
  variables: string[];
  /** Set when the kernel died during this run and a fresh one took its place. */
  restarted: { lost: string[] } | null;
}

export const SESSION_DEFAULTS = { timeoutMs: 10_000, memoryMb: 512, checkBudgetMs: 2000 };

/** The host waits this long past the time V8 stops a busy cell at, for the child's own answer, before it kills it. */
const HOST_GRACE_MS = 2000;
/** How long an interrupted cell gets to stop before its kernel is restarted. */
const INTERRUPT_GRACE_MS = 2000;

export class NotebookSession {
  private child: SnippetProcess | null = null;
  private fresh = true;
  private queue: Promise<unknown> = Promise.resolve();
  private running: { child: SnippetProcess; interrupted: boolean; timer: ReturnType<typeof setTimeout> | null } | null = null;
  private disposed = false;
  /** The variables the kernel reported after its latest run: what a restart loses. */
  variables: string[] = [];

  constructor(private readonly options: SessionOptions = {}) {
    this.start();
  }

  get memoryMb(): number {
    return this.options.memoryMb ?? SESSION_DEFAULTS.memoryMb;
  }

  /** The kernel's process id (tests check that a restart made a new one). */
  get pid(): number | undefined {
    return this.child?.process.pid;
  }

  get busy(): boolean {
    return this.running !== null;
  }

  /** Runs a cell after the ones already asked for. */
  run(options: CellRunOptions): Promise<CellRun> {
    const result = this.queue.then(() => this.runNow(options));
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Stops the running cell: SIGINT, which V8 turns into an error inside a busy cell (the variables stay); a cell that
   * does not stop within INTERRUPT_GRACE_MS ends its kernel. */
  interrupt(): void {
    const r = this.running;
    if (!r || r.interrupted) return;
    r.interrupted = true;
    r.child.process.kill("SIGINT");
    r.timer = setTimeout(() => r.child.kill(), INTERRUPT_GRACE_MS);
  }

  /** A fresh kernel with no variables; a running cell ends. Resolves with the variables that were lost. */
  async restart(): Promise<string[]> {
    const lost = this.variables;
    this.running?.child.kill();
    this.stop();
    this.start();
    await this.child?.ready.catch(() => undefined);
    return lost;
  }

  dispose(): void {
    this.disposed = true;
    this.stop();
  }

  private start(): void {
    if (this.disposed) return;
    this.child = new SnippetProcess(heapLimitMb(this.memoryMb), { session: true, warmUp: true });
    this.fresh = true;
    this.variables = [];
  }

  private stop(): void {
    this.child?.kill();
    this.child = null;
  }

  private async runNow(options: CellRunOptions): Promise<CellRun> {
    if (!this.child?.alive) this.start();
    const child = this.child!;
    const timeoutMs = options.timeoutMs ?? SESSION_DEFAULTS.timeoutMs;
    const checkBudgetMs = options.checkBudgetMs ?? SESSION_DEFAULTS.checkBudgetMs;
    const running = { child, interrupted: false, timer: null as ReturnType<typeof setTimeout> | null };
    this.running = running;
    const lost = this.variables;
    const startedAt = new Date();
    try {
      const out = await runInSession(child, {
        file: options.file,
        source: options.source,
        // The host's limit is past the child's own (V8 stops the cell at timeoutMs + checks, keeping the session).
        timeoutMs: timeoutMs + checkBudgetMs + HOST_GRACE_MS,
        checkBudgetMs,
        memoryMb: this.memoryMb,
        consoleLines: options.consoleLines,
        consoleBytes: options.consoleBytes,
        tolerance: options.tolerance,
        onConsole: options.onConsole,
        onProgress: options.onProgress,
        resetRandom: this.fresh,
        cell: { timeoutMs },
      });
      this.fresh = false;
      // Tensors of earlier cells were bound at line 0: they have no line in this cell.
      for (const t of out.trace.tensors) if (t.at?.line === 0) t.at = null;
      if (child.alive) {
        this.variables = out.cell?.variables ?? this.variables;
        return { trace: out.trace, valuesOnDemand: out.valuesOnDemand, value: out.cell?.value ?? null, variables: this.variables, restarted: null };
      }
      // The child is gone (killed at a limit it could not stop at, or crashed): the next cell gets a fresh one.
      if (this.child === child) this.start();
      const error = deathOf(out.trace.error, running.interrupted, timeoutMs, lost, options.file);
      const trace: Trace = { ...out.trace, status: "error", error };
      return { trace, valuesOnDemand: out.valuesOnDemand, value: null, variables: [], restarted: { lost } };
    } catch (e) {
      // Gradlens's own failure (a broken message, a child that would not start): say so, with a fresh kernel next.
      if (!(e instanceof RunnerError)) throw e;
      this.stop();
      this.start();
      const error: SnippetError = { kind: "crash", name: "Error", message: `Gradlens's notebook kernel failed (${e.message}) and was restarted. ${lostSentence(lost)}`, file: options.file, at: null, stack: null };
      return { trace: emptyTrace(options, startedAt, error), valuesOnDemand: new Map(), value: null, variables: [], restarted: { lost } };
    } finally {
      if (running.timer) clearTimeout(running.timer);
      if (this.running === running) this.running = null;
    }
  }
}

/** The run's error when its kernel died, saying that it was restarted and what was lost. */
function deathOf(error: SnippetError | null, interrupted: boolean, timeoutMs: number, lost: readonly string[], file: string): SnippetError {
  const restarted = `The kernel was restarted. ${lostSentence(lost)}`;
  if (interrupted) return { kind: "crash", name: "InterruptedError", message: `The cell did not stop when interrupted. ${restarted}`, file, at: error?.at ?? null, stack: null };
  if (error?.kind === "timeout") return { ...error, message: `The cell ran longer than ${timeoutMs.toLocaleString("en-US")} ms and could not be stopped${error.at ? ` (at line ${error.at.line})` : ""}. ${restarted}` };
  // The runner speaks of a snippet; here it is a cell.
  if (error) return { ...error, message: `${error.message.replace(/^The snippet(?:'s)?/, (m) => m.replace("snippet", "cell"))} ${restarted}` };
  return { kind: "crash", name: "Error", message: `The kernel ended during the cell. ${restarted}`, file, at: null, stack: null };
}

export function lostSentence(lost: readonly string[]): string {
  if (!lost.length) return "No variables were lost.";
  return `${lost.length === 1 ? "This variable was" : "These variables were"} lost: ${lost.join(", ")}.`;
}

function emptyTrace(options: CellRunOptions, startedAt: Date, error: SnippetError): Trace {
  return {
    version: TRACE_VERSION,
    file: options.file,
    source: options.source,
    startedAt: startedAt.toISOString(),
    durationMs: 0,
    checkDurationMs: 0,
    status: "error",
    tensors: [],
    nodes: [],
    backwards: [],
    console: [],
    series: [],
    warnings: [],
    error,
    limits: { droppedTensors: 0, droppedNodes: 0, historyPerLine: 0 },
    findings: [],
    modules: [],
    flow: { parameters: [], layers: [], loss: [] },
  };
}

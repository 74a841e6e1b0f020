/**
 * A notebook session: the host side of one notebook's kernel (kernel.ts), a child process that keeps the cells'
 * variables from one run to the next. It starts the kernel ahead of the first run, runs one cell at a time, and turns
 * each run into a Trace. It never rejects for a cell's fault: an error, a time-out, an interrupt or the kernel's death
 * (out of memory) is in the Trace's `error`, and after a death the next run finds a fresh kernel, with a message that
 * names the variables that were lost.
 */
import { type ChildProcess, fork } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";
import type { Tolerance } from "../../engine/autograd/graph_check";
import type { RecordedParts } from "../recorder";
import type { ConsoleLine, SnippetError, Trace, ValuesOnDemand } from "../trace";
import { cellTrace, emptyParts } from "./cellTrace";
import { type CellDone, type CellValue, isKernelMessage, type KernelMessage, type RunCellMessage } from "./protocol";

export interface SessionOptions {
  /** The kernel's heap limit: the variables of every cell and the running cell's temporaries share it. */
  memoryMb?: number;
  /** dist/notebook-kernel.js; found beside this bundle or in the repository's dist/ when absent. */
  kernelPath?: string;
}

export interface CellRunOptions {
  /** The cell's name in the Trace and in stack traces, e.g. `/work/nb.ipynb#cell-3`. */
  file: string;
  source: string;
  timeoutMs?: number;
  checkBudgetMs?: number;
  tolerance?: Partial<Tolerance>;
  onConsole?: (line: ConsoleLine) => void;
  onProgress?: (message: string) => void;
}

export interface CellRun {
  trace: Trace;
  valuesOnDemand: ValuesOnDemand;
  /** The cell's last expression (`Out[n]`), or null. */
  value: CellValue | null;
  /** The session's variables after the run. */
  variables: string[];
  /** Set when the kernel died during this run and a fresh one took its place. */
  restarted: { lost: string[] } | null;
}

export const SESSION_DEFAULTS = { timeoutMs: 10_000, memoryMb: 512, checkBudgetMs: 2000, tolerance: { eps: 1e-6, atol: 1e-5, rtol: 1e-3 } };

/** How long a cell that ignores SIGINT (busy after an `await`) gets before its kernel is restarted. */
const GRACE_MS = 2000;

export function kernelScriptPath(): string {
  const candidates = [path.join(__dirname, "notebook-kernel.js"), path.join(__dirname, "..", "..", "..", "dist", "notebook-kernel.js"), path.join(__dirname, "..", "..", "dist", "notebook-kernel.js")];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`Gradlens: the notebook kernel's bundle is missing (looked in ${candidates.join(", ")}); run npm run build`);
  return found;
}

interface Pending {
  message: RunCellMessage;
  options: CellRunOptions;
  startedAt: Date;
  started: number;
  console: ConsoleLine[];
  resolve: (run: CellRun) => void;
  timers: NodeJS.Timeout[];
  /** Why the host is ending this run itself, if it is. */
  ending: "timeout" | "interrupted" | null;
}

export class NotebookSession {
  private child: ChildProcess | null = null;
  private ready: Promise<void> | null = null;
  private nextId = 1;
  private pending: Pending | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private stderr = "";
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
    return this.child?.pid;
  }

  get busy(): boolean {
    return this.pending !== null;
  }

  /** Runs a cell after the ones already asked for. */
  run(options: CellRunOptions): Promise<CellRun> {
    const result = this.queue.then(() => this.runNow(options));
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Stops the running cell: V8 stops a busy one (the variables stay); one that does not stop restarts the kernel. */
  interrupt(): void {
    const p = this.pending;
    if (!p || !this.child) return;
    p.ending ??= "interrupted";
    this.child.send({ type: "interrupt", id: p.message.id });
    this.child.kill("SIGINT");
    p.timers.push(setTimeout(() => this.killRunning(), GRACE_MS));
  }

  /** A fresh kernel with no variables; a running cell ends as interrupted. Resolves with the variables that were lost. */
  async restart(): Promise<string[]> {
    const lost = this.variables;
    if (this.pending) this.killRunning();
    else {
      this.stop();
      this.start();
    }
    await this.ready;
    return lost;
  }

  dispose(): void {
    this.disposed = true;
    this.stop();
  }

  private start(): void {
    if (this.disposed) return;
    const child = fork(this.options.kernelPath ?? kernelScriptPath(), [], {
      execArgv: [`--max-old-space-size=${this.memoryMb}`],
      serialization: "advanced",
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    this.child = child;
    this.stderr = "";
    this.variables = [];
    child.stderr?.on("data", (d: Buffer) => {
      this.stderr = (this.stderr + d.toString("utf8")).slice(-8192);
    });
    this.ready = new Promise<void>((resolve, reject) => {
      const onMessage = (m: unknown) => {
        if (isKernelMessage(m) && m.type === "ready") {
          child.off("message", onMessage);
          resolve();
        }
      };
      child.on("message", onMessage);
      child.once("exit", (code, signal) => reject(new Error(`the notebook kernel exited before it was ready (${signal ?? code}): ${this.stderr.trim()}`)));
    });
    // A kernel that never became ready fails the run that waits for it, not the process.
    this.ready.catch(() => undefined);
    child.on("message", (m: unknown) => this.receive(child, m));
    child.on("exit", (code, signal) => this.exited(child, code, signal));
  }

  private stop(): void {
    const child = this.child;
    this.child = null;
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }

  private async runNow(options: CellRunOptions): Promise<CellRun> {
    if (!this.child) this.start();
    const startedAt = new Date();
    const started = performance.now();
    try {
      await this.ready;
    } catch (e) {
      const error: SnippetError = { kind: "crash", name: "Error", message: `The notebook kernel did not start: ${(e as Error).message}`, file: options.file, at: null, stack: null };
      return { trace: cellTrace(options.file, options.source, startedAt, 0, [], emptyParts(), error), valuesOnDemand: new Map(), value: null, variables: [], restarted: null };
    }
    const timeoutMs = options.timeoutMs ?? SESSION_DEFAULTS.timeoutMs;
    const checkBudgetMs = options.checkBudgetMs ?? SESSION_DEFAULTS.checkBudgetMs;
    const message: RunCellMessage = {
      type: "run",
      id: this.nextId++,
      file: options.file,
      source: options.source,
      timeoutMs,
      checkBudgetMs,
      tolerance: { ...SESSION_DEFAULTS.tolerance, ...options.tolerance },
    };
    return new Promise<CellRun>((resolve) => {
      const pending: Pending = { message, options, startedAt, started, console: [], resolve, timers: [], ending: null };
      this.pending = pending;
      // The kernel stops a busy cell itself at timeoutMs + checkBudgetMs; this is for a cell V8 cannot stop.
      pending.timers.push(setTimeout(() => {
        pending.ending = "timeout";
        this.interrupt();
      }, timeoutMs + checkBudgetMs + GRACE_MS));
      this.child!.send(message);
    });
  }

  private receive(child: ChildProcess, m: unknown): void {
    if (child !== this.child) return;
    if (!isKernelMessage(m)) {
      this.stderr += `\nmalformed message from the kernel: ${JSON.stringify(m)?.slice(0, 200)}`;
      return;
    }
    const p = this.pending;
    if (!p || m.type === "ready" || m.id !== p.message.id) return;
    if (m.type === "console") {
      p.console.push(m.line);
      p.options.onConsole?.(m.line);
    } else if (m.type === "progress") p.options.onProgress?.(m.message);
    else this.finish(p, m);
  }

  private finish(p: Pending, done: Pick<KernelMessage & { type: "done" }, "parts" | "error" | "snippetMs" | "value" | "variables">, restarted: CellRun["restarted"] = null): void {
    if (this.pending !== p) return;
    this.pending = null;
    for (const t of p.timers) clearTimeout(t);
    this.variables = done.variables;
    const trace = cellTrace(p.message.file, p.message.source, p.startedAt, done.snippetMs || performance.now() - p.started, p.console, done.parts, done.error);
    p.resolve({ trace, valuesOnDemand: done.parts.valuesOnDemand, value: done.value, variables: done.variables, restarted });
  }

  /** The running cell did not stop: a new kernel takes over, and the run says what was lost. */
  private killRunning(): void {
    const p = this.pending;
    if (!p) return;
    const lost = this.variables;
    this.stop();
    this.start();
    const what = p.ending === "timeout" ? `ran longer than ${p.message.timeoutMs} ms and did not stop` : "did not stop when interrupted";
    this.finish(p, deathOf(p, p.ending === "timeout" ? "timeout" : "crash", p.ending === "timeout" ? "TimeoutError" : "InterruptedError", `The cell ${what}, so the kernel was restarted. ${lostSentence(lost)}`), { lost });
  }

  private exited(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.child) return;
    this.child = null;
    const p = this.pending;
    const lost = this.variables;
    const outOfMemory = /heap out of memory|Allocation failed/i.test(this.stderr);
    if (p) {
      const message = outOfMemory
        ? `The cell used more than the memory limit (${this.memoryMb} MB); the kernel was restarted. ${lostSentence(lost)}`
        : `The kernel exited (${signal ?? `code ${code}`}) while running this cell and was restarted. ${lostSentence(lost)}`;
      this.start();
      this.finish(p, deathOf(p, outOfMemory ? "out-of-memory" : "crash", outOfMemory ? "RangeError" : "Error", message), { lost });
    } else if (!this.disposed) {
      // Died while idle (killed from outside): the next run starts a fresh one.
      this.variables = [];
    }
  }
}

function deathOf(p: Pending, kind: SnippetError["kind"], name: string, message: string): CellDone {
  const error: SnippetError = { kind, name, message, file: p.message.file, at: null, stack: null };
  const parts: RecordedParts = emptyParts();
  return { type: "done", id: p.message.id, parts, error, snippetMs: performance.now() - p.started, value: null, variables: [] };
}

export function lostSentence(lost: readonly string[]): string {
  if (!lost.length) return "No variables were lost.";
  return `${lost.length === 1 ? "This variable was" : "These variables were"} lost: ${lost.join(", ")}.`;
}

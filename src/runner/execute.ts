/**
 * One run of a snippet inside the child process: transpile, run against the engine with the recorder watching (and
 * the memory budget, the console limits and the timer bookkeeping in place), then send what was recorded. What the
 * snippet throws, late or not, becomes the run's error; nothing it does can end this function early except ending
 * the whole process, which the host notices.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as vm from "node:vm";
import { transform } from "sucrase";
import * as engine from "../engine";
import { setStorageBudget } from "../engine/dtype";
import { resetDefaultGenerator } from "../engine/random";
import { errorFromThrown, syntaxErrorOf } from "./errors";
import type { ChildMessage, Phase, RunRequest, WireParts } from "./protocol";
import { type RecordedParts, TraceRecorder } from "./recorder";
import { ConsoleSink, type SnippetConsole } from "./snippetConsole";
import { realTimers, SnippetTimers } from "./snippetTimers";
import { RSS_SLACK_MB } from "./limits";
import { cellModules, startCell } from "./session/cell";
import { SnippetSyntaxError, transpile } from "./transpile";
import type { SnippetError } from "./trace";
import { SLOT } from "./watchdog";

export interface ChildServices {
  send(message: ChildMessage): void;
  /** Shared with the watchdog (see watchdog.ts). */
  shared: Int32Array;
  /** A full garbage collection (V8's gc, kept from the snippet's reach). */
  collectGarbage(): void;
}

/**
 * The recorder, with the time its checks take told to the host as a phase of its own (a separate budget). Only a
 * backward whose gradients can still be checked enters that phase: with the checks off or their budget spent, what is
 * left is recording the gradients, the snippet's own time (a training loop of 30,000 steps must not run out of a check
 * budget it never used).
 */
class PhasedRecorder extends TraceRecorder {
  private checkingMs = 0;
  private readonly checkBudgetMs: number;

  constructor(options: ConstructorParameters<typeof TraceRecorder>[0], private readonly phase: (p: Phase) => void) {
    super(options);
    this.checkBudgetMs = options.checkBudgetMs;
  }

  override onBackward(root: engine.Tensor, leaves: readonly engine.Tensor[], accumulated: boolean, gradient: engine.Tensor | null): void {
    if (!accumulated || this.checkingMs >= this.checkBudgetMs) return super.onBackward(root, leaves, accumulated, gradient);
    const started = performance.now();
    this.phase("checks");
    try {
      super.onBackward(root, leaves, accumulated, gradient);
    } finally {
      this.checkingMs += performance.now() - started;
      this.phase("snippet");
    }
  }
}

export async function executeRun(request: RunRequest, services: ChildServices): Promise<void> {
  const { send, shared } = services;
  const run = request.run;
  if (request.resetRandom) resetDefaultGenerator();
  let phase: Phase = "snippet";
  let checkMs = 0;
  let checksStarted = 0;
  const setPhase = (next: Phase) => {
    if (next === phase) return;
    const now = performance.now();
    if (phase === "checks") checkMs += now - checksStarted;
    if (next === "checks") checksStarted = now;
    phase = next;
    send({ type: "phase", run, phase: next, checkMs });
  };
  const recorder = new PhasedRecorder({
    file: request.file,
    checkBudgetMs: request.checkBudgetMs,
    tolerance: request.tolerance,
    thresholds: request.thresholds,
    onProgress: (message) => send({ type: "progress", run, message }),
  }, setPhase);
  const sink = new ConsoleSink(
    { lines: request.consoleLines, bytes: request.consoleBytes },
    (lines, dropped) => send({ type: "console", run, lines, dropped }),
    () => (recorder.line ? { line: recorder.line, column: 1 } : null),
    realTimers.setTimeout,
    realTimers.clearTimeout,
  );
  const snippetConsole = sink.console();
  // A notebook cell runs in the session's scope (session/cell.ts).
  const cell = request.cell ? startCell({ ...request, cell: request.cell }, recorder) : null;

  let error: SnippetError | null = null;
  const fail = (e: unknown) => {
    error ??= cell?.errorOf(e) ?? null;
    error ??= e instanceof SnippetSyntaxError ? syntaxErrorOf(e, request.file) : errorFromThrown(e, request.file, recorder.line);
  };
  const timers = new SnippetTimers((e) => {
    fail(e);
    timers.close();
  });
  const late = (e: unknown) => {
    fail(e);
    timers.close();
  };

  const started = performance.now();
  openRun(services, request);
  process.on("uncaughtException", late);
  process.on("unhandledRejection", late);
  timers.install(globalThis);
  engine.setRecorder(cell ? cell.recorder : recorder);
  setStorageBudget({ limitBytes: request.memoryBytes, inUse: () => process.memoryUsage().arrayBuffers, collect: services.collectGarbage });
  try {
    const body = cell
      ? cell.run(instrumentationHooks(recorder, shared), snippetConsole, makeRequire(request.file, cellModules, snippetConsole))
      : runBody(request, recorder, shared, snippetConsole);
    await Promise.race([body, timers.whenClosed]);
    await timers.settled();
    if (!cell && error === null) {
      // The latest backward call of each loop, checked with the budget kept for it (recorder.ts).
      setPhase("checks");
      try {
        recorder.checkLatestCalls();
      } finally {
        setPhase("snippet");
      }
    }
  } catch (e) {
    fail(e);
  } finally {
    timers.close();
    timers.uninstall(globalThis);
    setStorageBudget(null);
    engine.setRecorder(null);
    closeRun(services);
    process.off("uncaughtException", late);
    process.off("unhandledRejection", late);
  }
  const snippetMs = performance.now() - started;
  setPhase("finishing");
  let parts: RecordedParts;
  try {
    parts = recorder.finish();
  } catch (e) {
    send({ type: "failed", run, message: `recording the run's results failed: ${(e as Error).message}` });
    return;
  }
  sink.flush();
  const wire: WireParts = { ...parts, valuesOnDemand: [...parts.valuesOnDemand].map(([id, v]) => ({ id, ...v })) };
  send({ type: "done", run, parts: wire, error, snippetMs, droppedLines: sink.droppedLines, droppedBytes: sink.droppedBytes, ...(cell ? { cell: cell.outcome(error) } : {}) });
}

/** The watchdog starts watching: the line from 0, resident memory up to what the process has now plus the limit. */
function openRun({ shared }: ChildServices, request: RunRequest): void {
  const rssNow = process.memoryUsage.rss();
  Atomics.store(shared, SLOT.line, 0);
  Atomics.store(shared, SLOT.rssStartMb, Math.round(rssNow / 2 ** 20));
  Atomics.store(shared, SLOT.rssLimitMb, Math.ceil((rssNow + request.memoryBytes) / 2 ** 20) + RSS_SLACK_MB);
  Atomics.store(shared, SLOT.running, 1);
  Atomics.notify(shared, SLOT.running);
}

function closeRun({ shared }: ChildServices): void {
  Atomics.store(shared, SLOT.running, 0);
}

async function runBody(request: RunRequest, recorder: TraceRecorder, shared: Int32Array, snippetConsole: SnippetConsole): Promise<void> {
  const { code } = transpile(request.source, request.file);
  const gl = instrumentationHooks(recorder, shared);
  const prefix = "(async function (__gl, __gradlens, __require, console) {";
  const fn = vm.runInThisContext(`${prefix}${code}\n})`, { filename: request.file, columnOffset: -prefix.length }) as (...a: unknown[]) => Promise<void>;
  await fn(gl, engine, makeRequire(request.file, new Map(), snippetConsole), snippetConsole);
}

/** What the instrumented code calls (see instrument.ts). */
function instrumentationHooks(recorder: TraceRecorder, shared: Int32Array) {
  return {
    l(line: number): void {
      recorder.enterLine(line);
      Atomics.store(shared, SLOT.line, line);
    },
    b<T>(value: T, name: string | null, line: number, column: number): T {
      recorder.bind(value, name, line, column);
      return value;
    },
    e(): number {
      return recorder.line;
    },
    x(saved: number): void {
      recorder.line = saved;
      Atomics.store(shared, SLOT.line, saved);
    },
  };
}

/** `import … from "./other"`: the user's other files, transpiled as CommonJS (they are not instrumented). */
function makeRequire(fromFile: string, cache: Map<string, unknown>, snippetConsole: SnippetConsole) {
  return (spec: string): unknown => {
    if (spec === "gradlens") return engine;
    const base = path.resolve(path.dirname(fromFile), spec);
    const file = [base, `${base}.ts`, `${base}.js`, path.join(base, "index.ts")].find((f) => {
      try {
        return readFileSync(f) !== undefined;
      } catch {
        return false;
      }
    });
    if (!file) throw new Error(`Cannot find module '${spec}' imported from ${fromFile}`);
    if (cache.has(file)) return cache.get(file);
    const module = { exports: {} as Record<string, unknown> };
    cache.set(file, module.exports);
    const code = transform(readFileSync(file, "utf8"), { transforms: ["typescript", "imports"], filePath: file }).code;
    const fn = vm.runInThisContext(`(function (exports, require, module, console) {${code}\n})`, { filename: file }) as (...a: unknown[]) => void;
    fn(module.exports, makeRequire(file, cache, snippetConsole), module, snippetConsole);
    cache.set(file, module.exports);
    return module.exports;
  };
}

/**
 * runSnippet: the host side of a run. The snippet runs in a child process (childProcess.ts) with its limits: the time
 * limit on the snippet's own code, a separate budget for the numerical checks, memory (V8's heap, the engine's count
 * of array memory, and the process's resident memory, watched), and the console's lines and bytes. Whatever the
 * snippet does — throw, hang, overflow its heap, exit, print forever — ends in a Trace that says what and where, and
 * the next run starts in a fresh child. It rejects only for Gradlens's own failures (a RunnerError).
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { DEFAULT_TOLERANCE, type Tolerance } from "../engine/autograd/tolerance";
import { type ChildEnd, describeEnd, SnippetProcess, WarmPool } from "./childProcess";
import { heapLimitMb, type RunLimits, resolveLimits } from "./limits";
import type { CellOutcome, CellRequest, ChildMessage, Phase, ProtocolError, WireParts } from "./protocol";
import type { RecordedParts } from "./recorder";
import { type ConsoleLine, DEFAULT_THRESHOLDS, type FindingThresholds, type SnippetError, type Trace, TRACE_VERSION, type ValuesOnDemand } from "./trace";

export interface RunOptions extends Partial<RunLimits> {
  file: string;
  /** The text to run (an editor's unsaved buffer); read from `file` when absent. */
  source?: string;
  tolerance?: Partial<Tolerance>;
  /** Thresholds of the findings (vanishing and exploding gradients, dead ReLUs...). */
  thresholds?: Partial<FindingThresholds>;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
  onConsole?: (line: ConsoleLine) => void;
  /** Start the next run's child as soon as this one has its own (default true; the CLI runs once and says false). */
  keepWarm?: boolean;
}

export { DEFAULT_LIMITS } from "./limits";

/** A failure of Gradlens itself (not of the snippet): a broken message from the child, a child that would not start. */
export class RunnerError extends Error {
  override name = "RunnerError";

  /** `untrusted`: the child's messages could not be trusted (the snippet may have written to the runner's channel),
   * so this need not be a bug in Gradlens. */
  constructor(message: string, readonly origin: "internal" | "untrusted" = "internal") {
    super(message);
  }
}

/** A run: its Trace, and beside it the values of the tensors too big to travel inside it (for a viewer to ask for). */
export interface RunOutput {
  trace: Trace;
  valuesOnDemand: ValuesOnDemand;
  /** A notebook cell's value and the session's variables (runInSession with `cell`). */
  cell?: CellOutcome;
}

/** The checks may run this much past their budget before the host stops them (they keep to it themselves). */
function checkGraceMs(budgetMs: number): number {
  return Math.max(1000, budgetMs / 2);
}
/** Time to write the results after the snippet ended. */
const FINISH_LIMIT_MS = 10_000;
/** How long a stuck snippet may wait past its limit for the watchdog's first line report. */
const LINE_GRACE_MS = 200;
/** A child that is not ready within this long will not be. */
const START_LIMIT_MS = 30_000;

const pool = new WarmPool();

/** Ends the waiting child (the extension calls it when it deactivates; tests when they finish). */
export function disposeRunner(): void {
  pool.dispose();
}

/** Starts a child now, so that the next run does not wait for one; resolves when it is ready. */
export function prewarm(memoryMb = resolveLimits({}).memoryMb): Promise<void> {
  return pool.refill(heapLimitMb(memoryMb));
}

export async function runSnippet(options: RunOptions): Promise<Trace> {
  return (await runSnippetWithValues(options)).trace;
}

export async function runSnippetWithValues(options: RunOptions): Promise<RunOutput> {
  const limits = resolveLimits(options);
  const file = path.resolve(options.file);
  const tolerance = { ...DEFAULT_TOLERANCE, ...options.tolerance };
  const startedAt = new Date();
  let source: string;
  try {
    source = options.source ?? readFileSync(file, "utf8");
  } catch (e) {
    const error: SnippetError = { kind: "crash", name: "Error", message: `cannot read ${file}: ${(e as Error).message}`, file, at: null, stack: null };
    return assemble(file, "", startedAt, 0, [], emptyParts(), error);
  }
  const heapMb = heapLimitMb(limits.memoryMb);
  let child: SnippetProcess;
  try {
    child = pool.take(heapMb);
  } catch (e) {
    throw new RunnerError(`the snippet's process could not be started: ${(e as Error).message}`);
  }
  try {
    return await supervise(child, { file, source, limits, tolerance, startedAt, options, keepChild: false, resetRandom: true });
  } finally {
    child.kill();
    // The next child starts once this run is over, not during it: on two cores it would take the run's CPU.
    if (options.keepWarm !== false) setImmediate(() => void pool.refill(heapMb));
  }
}

/** Runs a snippet in a child of a session (`new SnippetProcess(heapMb, { session: true })`), which keeps its realm for
 * the next run when this one ends normally; a run that hits a limit or crashes ends the child. For the notebook
 * kernel: see README.md. */
export async function runInSession(child: SnippetProcess, options: RunOptions & { source: string; resetRandom?: boolean; cell?: CellRequest }): Promise<RunOutput> {
  const limits = resolveLimits(options);
  const tolerance = { ...DEFAULT_TOLERANCE, ...options.tolerance };
  return supervise(child, { file: path.resolve(options.file), source: options.source, limits, tolerance, startedAt: new Date(), options, keepChild: true, resetRandom: options.resetRandom ?? false, cell: options.cell });
}

interface RunSpec {
  file: string;
  source: string;
  limits: RunLimits;
  tolerance: Tolerance;
  startedAt: Date;
  options: RunOptions;
  /** Leave the child alive after a normal end (a session). */
  keepChild: boolean;
  resetRandom: boolean;
  /** A notebook cell: the child stops it itself at its own limit, and stays alive (see session/cell.ts). */
  cell?: CellRequest;
}

/** Watches one run in `child` to its end: the limits of each phase, the console's caps, and how it ended. */
function supervise(child: SnippetProcess, spec: RunSpec): Promise<RunOutput> {
  const { file, source, limits, options } = spec;
  const consoleLines: ConsoleLine[] = [];
  let shownBytes = 0;
  /** Lines dropped here (past the caps) and in the child (it counts what it did not send). */
  let droppedHere = 0;
  let droppedInChild = 0;
  const dropped = () => droppedHere + droppedInChild;
  let line = 0;
  let phase: Phase | "starting" = "starting";
  let phaseStarted = performance.now();
  let snippetUsed = 0;
  let checksUsed = 0;
  let finishUsed = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** The stop that waits for the watchdog's first line (see LINE_GRACE_MS). */
  let awaitingLine: (() => void) | null = null;
  const run = child.runId();

  return new Promise<RunOutput>((resolve, reject) => {
    let settled = false;
    const at = () => (line ? { line, column: 1 } : null);
    const where = () => (line ? ` at line ${line}` : "");
    const end = (result: RunOutput | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      child.listen(null);
      if (result instanceof Error || !spec.keepChild || (result.trace.error?.kind === "timeout" && !spec.cell)) child.kill();
      if (result instanceof Error) return reject(result);
      if (dropped()) options.onConsole?.(result.trace.console[result.trace.console.length - 1]);
      resolve(result);
    };
    const stop = (kind: SnippetError["kind"], name: string, message: string) => {
      child.kill();
      end(assemble(file, source, spec.startedAt, snippetUsed + checksUsed, consoleLines, emptyParts(), { kind, name, message, file, at: at(), stack: null }, dropped(), limits));
    };
    const account = () => {
      const now = performance.now();
      const spent = now - phaseStarted;
      phaseStarted = now;
      if (phase === "snippet") snippetUsed += spent;
      else if (phase === "checks") checksUsed += spent;
      else if (phase === "finishing") finishUsed += spent;
    };
    const onLimit = () => {
      account();
      if (phase === "starting") {
        end(new RunnerError(`the snippet's process did not start within ${START_LIMIT_MS / 1000} s`));
      } else if (phase === "snippet") {
        const stopNow = () =>
          stop("timeout", "TimeoutError", `The snippet ran longer than its time limit of ${limits.timeoutMs.toLocaleString("en-US")} ms and was stopped${where()}.` +
            (checksUsed >= 1 ? ` (The numerical checks' ${Math.round(checksUsed)} ms are not counted: they have their own budget.)` : ""));
        // The watchdog reports the line every 10 ms; on a busy machine the first report may still be on its way.
        if (line === 0 && !awaitingLine) {
          awaitingLine = stopNow;
          timer = setTimeout(stopNow, LINE_GRACE_MS);
        } else stopNow();
      } else if (phase === "checks") {
        stop("timeout", "TimeoutError", `The numerical checks ran past their budget of ${limits.checkBudgetMs.toLocaleString("en-US")} ms and were stopped${where()}.`);
      } else {
        end(new RunnerError(`writing the run's results took longer than ${FINISH_LIMIT_MS / 1000} s`));
      }
    };
    const arm = () => {
      clearTimeout(timer);
      const left =
        phase === "starting" ? START_LIMIT_MS
        : phase === "snippet" ? limits.timeoutMs - snippetUsed
        : phase === "checks" ? limits.checkBudgetMs + checkGraceMs(limits.checkBudgetMs) - checksUsed
        : FINISH_LIMIT_MS - finishUsed;
      timer = setTimeout(onLimit, Math.max(0, left));
    };
    const enter = (next: Phase) => {
      account();
      phase = next;
      arm();
    };
    const onAbort = () => stop("crash", "Error", "The run was cancelled.");
    const addConsole = (entry: ConsoleLine) => {
      if (consoleLines.length >= limits.consoleLines || shownBytes >= limits.consoleBytes) {
        droppedHere++;
        return;
      }
      const text = entry.text.length > limits.consoleBytes - shownBytes ? entry.text.slice(0, limits.consoleBytes - shownBytes) : entry.text;
      shownBytes += Buffer.byteLength(text);
      const kept = text === entry.text ? entry : { ...entry, text };
      consoleLines.push(kept);
      options.onConsole?.(kept);
    };

    child.listen({
      onMessage(m: ChildMessage) {
        if (settled) return;
        if (m.type === "ready") return end(new RunnerError("the snippet's process said it was ready twice"));
        if (m.run !== run && !(m.type === "failed" && m.run === null)) return end(new RunnerError(`a message for run ${String(m.run)} came during run ${run}`));
        switch (m.type) {
          case "console":
            for (const l of m.lines) addConsole(l);
            droppedInChild = Math.max(droppedInChild, m.dropped);
            break;
          case "progress":
            options.onProgress?.(m.message);
            break;
          case "phase":
            enter(m.phase);
            checksUsed = Math.max(checksUsed, m.checkMs);
            break;
          case "done": {
            account();
            droppedInChild = Math.max(droppedInChild, m.droppedLines);
            const parts = partsFromWire(m.parts);
            end({ ...assemble(file, source, spec.startedAt, m.snippetMs, consoleLines, parts, m.error, dropped(), limits), ...(m.cell ? { cell: m.cell } : {}) });
            break;
          }
          case "failed":
            end(new RunnerError(m.message));
            break;
        }
      },
      onWatchdog(m) {
        if (settled) return;
        if (m.type === "line") {
          line = m.line;
          if (line && awaitingLine) awaitingLine();
        } else {
          account();
          const grew = Math.round((m.bytes - m.startBytes) / 2 ** 20).toLocaleString("en-US");
          stop("out-of-memory", "RangeError", `The snippet ran out of memory: it used more than its limit of ${limits.memoryMb.toLocaleString("en-US")} MB ` +
            `(its process grew by ${grew} MB) and was stopped${where()}.`);
        }
      },
      onOutput(stream, text) {
        if (!settled) addConsole({ stream, text, at: at() });
      },
      onProtocolError(e: ProtocolError) {
        end(new RunnerError(e.message, "untrusted"));
      },
      onExit(childEnd: ChildEnd) {
        if (settled) return;
        account();
        if (childEnd.heapExhausted) {
          stop("out-of-memory", "RangeError", `The snippet ran out of memory: its JavaScript objects outgrew its limit of ${limits.memoryMb.toLocaleString("en-US")} MB and V8 stopped it${where()}.`);
        } else if (phase === "starting") {
          end(new RunnerError(`the snippet's process ended before it was ready (${describeEnd(childEnd)})${childEnd.stderrTail ? `: ${childEnd.stderrTail.split("\n").pop()}` : ""}`));
        } else if (childEnd.signal === "SIGKILL") {
          stop("out-of-memory", "Error", `The snippet's process was killed by the system${where()} (out of memory?).`);
        } else {
          stop("crash", "Error", `The snippet ended its own process (${describeEnd(childEnd)})${where()} before the run finished.`);
        }
      },
    });
    options.signal?.addEventListener("abort", onAbort);
    if (options.signal?.aborted) return onAbort();
    arm();
    child.ready.then(
      () => {
        if (settled) return;
        child.send({
          type: "run",
          run,
          file,
          source,
          checkBudgetMs: limits.checkBudgetMs,
          tolerance: spec.tolerance,
          thresholds: { ...DEFAULT_THRESHOLDS, ...spec.options.thresholds },
          memoryBytes: limits.memoryMb * 2 ** 20,
          consoleLines: limits.consoleLines,
          consoleBytes: limits.consoleBytes,
          resetRandom: spec.resetRandom,
          ...(spec.cell ? { cell: spec.cell } : {}),
        });
        enter("snippet");
      },
      (e: Error) => end(new RunnerError(e.message)),
    );
  });
}

function partsFromWire(wire: WireParts): RecordedParts {
  return { ...wire, valuesOnDemand: new Map(wire.valuesOnDemand.map(({ id, value, grad, numerical, backwardGrad }) => [id, { value, grad, numerical, backwardGrad }])) };
}

function emptyParts(): RecordedParts {
  return { tensors: [], valuesOnDemand: new Map(), nodes: [], backwards: [], series: [], warnings: [], limits: { droppedTensors: 0, droppedNodes: 0, historyPerLine: 0, droppedBackwards: 0 }, checkDurationMs: 0, findings: [], modules: [], flow: { parameters: [], layers: [], loss: [] } };
}

function assemble(
  file: string,
  source: string,
  startedAt: Date,
  snippetMs: number,
  consoleLines: ConsoleLine[],
  parts: RecordedParts,
  error: SnippetError | null,
  droppedLines = 0,
  limits?: RunLimits,
): RunOutput {
  const failed = parts.backwards.some((b) => b.checks.some((c) => c.passed === false) || b.nodeChecks.some((c) => c.passed === false));
  const console = droppedLines ? [...consoleLines, droppedNotice(droppedLines, limits)] : consoleLines;
  const trace: Trace = {
    version: TRACE_VERSION,
    file,
    source,
    startedAt: startedAt.toISOString(),
    durationMs: snippetMs,
    checkDurationMs: parts.checkDurationMs,
    status: error ? "error" : failed ? "check-failed" : "ok",
    tensors: parts.tensors,
    nodes: parts.nodes,
    backwards: parts.backwards,
    console,
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

function droppedNotice(dropped: number, limits?: RunLimits): ConsoleLine {
  const cap = limits ? ` (the console keeps ${limits.consoleLines.toLocaleString("en-US")} lines and ${limits.consoleBytes.toLocaleString("en-US")} bytes per run)` : "";
  return { stream: "warn", text: `… ${dropped.toLocaleString("en-US")} more lines not shown${cap}`, at: null };
}

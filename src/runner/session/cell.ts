/**
 * A notebook cell's run inside a session child (../child.ts started with `session: true`, which serves run after run
 * in one JavaScript realm). ../execute.ts runs a request that carries `cell` through here instead of as a file:
 *
 * - the cell is transpiled so that its top-level declarations live in the session's scope (../notebook/cellTranspile.ts),
 *   and its last expression becomes the cell's value (`Out[n]`);
 * - `__gl`, `console` and `require` are the same objects from cell to cell, forwarding to the current run's, because a
 *   function one cell defined is called from later cells, and must record into, and print to, the run calling it;
 * - V8 stops a busy cell itself — vm's `timeout` and `breakOnSigint` terminate the script and throw into this
 *   function — so the session's variables survive a time-out or an interrupt; a cell awaiting something that never
 *   comes is abandoned on SIGINT. What neither can stop (a busy loop after an `await`) the host ends by killing the
 *   child (and says which variables were lost).
 */
import { inspect } from "node:util";
import * as vm from "node:vm";
import * as engine from "../../engine";
import { CELL_ARGS_GLOBAL, transpileCell } from "../notebook/cellTranspile";
import type { CellOutcome, RunRequest } from "../protocol";
import type { TraceRecorder } from "../recorder";
import type { SnippetConsole } from "../snippetConsole";
import type { SnippetError } from "../trace";
import { adoptingRecorder } from "./adoption";
import { SessionScope } from "./scope";

/** What the instrumented code calls (../instrument.ts). */
export interface InstrumentationHooks {
  l(line: number): void;
  b<T>(value: T, name: string | null, line: number, column: number): T;
  e(): number;
  x(saved: number): void;
}

/** What V8 throws when vm's time limit or SIGINT stops a script. */
const TIMED_OUT = "ERR_SCRIPT_EXECUTION_TIMEOUT";
const INTERRUPTED = "ERR_SCRIPT_EXECUTION_INTERRUPTED";

class Abandoned extends Error {
  override name = "Abandoned";
}

// ---- the session: one per child process ----
const scope = new SessionScope();
/** The cells' relative imports, loaded once per session. */
export const cellModules = new Map<string, unknown>();
let hooks: InstrumentationHooks | null = null;
let out: SnippetConsole | null = null;
let load: ((spec: string) => unknown) | null = null;
let abandon: (() => void) | null = null;

const gl: InstrumentationHooks = {
  l: (line) => hooks?.l(line),
  b: (value, name, line, column) => (hooks ? hooks.b(value, name, line, column) : value),
  e: () => hooks?.e() ?? 0,
  x: (saved) => hooks?.x(saved),
};
const forward = (method: keyof SnippetConsole) => (...args: unknown[]) => out?.[method](...args);
const stableConsole: SnippetConsole = { log: forward("log"), info: forward("info"), debug: forward("debug"), warn: forward("warn"), error: forward("error") };
const stableRequire = (spec: string): unknown => {
  if (!load) throw new Error(`Cannot import '${spec}' outside a cell's run`);
  return load(spec);
};
let sigint = false;

export interface CellRunner {
  /** Goes in front of the engine instead of the recorder (see adoption.ts). */
  recorder: engine.Recorder;
  run(hooks: InstrumentationHooks, console: SnippetConsole, require: (spec: string) => unknown): Promise<void>;
  /** The error of a cell V8 stopped (time-out, interrupt); null for any other error. */
  errorOf(e: unknown): SnippetError | null;
  outcome(error: SnippetError | null): CellOutcome;
}

export function startCell(request: RunRequest & { cell: NonNullable<RunRequest["cell"]> }, recorder: TraceRecorder): CellRunner {
  const names = scope.namesByValue();
  let value: { value: unknown; name: string | null } | null = null;
  const api = {
    scope: scope.scope,
    declare: (list: string[]) => scope.declare(list),
    lock: (list: string[]) => scope.lock(list),
    result: (v: unknown, name: string | null) => {
      value = { value: v, name };
    },
  };
  let shown: CellOutcome["value"] = null;
  return {
    recorder: adoptingRecorder(recorder, (v) => names.get(v) ?? null),
    async run(runHooks, runConsole, runRequire) {
      hooks = runHooks;
      out = runConsole;
      load = runRequire;
      if (!sigint) {
        // SIGINT outside a running script (a cell awaiting) must not end the session: it abandons that cell.
        process.on("SIGINT", () => abandon?.());
        sigint = true;
      }
      const cell = transpileCell(request.source, request.file);
      (globalThis as Record<string, unknown>)[CELL_ARGS_GLOBAL] = [gl, engine, stableRequire, stableConsole, api];
      const abandoned = new Promise<never>((_, reject) => (abandon = () => reject(new Abandoned())));
      abandoned.catch(() => undefined);
      try {
        // The checks run inside backward(), within the script: the limit covers both, as a file run's limits do.
        const promise = vm.runInThisContext(cell.code, { filename: request.file, columnOffset: cell.columnOffset, timeout: request.cell.timeoutMs + request.checkBudgetMs, breakOnSigint: true }) as Promise<void>;
        await Promise.race([promise, abandoned]);
      } catch (e) {
        // A stopped cell never ran its `finally` blocks: leave no noGrad() switched on for the next cell.
        if (isStop(e)) engine.setGradEnabled(true);
        throw e;
      } finally {
        abandon = null;
      }
      const ended = value as { value: unknown; name: string | null } | null;
      if (ended && ended.value !== undefined) {
        recorder.bind(ended.value, ended.name, recorder.line, 1);
        shown = { text: inspect(ended.value, { depth: 4 }) };
      }
    },
    errorOf(e) {
      if (!isStop(e)) return null;
      const line = recorder.line;
      const where = line ? ` while at line ${line}` : "";
      const at = line ? { line, column: 1 } : null;
      if ((e as { code?: string }).code === TIMED_OUT) {
        return { kind: "timeout", name: "TimeoutError", message: `The cell ran longer than ${request.cell.timeoutMs.toLocaleString("en-US")} ms and was stopped${where}. The kernel kept its variables.`, file: request.file, at, stack: null };
      }
      return { kind: "runtime", name: "InterruptedError", message: `The cell was interrupted${where}. The kernel kept its variables.`, file: request.file, at, stack: null };
    },
    outcome(error) {
      return { value: error ? null : shown, variables: scope.names() };
    },
  };
}

function isStop(e: unknown): boolean {
  const code = (e as { code?: string } | null)?.code;
  return e instanceof Abandoned || code === TIMED_OUT || code === INTERRUPTED;
}

/**
 * The kernel side of a notebook session: runs one cell after another in this process, every cell in the same scope
 * (see scope.ts and ../notebook/cellTranspile.ts), each with its own recorder, and answers with what the cell
 * printed, recorded and ended with.
 *
 * A busy cell is stopped by V8 itself: the cell's script runs with vm's `timeout` and `breakOnSigint`, which
 * terminate the running JavaScript and throw into the caller, so the variables survive (the kernel lives on). A cell
 * that awaits something that never comes is abandoned when interrupted. What neither can stop (a busy loop after an
 * `await`) the host ends by restarting the kernel.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { format, inspect } from "node:util";
import * as vm from "node:vm";
import { transform } from "sucrase";
import * as engine from "../../engine";
import { errorFromThrown, syntaxErrorOf } from "../errors";
import { CELL_ARGS_GLOBAL, transpileCell } from "../notebook/cellTranspile";
import { SnippetSyntaxError } from "../transpile";
import type { ConsoleLine, SnippetError } from "../trace";
import { CellRecorder } from "./cellRecorder";
import type { CellValue, KernelMessage, RunCellMessage } from "./protocol";
import { SessionScope } from "./scope";

type Post = (m: KernelMessage) => void;

/** What V8 throws when vm's time limit or SIGINT stops a script. */
const TIMED_OUT = "ERR_SCRIPT_EXECUTION_TIMEOUT";
const INTERRUPTED = "ERR_SCRIPT_EXECUTION_INTERRUPTED";

export class CellExecutor {
  private readonly scope = new SessionScope();
  private recorder: CellRecorder | null = null;
  private runId = -1;
  private abandon: ((reason: "interrupted") => void) | null = null;
  private queue: Promise<void> = Promise.resolve();
  private readonly moduleCache = new Map<string, unknown>();

  /** What the instrumented code calls (see ../instrument.ts); one object for the session's life, because functions
   * that a cell defined keep calling it from later cells. */
  private readonly gl = {
    l: (line: number): void => this.recorder?.enterLine(line),
    b: <T>(value: T, name: string | null, line: number, column: number): T => {
      this.recorder?.bind(value, name, line, column);
      return value;
    },
    e: (): number => this.recorder?.line ?? 0,
    x: (saved: number): void => {
      if (this.recorder) this.recorder.line = saved;
    },
  };

  private readonly console = this.makeConsole();

  private readonly cell = {
    scope: this.scope.scope,
    declare: (names: string[]) => this.scope.declare(names),
    lock: (names: string[]) => this.scope.lock(names),
    result: (value: unknown, name: string | null) => {
      this.value = { value, name };
    },
  };

  private value: { value: unknown; name: string | null } | null = null;

  constructor(private readonly post: Post) {}

  run(message: RunCellMessage): Promise<void> {
    this.queue = this.queue.then(() => this.runNow(message));
    return this.queue;
  }

  /** Stops waiting for the running cell if it is awaiting (a busy cell gets SIGINT instead). */
  interrupt(id: number | null): void {
    if (id === null || id === this.runId) this.abandon?.("interrupted");
  }

  private async runNow(m: RunCellMessage): Promise<void> {
    this.runId = m.id;
    this.value = null;
    const names = this.scope.namesByValue();
    const recorder = new CellRecorder(
      { file: m.file, checkBudgetMs: m.checkBudgetMs, tolerance: m.tolerance, onProgress: (message) => this.post({ type: "progress", id: m.id, message }) },
      (value) => names.get(value) ?? null,
    );
    this.recorder = recorder;
    const started = performance.now();
    let error: SnippetError | null = null;
    let stopped = false;
    engine.setRecorder(recorder);
    try {
      const cell = transpileCell(m.source, m.file);
      (globalThis as Record<string, unknown>)[CELL_ARGS_GLOBAL] = [this.gl, engine, this.makeRequire(m.file), this.console, this.cell];
      // The checks run inside backward(), within the script: the limit covers them as the file runner's does.
      const limit = m.timeoutMs + m.checkBudgetMs;
      const promise = vm.runInThisContext(cell.code, { filename: m.file, columnOffset: cell.columnOffset, timeout: limit, breakOnSigint: true }) as Promise<void>;
      const abandoned = new Promise<"interrupted">((resolve) => (this.abandon = resolve));
      if ((await Promise.race([promise, abandoned])) === "interrupted") {
        stopped = true;
        error = stoppedError("interrupted", m, recorder.line);
      }
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === TIMED_OUT || code === INTERRUPTED) {
        stopped = true;
        error = stoppedError(code === TIMED_OUT ? "timeout" : "interrupted", m, recorder.line);
      } else error = e instanceof SnippetSyntaxError ? syntaxErrorOf(e, m.file) : errorFromThrown(e, m.file, recorder.line);
    } finally {
      this.abandon = null;
      engine.setRecorder(null);
      // A stopped cell never ran its `finally` blocks: leave no noGrad() switched on for the next cell.
      if (stopped) engine.setGradEnabled(true);
    }
    const snippetMs = performance.now() - started;
    let value: CellValue | null = null;
    const ended = this.takeValue();
    if (!error && ended && ended.value !== undefined) {
      recorder.bindValue(ended.value, ended.name);
      value = { text: display(ended.value) };
    }
    const parts = recorder.finish();
    this.recorder = null;
    this.post({ type: "done", id: m.id, parts, error, snippetMs, value, variables: this.scope.names() });
  }

  private takeValue(): { value: unknown; name: string | null } | null {
    const v = this.value;
    this.value = null;
    return v;
  }

  private makeConsole(): Pick<Console, "log" | "info" | "warn" | "error" | "debug"> {
    const emit = (stream: ConsoleLine["stream"]) => (...args: unknown[]) => {
      const line = this.recorder?.line;
      this.post({ type: "console", id: this.runId, line: { stream, text: format(...args), at: line ? { line, column: 1 } : null } });
    };
    return { log: emit("log"), info: emit("log"), debug: emit("log"), warn: emit("warn"), error: emit("error") };
  }

  /** `import … from "./other"` in a cell: the notebook's neighbouring .ts files, as CommonJS, loaded once per session. */
  private makeRequire(fromFile: string): (spec: string) => unknown {
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
      if (this.moduleCache.has(file)) return this.moduleCache.get(file);
      const module = { exports: {} as Record<string, unknown> };
      this.moduleCache.set(file, module.exports);
      const code = transform(readFileSync(file, "utf8"), { transforms: ["typescript", "imports"], filePath: file }).code;
      const fn = vm.runInThisContext(`(function (exports, require, module, console) {${code}\n})`, { filename: file }) as (...a: unknown[]) => void;
      fn(module.exports, this.makeRequire(file), module, this.console);
      this.moduleCache.set(file, module.exports);
      return module.exports;
    };
  }
}

function stoppedError(how: "timeout" | "interrupted", m: RunCellMessage, line: number): SnippetError {
  const where = line ? ` while at line ${line}` : "";
  if (how === "timeout") {
    return { kind: "timeout", name: "TimeoutError", message: `The cell ran longer than ${m.timeoutMs} ms and was stopped${where}. The kernel kept its variables.`, file: m.file, at: line ? { line, column: 1 } : null, stack: null };
  }
  return { kind: "runtime", name: "InterruptedError", message: `The cell was interrupted${where}. The kernel kept its variables.`, file: m.file, at: line ? { line, column: 1 } : null, stack: null };
}

/** A value as a REPL shows it: a tensor as PyTorch's repr (its inspect hook), anything else as Node's REPL does. */
export function display(value: unknown): string {
  return inspect(value, { depth: 4 });
}

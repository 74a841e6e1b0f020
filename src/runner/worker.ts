/**
 * The worker thread a snippet runs in: it transpiles the snippet, runs it against the engine with the recorder
 * watching, and posts back what was recorded. The host can stop it at any time; nothing here can harm the host.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as vm from "node:vm";
import { parentPort, workerData } from "node:worker_threads";
import { transform } from "sucrase";
import * as engine from "../engine";
import { resetDefaultGenerator } from "../engine/random";
import { formatConsoleArgs } from "./consoleFormat";
import { errorFromThrown, syntaxErrorOf } from "./errors";
import type { WorkerInput, WorkerMessage } from "./protocol";
import { TraceRecorder } from "./recorder";
import { SnippetSyntaxError, transpile } from "./transpile";
import type { ConsoleLine, SnippetError } from "./trace";

const input = workerData as WorkerInput;
// Enough frames to see through a recursion (the default is 10).
Error.stackTraceLimit = 50;
const currentLine = new Int32Array(input.lineBuffer);
const post = (m: WorkerMessage) => parentPort!.postMessage(m);

const recorder = new TraceRecorder({
  file: input.file,
  checkBudgetMs: input.checkBudgetMs,
  tolerance: input.tolerance,
  thresholds: input.thresholds,
  onProgress: (message) => post({ type: "progress", message }),
});

/** What the instrumented code calls (see instrument.ts). */
const gl = {
  l(line: number): void {
    recorder.enterLine(line);
    Atomics.store(currentLine, 0, line);
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
    Atomics.store(currentLine, 0, saved);
  },
};

function makeConsole(): Pick<Console, "log" | "info" | "warn" | "error" | "debug"> {
  const emit = (stream: ConsoleLine["stream"]) => (...args: unknown[]) => {
    post({ type: "console", line: { stream, text: formatConsoleArgs(args), at: recorder.line ? { line: recorder.line, column: 1 } : null } });
  };
  return { log: emit("log"), info: emit("log"), debug: emit("log"), warn: emit("warn"), error: emit("error") };
}

/** `import … from "./other"`: the user's other files, transpiled as CommonJS (they are not instrumented). */
function makeRequire(fromFile: string, cache: Map<string, unknown>) {
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
    fn(module.exports, makeRequire(file, cache), module, makeConsole());
    cache.set(file, module.exports);
    return module.exports;
  };
}

async function main(): Promise<void> {
  resetDefaultGenerator();
  const started = performance.now();
  let error: SnippetError | null = null;
  engine.setRecorder(recorder);
  try {
    const { code } = transpile(input.source, input.file);
    const prefix = "(async function (__gl, __gradlens, __require, console) {";
    const fn = vm.runInThisContext(`${prefix}${code}\n})`, { filename: input.file, columnOffset: -prefix.length }) as (...a: unknown[]) => Promise<void>;
    await fn(gl, engine, makeRequire(input.file, new Map()), makeConsole());
  } catch (e) {
    error = e instanceof SnippetSyntaxError ? syntaxErrorOf(e, input.file) : errorFromThrown(e, input.file, recorder.line);
  } finally {
    engine.setRecorder(null);
  }
  const snippetMs = performance.now() - started;
  const parts = recorder.finish();
  // The big tensors' values move to the host instead of being copied.
  const buffers = [...parts.valuesOnDemand.values()].flatMap((v) => [v.value, v.grad, v.numerical].flatMap((a) => (a ? [a.buffer as ArrayBuffer] : [])));
  parentPort!.postMessage({ type: "done", parts, error, snippetMs } satisfies WorkerMessage, buffers);
}

void main();

// Runs a snippet again and again in this process with a tree's engine, runner and recorder, and prints each run's CPU
// time as JSON. bench/insight.mjs starts it. With "off", the recorder is today's without gradient recording: the
// engine's new hooks find no method (so they cost one property read, as before) and the per-op watch does nothing.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as vm from "node:vm";

type Engine = typeof import("../src/engine");

function loader(tree: string, file: string, code: string, off: boolean) {
  /* eslint-disable @typescript-eslint/no-require-imports -- the tree to measure is chosen at run time */
  const engine = require(path.join(tree, "src/engine")) as Engine;
  const random = require(path.join(tree, "src/engine/random")) as { resetDefaultGenerator(): void };
  const { transpile } = require(path.join(tree, "src/runner/transpile")) as typeof import("../src/runner/transpile");
  const { TraceRecorder } = require(path.join(tree, "src/runner/recorder")) as typeof import("../src/runner/recorder");
  if (off) {
    const proto = TraceRecorder.prototype as unknown as Record<string, unknown>;
    for (const hook of ["onNodeGradient", "onCut", "onOptimizerStep", "onModuleCall"]) delete proto[hook];
    const insight = require(path.join(tree, "src/runner/insight")) as { Insight: { prototype: Record<string, unknown> } };
    insight.Insight.prototype.op = () => undefined;
  }
  /* eslint-enable @typescript-eslint/no-require-imports */
  const prefix = "(async function (__gl, __gradlens, __require, console) {";
  const fn = vm.runInThisContext(`${prefix}${transpile(code, file).code}\n})`, { filename: file }) as (...a: unknown[]) => Promise<void>;
  const quiet = { log: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
  return async (): Promise<number> => {
    random.resetDefaultGenerator();
    const recorder = new TraceRecorder({
      file, checkBudgetMs: 0, tolerance: { eps: 1e-6, atol: 1e-5, rtol: 1e-3 }, onProgress: () => undefined,
      thresholds: { vanishingRatio: 1e-5, explodingRatio: 1e3, deadReluFraction: 0.5, saturationFraction: 0.5, divergenceFactor: 100 },
    });
    const gl = {
      l: (line: number) => recorder.enterLine(line),
      b: <T>(value: T, name: string | null, line: number, column: number) => (recorder.bind(value, name, line, column), value),
      e: () => recorder.line,
      x: (saved: number) => void (recorder.line = saved),
    };
    const started = process.cpuUsage();
    engine.setRecorder(recorder);
    try {
      await fn(gl, engine, () => engine, quiet);
    } finally {
      engine.setRecorder(null);
    }
    recorder.finish();
    const used = process.cpuUsage(started);
    return (used.user + used.system) / 1000;
  };
}

const [tree, mode, file, runsText] = process.argv.slice(2);
const run = loader(tree, file, readFileSync(file, "utf8"), mode === "off");

void (async () => {
  const times: number[] = [];
  for (let i = 0; i < Number(runsText); i++) times.push(await run());
  process.stdout.write(JSON.stringify(times));
})();

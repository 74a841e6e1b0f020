// The runner through its API, as each live edit pays for it: a warm run of examples/seed0_autograd_basics.ts (a child
// process started ahead and waiting), against a cold one (a child started for the run). Median of 21, with a pause
// between runs as live mode's debounce leaves. Run: npm run bench:runner
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL("..", import.meta.url));
const { runSnippet, prewarm, disposeRunner } = require(`${root}dist/runner.js`);
const file = `${root}examples/seed0_autograd_basics.ts`;
const RUNS = 21;
const PAUSE_MS = 250;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)];

async function measure(keepWarm) {
  const total = [];
  const snippet = [];
  const checks = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const trace = await runSnippet({ file, keepWarm });
    total.push(performance.now() - started);
    if (trace.status !== "ok") throw new Error(`seed 0 did not run: ${trace.error?.message}`);
    snippet.push(trace.durationMs);
    checks.push(trace.checkDurationMs);
    await sleep(PAUSE_MS);
  }
  return { total, snippet, checks };
}

prewarm();
await sleep(1000);
const warm = await measure(true);
disposeRunner();
const cold = await measure(false);
disposeRunner();

const line = (label, r) =>
  `  ${label}  run ${median(r.total).toFixed(1)} ms median (p90 ${p90(r.total).toFixed(1)})   snippet ${median(r.snippet).toFixed(1)} ms   checks ${median(r.checks).toFixed(1)} ms`;
console.log(`runSnippet(examples/seed0_autograd_basics.ts), ${RUNS} runs each`);
console.log(line("warm child (live mode)", warm) + "   target ≤ 40 ms");
console.log(line("cold child (CLI)      ", cold));

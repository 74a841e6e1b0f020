// The runner through its API, as each live edit pays for it: a warm run of examples/seed0_autograd_basics.ts (the
// child process started ahead, loaded and warmed, waiting), against a cold one (a child started for the run, as the
// CLI does), and how long a waiting child takes to be ready after a run. Median of 21. Run: npm run bench:runner
import { createRequire } from "node:module";
import { cpus, loadavg } from "node:os";
import { clearInterval, setInterval } from "node:timers";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL("..", import.meta.url));
const { runSnippet, prewarm, disposeRunner } = require(`${root}dist/runner.js`);
const file = `${root}examples/seed0_autograd_basics.ts`;
const RUNS = 21;

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)];

async function measure(keepWarm) {
  const total = [];
  const snippet = [];
  const checks = [];
  const ready = [];
  for (let i = 0; i < RUNS; i++) {
    if (keepWarm) {
      // The next child, started when the previous run ended: its time to be ready is live mode's shortest pause.
      const started = performance.now();
      await prewarm();
      ready.push(performance.now() - started);
    }
    const started = performance.now();
    const trace = await runSnippet({ file, keepWarm });
    total.push(performance.now() - started);
    if (trace.status !== "ok") throw new Error(`seed 0 did not run: ${trace.error?.message}`);
    snippet.push(trace.durationMs);
    checks.push(trace.checkDurationMs);
  }
  return { total, snippet, checks, ready };
}

const load = loadavg()[0];
// A waiting child does not keep a process alive (it is unref'd): this does, while the bench awaits one.
const keepAlive = setInterval(() => undefined, 1000);
const warm = await measure(true);
disposeRunner();
const cold = await measure(false);
disposeRunner();
clearInterval(keepAlive);

const line = (label, r) =>
  `  ${label}  ${median(r.total).toFixed(1)} ms median (p90 ${p90(r.total).toFixed(1)})   of which the snippet ${median(r.snippet).toFixed(1)} ms, its checks ${median(r.checks).toFixed(1)} ms`;
console.log(`runSnippet(examples/seed0_autograd_basics.ts), ${RUNS} runs each (load average ${load.toFixed(1)} on ${cpus().length} cores)`);
console.log(line("warm child (live mode)", warm) + "   target ≤ 40 ms");
console.log(line("cold child (CLI)      ", cold));
console.log(`  a new warm child is ready ${median(warm.ready.slice(1)).toFixed(0)} ms after a run (median); a run that comes sooner waits for it`);

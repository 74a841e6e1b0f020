/**
 * The child's watchdog: a small worker thread that reads what the snippet's thread shares with it and tells the host
 * on fd 4, in lines of text, (1) the line the snippet is on, whenever it changes (checked every 10 ms), and (2) that
 * the process's resident memory went past the run's limit (with what it was at the run's start). It runs beside the snippet, so it answers while the snippet
 * keeps its own thread busy, and when V8 aborts the process on a full heap, the host already knows the line.
 */
import { Worker } from "node:worker_threads";

/** Int32 slots of the shared buffer. */
export const SLOT = {
  /** The snippet's current line (written by the instrumented code). */
  line: 0,
  /** 1 while a run is open: the watchdog sleeps otherwise. */
  running: 1,
  /** Resident memory the process may reach during the run, in MB (0: no limit). */
  rssLimitMb: 2,
  /** Never written: the watchdog sleeps on it. */
  sleep: 3,
  /** Resident memory at the start of the run, in MB (for the message). */
  rssStartMb: 4,
} as const;

export const SHARED_BYTES = 20;

// Plain JavaScript, run with `eval: true`: it needs nothing of the runner's bundle, so it starts in a few ms.
const WATCHDOG_SOURCE = `
const { workerData } = require("node:worker_threads");
const { writeSync } = require("node:fs");
const shared = new Int32Array(workerData.shared);
const send = (text) => {
  try { writeSync(workerData.fd, text + "\\n"); } catch { /* the host is gone: nothing to tell */ }
};
let last = -1;
let reported = false;
for (;;) {
  if (Atomics.load(shared, ${SLOT.running}) === 0) {
    last = -1;
    reported = false;
    Atomics.wait(shared, ${SLOT.running}, 0);
    continue;
  }
  const line = Atomics.load(shared, ${SLOT.line});
  if (line !== last) {
    last = line;
    send("line " + line);
  }
  const limit = Atomics.load(shared, ${SLOT.rssLimitMb});
  if (!reported && limit > 0) {
    const rss = process.memoryUsage.rss();
    if (rss > limit * 1048576) {
      reported = true;
      send("memory " + rss + " " + Atomics.load(shared, ${SLOT.rssStartMb}) * 1048576);
    }
  }
  Atomics.wait(shared, ${SLOT.sleep}, 0, 10);
}
`;

export function startWatchdog(shared: SharedArrayBuffer, fd: number): Worker {
  const worker = new Worker(WATCHDOG_SOURCE, { eval: true, workerData: { shared, fd }, stdout: false, stderr: false });
  // It never ends by itself; the process may.
  worker.unref();
  return worker;
}

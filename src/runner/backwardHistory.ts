/**
 * Which backward() records a run keeps. A training loop calls backward() on one line thousands of times, and a record
 * per call (its gradients, its checks) made reports of tens of megabytes. Per line the Trace keeps the first
 * BACKWARDS_FIRST calls, the latest BACKWARDS_LATEST, every call whose check failed or said something, the first whose
 * checks did not run (it says why), and BACKWARDS_SAMPLED calls spread evenly over the rest; the others are counted:
 * in the next kept record of their line (`omittedBefore`) and in TraceLimits, their checks' outcomes included.
 * Only the first and latest calls and the notable ones keep the gradients' print and values ("whole" records); the
 * sampled ones keep statistics.
 */
import type { BackwardRecord } from "./trace";

export const BACKWARDS_FIRST = 3;
export const BACKWARDS_LATEST = 3;
export const BACKWARDS_SAMPLED = 24;

export interface BackwardSelection {
  /** The records kept, in the order the snippet made them, with `omittedBefore` set. */
  kept: BackwardRecord[];
  /** Kept records that keep their values (first, latest, notable). */
  whole: Set<BackwardRecord>;
  dropped: number;
  droppedChecks: { passed: number; unchecked: number };
}

/** A record a user must see whatever the loop's length: a check failed, or said more than its numbers. */
export function notable(b: BackwardRecord): boolean {
  return b.checks.some((c) => c.passed === false || !!c.message) || b.nodeChecks.some((c) => c.passed === false);
}

export function selectBackwards(records: readonly BackwardRecord[]): BackwardSelection {
  const byLine = new Map<number, BackwardRecord[]>();
  for (const b of records) {
    const line = b.at?.line ?? 0;
    let list = byLine.get(line);
    if (!list) byLine.set(line, (list = []));
    list.push(b);
  }
  const keep = new Set<BackwardRecord>();
  const whole = new Set<BackwardRecord>();
  for (const list of byLine.values()) {
    const n = list.length;
    let skippedSeen = false;
    list.forEach((b, i) => {
      const edge = i < BACKWARDS_FIRST || i >= n - BACKWARDS_LATEST;
      if (edge || notable(b)) whole.add(b);
      const firstSkipped = !skippedSeen && b.checks.some((c) => c.passed === null);
      if (firstSkipped) skippedSeen = true;
      if (edge || notable(b) || firstSkipped) keep.add(b);
    });
    // Evenly spread over the middle calls: the i-th sample is the floor of i·m/BACKWARDS_SAMPLED.
    const middle = n - BACKWARDS_FIRST - BACKWARDS_LATEST;
    for (let k = 0; middle > 0 && k < Math.min(middle, BACKWARDS_SAMPLED); k++) keep.add(list[BACKWARDS_FIRST + Math.floor((k * middle) / Math.min(middle, BACKWARDS_SAMPLED))]);
  }
  const kept: BackwardRecord[] = [];
  const droppedChecks = { passed: 0, unchecked: 0 };
  const omitted = new Map<number, number>();
  for (const b of records) {
    const line = b.at?.line ?? 0;
    if (!keep.has(b)) {
      omitted.set(line, (omitted.get(line) ?? 0) + 1);
      // A call without checks (turned off) counts as one gradient not checked, as coverage counts it.
      if (!b.checks.length) droppedChecks.unchecked++;
      for (const c of b.checks) {
        if (c.passed === true) droppedChecks.passed++;
        else droppedChecks.unchecked++;
      }
      continue;
    }
    const before = omitted.get(line) ?? 0;
    if (before) {
      b.omittedBefore = before;
      omitted.set(line, 0);
    }
    kept.push(b);
  }
  return { kept, whole, dropped: records.length - kept.length, droppedChecks };
}

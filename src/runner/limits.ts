/**
 * The limits of one run, their defaults and the range each may take. The CLI turns a value outside its range into a
 * usage error, the runner API into a RangeError: a time limit past Node's longest timer (2^31 - 1 ms) or a memory
 * limit above the machine's memory is a mistake, not a setting.
 */
import { totalmem } from "node:os";

export interface RunLimits {
  /** The snippet's own time, without its numerical checks. */
  timeoutMs: number;
  /** Time all numerical checks of the run may take; 0 turns them off. */
  checkBudgetMs: number;
  /** Memory the snippet may add to its process: tensors and other arrays, JavaScript objects, and both together. */
  memoryMb: number;
  /** Console lines and bytes kept per run; the rest is counted. */
  consoleLines: number;
  consoleBytes: number;
}

export const DEFAULT_LIMITS: RunLimits = { timeoutMs: 10_000, checkBudgetMs: 2000, memoryMb: 512, consoleLines: 10_000, consoleBytes: 1_048_576 };

interface Range {
  min: number;
  max: () => number;
  unit: string;
  integer: boolean;
}

const DAY_MS = 86_400_000;

export const LIMIT_RANGES: Record<keyof RunLimits, Range> = {
  timeoutMs: { min: 1, max: () => DAY_MS, unit: "ms", integer: false },
  checkBudgetMs: { min: 0, max: () => DAY_MS, unit: "ms", integer: false },
  // Below 32 MB the engine and the transpiler alone would not fit; above the machine's memory is no limit at all.
  memoryMb: { min: 32, max: () => Math.floor(totalmem() / 2 ** 20), unit: "MB", integer: false },
  consoleLines: { min: 0, max: () => 10_000_000, unit: "lines", integer: true },
  consoleBytes: { min: 0, max: () => 1 << 30, unit: "bytes", integer: true },
};

/** Why `value` cannot be the limit `key`, or null when it can. */
export function limitProblem(key: keyof RunLimits, value: number): string | null {
  const r = LIMIT_RANGES[key];
  if (typeof value !== "number" || Number.isNaN(value)) return `must be a number, not ${String(value)}`;
  if (r.integer && !Number.isInteger(value)) return `must be a whole number of ${r.unit}`;
  const max = r.max();
  if (value < r.min || value > max) return `must be between ${r.min} and ${max.toLocaleString("en-US")} ${r.unit}, not ${value}`;
  return null;
}

/** The limits with defaults filled in; throws a RangeError naming the first that is out of range. */
export function resolveLimits(given: Partial<RunLimits>): RunLimits {
  const limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as Array<keyof RunLimits>) {
    const value = given[key];
    if (value === undefined) continue;
    const problem = limitProblem(key, value);
    if (problem) throw new RangeError(`Gradlens: ${key} ${problem}`);
    limits[key] = value;
  }
  return limits;
}

/** The V8 heap a child gets: the snippet's share plus what the engine, the transpiler and the recorder take. */
export function heapLimitMb(memoryMb: number): number {
  return Math.ceil(memoryMb + HEAP_BASELINE_MB);
}

/** Measured: the child's heap after loading everything is ~12 MB; recording and checks need some room above it. */
export const HEAP_BASELINE_MB = 48;
/** Resident memory allowed above the child's own at the start of a run and the snippet's limit (V8's young
 * generation, code, buffers in flight). */
export const RSS_SLACK_MB = 96;

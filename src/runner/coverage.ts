/**
 * How much of a run's gradients were checked, in one word for a badge: "all gradients match numerics" only when
 * every gradient was checked and matched; "partly checked" or "not checked" when that is the truth. Pure: the CLI,
 * the status bar, the panel and the report all say the same.
 */
import type { Trace } from "./trace";

export type Coverage =
  /** The snippet failed (see trace.error). */
  | "error"
  /** A check ran and failed. */
  | "failed"
  /** Every gradient was checked and matched. */
  | "all"
  /** Some were checked and matched, some were not checked (budget, not finished, turned off for a backward). */
  | "partly"
  /** backward() ran but nothing was checked. */
  | "none"
  /** No backward() ran: there was no gradient to check. */
  | "no-backward";

export interface CoverageSummary {
  coverage: Coverage;
  /** Leaf gradients whose check ran, and all leaf gradients. */
  checked: number;
  total: number;
  /** Why some were not checked (the first reason given), if any. */
  reason: string | null;
  /** The badge's text. */
  text: string;
}

export function checkCoverage(trace: Pick<Trace, "status" | "backwards" | "error"> & { limits?: Trace["limits"] }): CoverageSummary {
  const checks = trace.backwards.flatMap((b) => b.checks);
  const nodeChecks = trace.backwards.flatMap((b) => b.nodeChecks);
  // The checks of backward calls the Trace left out (a long loop's middle) count as they came out.
  const dropped = trace.limits?.droppedChecks ?? { passed: 0, unchecked: 0 };
  const checked = checks.filter((c) => c.passed !== null).length + dropped.passed;
  const total = checks.length + dropped.passed + dropped.unchecked;
  const reason = checks.find((c) => c.passed === null)?.skipped ?? nodeChecks.find((c) => c.passed === null && c.skipped)?.skipped ?? null;
  const backwardsWithoutChecks = trace.backwards.filter((b) => b.checks.length === 0).length;
  if (trace.status === "error") return { coverage: "error", checked, total, reason, text: `error: ${trace.error?.name ?? "Error"}` };
  if (trace.status === "check-failed") return { coverage: "failed", checked, total, reason, text: "a gradient check failed" };
  if (!trace.backwards.length) return { coverage: "no-backward", checked, total, reason, text: "not checked: no backward() ran" };
  if (checked === 0) {
    return { coverage: "none", checked, total, reason, text: `gradients not checked${reason ? ` (${reason})` : backwardsWithoutChecks ? " (checks off)" : ""}` };
  }
  const unchecked = total - checked + backwardsWithoutChecks;
  const nodesUnchecked = nodeChecks.some((c) => c.passed === null && c.skipped && /budget|not finished/.test(c.skipped));
  if (unchecked > 0 || nodesUnchecked) {
    const what = unchecked > 0 ? `${checked} of ${total + backwardsWithoutChecks} gradients match numerics, the rest not checked` : "gradients match numerics, some ops' backward not checked";
    return { coverage: "partly", checked, total, reason, text: `partly checked: ${what}${reason ? ` (${reason})` : ""}` };
  }
  return { coverage: "all", checked, total, reason, text: "all gradients match numerics" };
}

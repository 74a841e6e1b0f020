/** One cell's run as a Trace: the same contract a file's run has, with the cell as the "file". */
import type { RecordedParts } from "../recorder";
import { type ConsoleLine, type SnippetError, type Trace, TRACE_VERSION } from "../trace";

export function emptyParts(): RecordedParts {
  return { tensors: [], valuesOnDemand: new Map(), nodes: [], backwards: [], series: [], warnings: [], limits: { droppedTensors: 0, droppedNodes: 0, historyPerLine: 0 }, checkDurationMs: 0 };
}

export function cellTrace(file: string, source: string, startedAt: Date, durationMs: number, consoleLines: ConsoleLine[], parts: RecordedParts, error: SnippetError | null): Trace {
  const failed = parts.backwards.some((b) => b.checks.some((c) => c.passed === false) || b.nodeChecks.some((c) => c.passed === false));
  return {
    version: TRACE_VERSION,
    file,
    source,
    startedAt: startedAt.toISOString(),
    durationMs,
    checkDurationMs: parts.checkDurationMs,
    status: error ? "error" : failed ? "check-failed" : "ok",
    tensors: parts.tensors,
    nodes: parts.nodes,
    backwards: parts.backwards,
    console: consoleLines,
    series: parts.series,
    warnings: parts.warnings,
    error,
    limits: parts.limits,
  };
}

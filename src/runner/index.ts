/** The runner: snippet → Trace. Used by the CLI and the VS Code extension. */
export { runSnippet, runSnippetWithValues, disposeRunner, prewarm, RunnerError, DEFAULT_LIMITS } from "./run";
export type { RunOptions, RunOutput } from "./run";
export { childScriptPath } from "./childProcess";
export { heapLimitMb, limitProblem, resolveLimits, LIMIT_RANGES } from "./limits";
export type { RunLimits } from "./limits";
export { renderHtmlReport, readReportAssets } from "./htmlReport";
export type { FullValues, Trace, ValuesOnDemand } from "./trace";
export { runInSession } from "./run";
export { SnippetProcess } from "./childProcess";

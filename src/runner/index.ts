/** The runner: snippet → Trace. Used by the CLI and the VS Code extension. */
export { runSnippet, runSnippetWithValues, workerScriptPath, DEFAULTS } from "./run";
export type { RunOptions, RunOutput } from "./run";
export { renderHtmlReport, readReportAssets } from "./htmlReport";
export type { FullValues, Trace, ValuesOnDemand } from "./trace";

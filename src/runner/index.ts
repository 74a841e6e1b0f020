/** The runner: snippet → Trace. Used by the CLI and the VS Code extension. */
export { runSnippet, workerScriptPath, DEFAULTS } from "./run";
export type { RunOptions } from "./run";
export { renderHtmlReport, readReportAssets } from "./htmlReport";
export type { Trace } from "./trace";

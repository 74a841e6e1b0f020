/** Notebooks, host side: the session (a kernel per notebook), running a whole notebook, .ipynb in and out, and the
 * notebook report. The extension loads this bundle (dist/notebook.js) on the first cell it runs. */
export { NotebookSession, lostSentence, SESSION_DEFAULTS } from "../session/session";
export type { CellRun, CellRunOptions, SessionOptions } from "../session/session";
export { cellFile, runNotebook, typescriptCells, withOutputs, notebookStatus } from "./runNotebook";
export type { NotebookCellRun, NotebookRun, NotebookRunOptions } from "./runNotebook";
export * from "./ipynb";
export * from "./outputs";
export { renderNotebookReport, readNotebookReportAssets } from "./report";

/**
 * Running a whole notebook, as Jupyter's "Run All" and `nbconvert --execute` do: its TypeScript code cells in order,
 * in one session, so each cell sees what the cells before it left. Like nbclient, it stops at the first cell that
 * fails unless that cell is tagged `raises-exception` (or `allowErrors` is set); the cells after a stop are not run.
 */
import type { ConsoleLine, RunStatus } from "../trace";
import { type CellRun, NotebookSession, type SessionOptions } from "../session/session";
import type { Tolerance } from "../../engine/autograd/graph_check";
import {
  type CodeCell, cellLanguage, GRADLENS_KERNELSPEC, type Notebook, NotebookFormatError, newCellId, notebookLanguage, raisesException, text,
  TYPESCRIPT_LANGUAGE_INFO,
} from "./ipynb";
import { cellOutputs } from "./outputs";

export interface NotebookRunOptions extends SessionOptions {
  timeoutMs?: number;
  checkBudgetMs?: number;
  tolerance?: Partial<Tolerance>;
  /** Go on after a failing cell even when it is not tagged `raises-exception` (nbconvert's --allow-errors). */
  allowErrors?: boolean;
  onCellStart?: (cell: { index: number; executionCount: number }) => void;
  onConsole?: (cell: { index: number; executionCount: number }, line: ConsoleLine) => void;
  onCellDone?: (cell: NotebookCellRun) => void;
  onProgress?: (message: string) => void;
}

export interface NotebookCellRun {
  /** The cell's place among all the notebook's cells, from 0. */
  index: number;
  /** Jupyter's `In [n]`: 1 for the first cell run. */
  executionCount: number;
  run: CellRun;
  /** The cell was tagged `raises-exception`: its error does not fail the notebook. */
  expectsError: boolean;
}

export interface NotebookRun {
  file: string;
  cells: NotebookCellRun[];
  /** The code cells not run because an earlier cell failed (indices among all cells). */
  notRun: number[];
  status: RunStatus;
}

/** The name of a cell in Traces and stack traces: the notebook's path and the cell's number from 1. */
export function cellFile(notebookFile: string, index: number): string {
  return `${notebookFile}#cell-${index + 1}`;
}

/** The notebook's code cells that Gradlens runs: TypeScript ones. A notebook in another language is refused whole. */
export function typescriptCells(nb: Notebook, file: string): Array<{ index: number; cell: CodeCell }> {
  const language = notebookLanguage(nb);
  const code = nb.cells.flatMap((cell, index) => (cell.cell_type === "code" ? [{ index, cell }] : []));
  const typescript = code.filter(({ cell }) => (cellLanguage(nb, cell) ?? "typescript") === "typescript");
  if (code.length && !typescript.length) {
    throw new NotebookFormatError(`${file}: its code cells are ${language ?? "not TypeScript"}; Gradlens runs notebooks whose code cells are TypeScript`);
  }
  return typescript;
}

export async function runNotebook(nb: Notebook, file: string, options: NotebookRunOptions = {}): Promise<NotebookRun> {
  const cells = typescriptCells(nb, file);
  const session = new NotebookSession(options);
  const runs: NotebookCellRun[] = [];
  const notRun: number[] = [];
  let stopped = false;
  try {
    for (const { index, cell } of cells) {
      if (stopped) {
        notRun.push(index);
        continue;
      }
      const executionCount = runs.length + 1;
      const which = { index, executionCount };
      options.onCellStart?.(which);
      const run = await session.run({
        file: cellFile(file, index),
        source: text(cell.source),
        timeoutMs: options.timeoutMs,
        checkBudgetMs: options.checkBudgetMs,
        tolerance: options.tolerance,
        onConsole: (line) => options.onConsole?.(which, line),
        onProgress: options.onProgress,
      });
      const done: NotebookCellRun = { index, executionCount, run, expectsError: raisesException(cell) };
      runs.push(done);
      options.onCellDone?.(done);
      if (run.trace.error && !done.expectsError && !options.allowErrors) stopped = true;
    }
  } finally {
    session.dispose();
  }
  return { file, cells: runs, notRun, status: notebookStatus(runs) };
}

/** Error when a cell failed that was not expected to; else check-failed when a gradient check failed; else ok. */
export function notebookStatus(runs: readonly NotebookCellRun[]): RunStatus {
  if (runs.some((r) => r.run.trace.error && !r.expectsError)) return "error";
  if (runs.some((r) => r.run.trace.status === "check-failed")) return "check-failed";
  return "ok";
}

/** The notebook with this run's outputs in it, as `nbconvert --execute` leaves it: every cell run has its outputs and
 * execution count, the code cells not run have none, and the notebook says it is a Gradlens (TypeScript) notebook. */
export function withOutputs(nb: Notebook, run: NotebookRun): Notebook {
  const byIndex = new Map(run.cells.map((c) => [c.index, c]));
  const cells = nb.cells.map((cell, index) => {
    const withId = nb.nbformat_minor >= 5 && !cell.id ? { ...cell, id: newCellId() } : cell;
    if (withId.cell_type !== "code") return withId;
    const done = byIndex.get(index);
    if (!done) return run.notRun.includes(index) ? { ...withId, outputs: [], execution_count: null } : withId;
    return { ...withId, outputs: cellOutputs(done.run, done.executionCount), execution_count: done.executionCount };
  });
  const metadata = { ...nb.metadata, kernelspec: nb.metadata.kernelspec ?? GRADLENS_KERNELSPEC, language_info: nb.metadata.language_info ?? TYPESCRIPT_LANGUAGE_INFO };
  return { ...nb, metadata, cells };
}

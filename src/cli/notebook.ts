/**
 * `gradlens run notebook.ipynb`: the notebook's TypeScript cells in order in one session, each cell's output under
 * its number as Jupyter numbers it (In [n], Out[n]), with the checks of its backward() calls; --json, --html and
 * --write (the outputs saved into the notebook, as `jupyter nbconvert --execute --inplace` does); the exit codes of a
 * file's run (a file that is not a TypeScript notebook is a snippet that failed: 2).
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { type Notebook, NotebookFormatError, parseNotebook, serializeNotebook } from "../runner/notebook/ipynb";
import { readNotebookReportAssets, renderNotebookReport } from "../runner/notebook/report";
import { cellFile, type NotebookCellRun, type NotebookRun, runNotebook, typescriptCells, withOutputs } from "../runner/notebook/runNotebook";
import { type CliOptions, EXIT } from "./args";
import type { Output } from "./output";
import { checkReport, COLOR, PLAIN, type Style } from "./report";

/** What --json writes: every cell's run, in the order the cells ran. */
export interface NotebookRunJson {
  version: 1;
  file: string;
  status: NotebookRun["status"];
  cells: Array<{ cell: number; executionCount: number; expectsError: boolean; value: string | null; variables: string[]; trace: NotebookRun["cells"][number]["run"]["trace"] }>;
  /** Cells not run because an earlier one failed, numbered from 1 among all cells. */
  notRun: number[];
}

/** Writes an output file, or throws the CLI's own "cannot write" error (main.ts). */
type Write = (target: string, content: () => string) => void;

export async function runNotebookFile(options: CliOptions, out: Output, write: Write): Promise<number> {
  const style = out.stdoutIsTTY ? COLOR : PLAIN;
  const file = path.resolve(options.file);
  let nb: Notebook;
  try {
    nb = parseNotebook(readFileSync(file, "utf8"), options.file);
    typescriptCells(nb, options.file);
  } catch (e) {
    if (!(e instanceof NotebookFormatError)) throw e;
    out.err(`${style.bad(e.message)}\n`);
    return EXIT.snippetFailed;
  }
  const progress = out.stderrIsTTY ? (m: string) => out.err(`\r\x1b[2K${m}`) : () => undefined;
  const run = await runNotebook(nb, file, {
    timeoutMs: options.timeoutMs,
    memoryMb: options.memoryMb,
    checkBudgetMs: options.checkBudgetMs,
    allowErrors: options.allowErrors,
    onProgress: progress,
    onCellStart: ({ index, executionCount }) => {
      if (!options.quiet) out.out(`${style.dim(`In [${executionCount}]: (cell ${index + 1})`)}\n`);
    },
    onConsole: (_cell, line) => (line.stream === "log" ? out.out(`${line.text}\n`) : out.err(`${line.text}\n`)),
    onCellDone: (c) => printCellEnd(c, file, options.quiet, style, out),
  });
  if (out.stderrIsTTY) out.err("\r\x1b[2K");
  if (run.notRun.length) {
    out.err(`${style.bad(`${run.notRun.length} cell${run.notRun.length > 1 ? "s were" : " was"} not run (cell ${run.notRun.map((i) => i + 1).join(", ")}): an earlier cell failed.`)} ` +
      "Tag a cell that is meant to fail raises-exception, or pass --allow-errors, to go on after it.\n");
  }
  if (options.json) {
    write(options.json, () => {
      const json: NotebookRunJson = {
        version: 1,
        file,
        status: run.status,
        cells: run.cells.map((c) => ({ cell: c.index + 1, executionCount: c.executionCount, expectsError: c.expectsError, value: c.run.value?.text ?? null, variables: c.run.variables, trace: c.run.trace })),
        notRun: run.notRun.map((i) => i + 1),
      };
      return JSON.stringify(json);
    });
  }
  if (options.html) write(options.html, () => renderNotebookReport(nb, run, readNotebookReportAssets(__dirname)));
  if (options.write) write(file, () => serializeNotebook(withOutputs(nb, run)));
  return run.status === "ok" ? EXIT.ok : run.status === "check-failed" ? EXIT.checkFailed : EXIT.snippetFailed;
}

/** What a cell ended with, right after what it printed: Out[n], its error, the checks of its backward() calls. */
function printCellEnd(c: NotebookCellRun, file: string, quiet: boolean, style: Style, out: Output): void {
  const { trace, value } = c.run;
  if (quiet) {
    if (value) out.out(`${value.text}\n`);
    return;
  }
  if (value) out.out(`${style.dim(`Out[${c.executionCount}]:`)} ${value.text}\n`);
  if (trace.error) {
    const e = trace.error;
    const where = `${path.relative(process.cwd(), cellFile(file, c.index)) || e.file}${e.at ? `, line ${e.at.line}` : ""}`;
    out.err(`${style.bad(`${e.name}: ${e.message}`)}\n  at ${where}${c.expectsError ? style.dim("  (expected: the cell is tagged raises-exception)") : ""}\n`);
  }
  if (trace.backwards.length) out.out(`${checkReport(trace, style)}\n`);
}

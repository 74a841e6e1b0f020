/**
 * `gradlens run notebook.ipynb`: the notebook's TypeScript cells in order in one session, each cell's output under
 * its number as Jupyter numbers it (In [n], Out[n]), with the checks of its backward() calls; --json, --html and
 * --write (the outputs saved into the notebook, as `jupyter nbconvert --execute --inplace` does); the same exit codes.
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseNotebook, serializeNotebook } from "../runner/notebook/ipynb";
import { readNotebookReportAssets, renderNotebookReport } from "../runner/notebook/report";
import { cellFile, type NotebookCellRun, type NotebookRun, runNotebook, withOutputs } from "../runner/notebook/runNotebook";
import type { CliOptions } from "./args";
import { checkReport, type Style } from "./report";

const EXIT = { ok: 0, checkFailed: 1, snippetFailed: 2 } as const;

/** What --json writes: every cell's run, in the order the cells ran. */
export interface NotebookRunJson {
  version: 1;
  file: string;
  status: NotebookRun["status"];
  cells: Array<{ cell: number; executionCount: number; expectsError: boolean; value: string | null; variables: string[]; trace: NotebookRun["cells"][number]["run"]["trace"] }>;
  /** Cells not run because an earlier one failed, numbered from 1 among all cells. */
  notRun: number[];
}

export async function runNotebookFile(options: CliOptions, style: Style, progress: (m: string) => void): Promise<number> {
  const file = path.resolve(options.file);
  let nb;
  try {
    nb = parseNotebook(readFileSync(file, "utf8"), options.file);
  } catch (e) {
    process.stderr.write(`${style.bad(`${(e as Error).name === "NotebookFormatError" ? "" : "Error: "}${(e as Error).message}`)}\n`);
    return EXIT.snippetFailed;
  }
  const quiet = options.quiet;
  let run: NotebookRun;
  try {
    run = await runNotebook(nb, file, {
      timeoutMs: options.timeoutMs,
      memoryMb: options.memoryMb,
      checkBudgetMs: options.checkBudgetMs,
      allowErrors: options.allowErrors,
      onProgress: progress,
      onCellStart: ({ index, executionCount }) => {
        if (!quiet) process.stdout.write(`${style.dim(`In [${executionCount}]:`)} ${style.dim(`(cell ${index + 1})`)}\n`);
      },
      onConsole: (_cell, line) => (line.stream === "log" ? process.stdout : process.stderr).write(`${line.text}\n`),
      onCellDone: (c) => printCellEnd(c, file, quiet, style),
    });
  } catch (e) {
    process.stderr.write(`${style.bad((e as Error).message)}\n`);
    return EXIT.snippetFailed;
  }
  if (process.stderr.isTTY) process.stderr.write("\r\x1b[2K");
  if (run.notRun.length) {
    process.stderr.write(`${style.bad(`${run.notRun.length} cell${run.notRun.length > 1 ? "s were" : " was"} not run (cell ${run.notRun.map((i) => i + 1).join(", ")}): an earlier cell failed.`)} ` +
      "Tag a cell that is meant to fail raises-exception, or pass --allow-errors, to go on after it.\n");
  }
  if (options.json) {
    const json: NotebookRunJson = {
      version: 1,
      file,
      status: run.status,
      cells: run.cells.map((c) => ({ cell: c.index + 1, executionCount: c.executionCount, expectsError: c.expectsError, value: c.run.value?.text ?? null, variables: c.run.variables, trace: c.run.trace })),
      notRun: run.notRun.map((i) => i + 1),
    };
    writeFileSync(options.json, JSON.stringify(json));
  }
  if (options.html) writeFileSync(options.html, renderNotebookReport(nb, run, readNotebookReportAssets(__dirname)));
  if (options.write) writeFileSync(file, serializeNotebook(withOutputs(nb, run)));
  return run.status === "ok" ? EXIT.ok : run.status === "check-failed" ? EXIT.checkFailed : EXIT.snippetFailed;
}

/** What a cell ended with, right after what it printed: Out[n], its error, the checks of its backward() calls. */
function printCellEnd(c: NotebookCellRun, file: string, quiet: boolean, style: Style): void {
  const { trace, value } = c.run;
  if (quiet) {
    if (value) process.stdout.write(`${value.text}\n`);
    return;
  }
  if (value) process.stdout.write(`${style.dim(`Out[${c.executionCount}]:`)} ${value.text}\n`);
  if (trace.error) {
    const e = trace.error;
    const where = `${path.relative(process.cwd(), cellFile(file, c.index)) || e.file}${e.at ? `, line ${e.at.line}` : ""}`;
    process.stderr.write(`${style.bad(`${e.name}: ${e.message}`)}\n  at ${where}${c.expectsError ? style.dim("  (expected: the cell is tagged raises-exception)") : ""}\n`);
  }
  if (trace.backwards.length) process.stdout.write(`${checkReport(trace, style)}\n`);
  if (c.run.restarted) process.stderr.write(`${style.bad("The kernel was restarted.")}\n`);
}

/**
 * The notebook report: one self-contained HTML page for a whole notebook run, cell by cell, each Gradlens view drawn
 * by the same code as the notebook renderer. Like the file report (../htmlReport.ts) it loads nothing: its
 * Content-Security-Policy allows only its own nonce'd script and style.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { type Notebook, type Output, text } from "./ipynb";
import { cellOutputs } from "./outputs";
import type { NotebookRun } from "./runNotebook";

/** What the report page embeds, and webview/notebookReport.ts draws. */
export interface NotebookReportData {
  file: string;
  status: string;
  cells: Array<{ kind: "markdown" | "raw"; source: string } | { kind: "code"; source: string; executionCount: number | null; outputs: Output[]; notRun: boolean }>;
}

export interface NotebookReportAssets {
  script: string;
  css: string;
}

/** Reads dist/notebook-report.js and .css from `distDir` (or the repository's dist/ when run from sources). */
export function readNotebookReportAssets(distDir: string): NotebookReportAssets {
  for (const dir of [distDir, path.join(distDir, "..", "..", "dist"), path.join(distDir, "..", "..", "..", "dist")]) {
    try {
      return { script: readFileSync(path.join(dir, "notebook-report.js"), "utf8"), css: readFileSync(path.join(dir, "notebook-report.css"), "utf8") };
    } catch {
      // try the next place
    }
  }
  throw new Error(`Gradlens: the notebook report's bundle (notebook-report.js, .css) is missing from ${distDir}; run npm run build`);
}

function embeddable(json: string): string {
  return json.replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

function escapeText(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function notebookReportData(nb: Notebook, run: NotebookRun): NotebookReportData {
  const byIndex = new Map(run.cells.map((c) => [c.index, c]));
  return {
    file: run.file,
    status: run.status,
    cells: nb.cells.map((cell, index) => {
      if (cell.cell_type !== "code") return { kind: cell.cell_type, source: text(cell.source) };
      const done = byIndex.get(index);
      return {
        kind: "code" as const,
        source: text(cell.source),
        executionCount: done?.executionCount ?? null,
        outputs: done ? cellOutputs(done.run, done.executionCount) : [],
        notRun: run.notRun.includes(index),
      };
    }),
  };
}

export function renderNotebookReport(nb: Notebook, run: NotebookRun, assets: NotebookReportAssets): string {
  const nonce = randomBytes(16).toString("base64");
  const csp = `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src data:`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeText(`Gradlens — ${path.basename(run.file)}`)}</title>
<style nonce="${nonce}">${assets.css}</style>
</head>
<body>
<div id="app"></div>
<script type="application/json" id="gradlens-notebook">${embeddable(JSON.stringify(notebookReportData(nb, run)))}</script>
<script nonce="${nonce}">${assets.script.replace(/<\/script/gi, "<\\/script")}</script>
</body>
</html>
`;
}

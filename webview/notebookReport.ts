/**
 * The static notebook report (`gradlens run notebook.ipynb --html`): each cell as the notebook shows it — markdown as
 * its text, code with In [n], what it printed, Out[n], its error — and under each cell that built a graph the same
 * Gradlens view the notebook renderer draws. Everything comes from the JSON embedded in the page; nothing loads.
 */
import type { Output } from "../src/runner/notebook/ipynb";
import { CELL_MIME, type CellPayload } from "../src/runner/notebook/outputs";
import type { NotebookReportData } from "../src/runner/notebook/report";
import { el } from "./dom";
import { CellView } from "./notebookCellView";

function text(s: string | string[]): string {
  return Array.isArray(s) ? s.join("") : s;
}

function outputView(o: Output, executionCount: number | null): HTMLElement {
  const wrap = el("div", `output ${o.output_type}`);
  if (o.output_type === "stream") wrap.append(el("pre", o.name, text(o.text)));
  else if (o.output_type === "error") wrap.append(el("pre", "error", o.traceback.join("\n")));
  else {
    const payload = o.data[CELL_MIME] as CellPayload | undefined;
    if (payload) {
      const host = el("div", "gradlens");
      wrap.append(host);
      // Drawn once the host is in the page, so the graph fits its real width.
      requestAnimationFrame(() => new CellView(host, payload.trace, { host: "page" }));
    } else {
      if (o.output_type === "execute_result") wrap.append(el("span", "prompt out", `Out[${executionCount ?? " "}]:`));
      wrap.append(el("pre", "result", text((o.data["text/plain"] as string | string[] | undefined) ?? "")));
    }
  }
  return wrap;
}

function render(data: NotebookReportData): void {
  const app = document.getElementById("app")!;
  const header = el("header");
  header.append(el("span", "file", data.file.split(/[\\/]/).pop() ?? data.file), el("span", `badge ${data.status}`, data.status === "ok" ? "every cell ran, gradients match numerics" : data.status === "check-failed" ? "a gradient check failed" : "a cell failed"));
  app.append(header);
  for (const cell of data.cells) {
    const row = el("section", `cell ${cell.kind}`);
    if (cell.kind !== "code") row.append(el("div", "markdown", cell.source));
    else {
      const input = el("div", "input");
      input.append(el("span", "prompt", `In [${cell.executionCount ?? " "}]:`), el("pre", "code", cell.source));
      row.append(input);
      if (cell.notRun) row.append(el("div", "muted not-run", "Not run: an earlier cell failed."));
      for (const o of cell.outputs) row.append(outputView(o, cell.executionCount));
    }
    app.append(row);
  }
}

const embedded = document.getElementById("gradlens-notebook");
if (embedded?.textContent) render(JSON.parse(embedded.textContent) as NotebookReportData);

/**
 * The notebook renderer (`contributes.notebookRenderer`, MIME application/vnd.gradlens.cell+json): draws the Gradlens
 * view of a cell's run under the cell, and asks the extension to open the full panel on it.
 */
import type { Trace } from "../src/runner/trace";
import { CellView } from "./notebookCellView";

/** What VS Code hands a renderer (the subset used here; see the vscode-notebook-renderer API). */
interface OutputItem {
  id: string;
  mime: string;
  json(): unknown;
}

interface RendererContext {
  postMessage?(message: unknown): void;
}

/** Renderer → extension. */
export type RendererMessage =
  | { type: "openPanel"; trace: Trace }
  | { type: "painted"; startedAt: string; file: string; boxes: number };

export function activate(context: RendererContext) {
  const views = new Map<string, CellView>();
  const post = (m: RendererMessage) => context.postMessage?.(m);
  return {
    renderOutputItem(item: OutputItem, element: HTMLElement): void {
      views.get(item.id)?.dispose();
      const payload = item.json() as { trace?: Trace } | null;
      if (!payload?.trace) {
        element.textContent = "Gradlens: this output holds no run.";
        return;
      }
      const trace = payload.trace;
      views.set(item.id, new CellView(element, trace, {
        host: "vscode",
        openPanel: context.postMessage ? (t) => post({ type: "openPanel", trace: t }) : undefined,
        painted: (boxes) => post({ type: "painted", startedAt: trace.startedAt, file: trace.file, boxes }),
      }));
    },
    disposeOutputItem(id?: string): void {
      if (id === undefined) {
        for (const v of views.values()) v.dispose();
        views.clear();
      } else {
        views.get(id)?.dispose();
        views.delete(id);
      }
    },
  };
}

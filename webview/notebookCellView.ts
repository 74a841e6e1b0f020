/**
 * The Gradlens view of one notebook cell's run, built from the panel's own parts (graph model and view, tensor view,
 * check table): the cell's grad_fn graph, the selected tensor with its .grad beside its numerical derivative, and the
 * checks, compact, with a button that opens the full panel. The notebook renderer (VS Code) and the static notebook
 * report both draw it; it lives in a shadow root, so the panel's stylesheet styles it without touching the notebook.
 */
import type { GradCheckRecord, Trace } from "../src/runner/trace";
import { backwardCalls, TRACE_VERSION } from "../src/runner/trace";
import { el } from "./dom";
import { buildGraph, type GraphBox, type GraphModel, pathToRoot } from "./graphModel";
import { GraphView } from "./graphView";
import notebookCss from "./notebookCell.css";
import panelCss from "./panel.css";
import { checkRows, renderChecks } from "./panels";
import { renderTensor } from "./tensorView";

export interface CellViewOptions {
  /** Opens the full panel on this run; absent where there is no panel (the static report). */
  openPanel?: (trace: Trace) => void;
  /** Called after the frame that painted the graph, with how many boxes it drew. */
  painted?: (boxes: number) => void;
  /** VS Code colours the view through its theme variables. */
  host: "vscode" | "page";
}

/** panel.css is written for a whole page; in a shadow root its page-wide rules become the host's. */
function scopedPanelCss(): string {
  return panelCss.replace(/:root\b/g, ":host").replace(/(^|\n)body\s*\{/g, "$1:host {").replace(/#app\s*\{[^}]*\}/, "");
}

let sheets: CSSStyleSheet[] | null = null;
function styleSheets(): CSSStyleSheet[] {
  if (!sheets) {
    sheets = [scopedPanelCss(), notebookCss].map((css) => {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      return sheet;
    });
  }
  return sheets;
}

export class CellView {
  private readonly root: ShadowRoot;
  private model: GraphModel | null = null;
  private graph: GraphView | null = null;
  private detail = el("aside", "detail");
  private resize: ResizeObserver | null = null;

  constructor(
    host: HTMLElement,
    private readonly trace: Trace,
    private readonly options: CellViewOptions,
  ) {
    this.root = host.shadowRoot ?? host.attachShadow({ mode: "open" });
    this.root.adoptedStyleSheets = styleSheets();
    host.dataset.host = options.host;
    this.render();
  }

  dispose(): void {
    this.resize?.disconnect();
  }

  private render(): void {
    const t = this.trace;
    const cell = el("div", "gl-cell");
    this.root.replaceChildren(cell);
    if (t.version !== TRACE_VERSION) {
      cell.append(el("div", "gl-empty muted", `This output was written by another version of Gradlens (trace version ${t.version}); run the cell again.`));
      return;
    }
    cell.append(this.bar());
    this.model = buildGraph(t);
    if (!this.model.boxes.length) {
      cell.append(el("div", "gl-empty muted", "No graph: nothing in this cell required grad."));
      return;
    }
    const main = el("div", "gl-main");
    this.graph = new GraphView((b) => this.select(b));
    main.append(this.graph.root, this.detail);
    cell.append(main);
    if (t.backwards.length) {
      const checks = el("div", "gl-checks");
      checks.append(renderChecks(checkRows(t), (row) => {
        const key = row.node !== null ? this.model!.boxOfNode.get(row.node) : this.boxOfTensor(row.tensor);
        const box = key ? this.model!.boxes.find((b) => b.key === key) : undefined;
        if (box) this.select(box);
      }));
      cell.append(checks);
    }
    this.graph.render(this.model);
    // What the cell is about: a failing gradient, else the leaf whose .grad the latest backward() checked, else the root.
    const first = this.model.boxes.find((b) => b.failing) ?? this.checkedLeaf() ?? this.rootBox() ?? this.model.boxes.find((b) => b.kind === "leaf") ?? this.model.boxes[0];
    this.select(first);
    // The output may be laid out after it is attached: fit the graph to its real size, and again when it changes.
    requestAnimationFrame(() => {
      this.graph?.fit();
      this.options.painted?.(this.model?.boxes.length ?? 0);
    });
    this.resize = new ResizeObserver(() => this.graph?.fit());
    this.resize.observe(this.graph.root);
  }

  private bar(): HTMLElement {
    const t = this.trace;
    const bar = el("div", "gl-bar");
    const status = t.status === "error" ? `error: ${t.error?.name ?? ""}` : !t.backwards.length ? "graph built, no backward() yet" : t.status === "ok" ? "gradients match numerics" : "a gradient check failed";
    const kind = t.status === "error" || t.status === "check-failed" ? t.status : t.backwards.length ? "ok" : "built";
    bar.append(
      el("span", "file", "Gradlens"),
      el("span", `badge ${kind}`, status),
      el("span", "muted", `${t.tensors.length} tensors · ${t.nodes.length} nodes · ${backwardCalls(t)} backward · ${t.durationMs.toFixed(0)} ms + checks ${t.checkDurationMs.toFixed(0)} ms`),
    );
    if (this.options.openPanel) {
      const open = el("button", "open", "Open in Gradlens panel");
      open.title = "Show this cell's run in the full Gradlens panel";
      open.addEventListener("click", () => this.options.openPanel!(t));
      bar.append(open);
    }
    return bar;
  }

  private rootBox(): GraphBox | undefined {
    const last = this.trace.backwards[this.trace.backwards.length - 1];
    const key = last?.rootNode !== null && last?.rootNode !== undefined ? this.model!.boxOfNode.get(last.rootNode) : undefined;
    return key ? this.model!.boxes.find((b) => b.key === key) : undefined;
  }

  private checkedLeaf(): GraphBox | undefined {
    const last = this.trace.backwards[this.trace.backwards.length - 1];
    const key = last?.checks.length ? this.boxOfTensor(last.checks[0].tensor) : undefined;
    return key ? this.model!.boxes.find((b) => b.key === key) : undefined;
  }

  private boxOfTensor(id: number | null): string | undefined {
    if (id === null) return undefined;
    const node = this.trace.nodes.find((n) => n.tensor === id);
    return node ? this.model!.boxOfNode.get(node.id) : undefined;
  }

  private select(box: GraphBox): void {
    const t = this.trace;
    const root = this.rootBox();
    this.graph?.highlight(box.key, root ? pathToRoot(this.model!, box.key, root.key) : new Set([box.key]));
    const tensor = box.tensor !== null ? t.tensors.find((x) => x.id === box.tensor) : undefined;
    const check: GradCheckRecord | null = box.tensor !== null ? t.backwards.flatMap((b) => b.checks).reverse().find((c) => c.tensor === box.tensor) ?? null : null;
    this.detail.replaceChildren(
      el("h2", undefined, box.title + (box.kind === "group" ? ` (${box.nodes.length} nodes)` : "")),
      tensor ? renderTensor(tensor, check, false, (id) => t.tensors.find((x) => x.id === id)) : el("div", "muted", "This node's tensor was not kept (a middle iteration of a loop)."),
    );
  }
}

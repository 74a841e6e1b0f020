/**
 * The panel's entry: the same bundle runs in VS Code's webview (messages from the extension) and in the static HTML
 * report (the Trace embedded in the page). It reads only the Trace.
 */
import type { Finding, FullValues, GradCheckRecord, TensorRecord, Trace } from "../src/runner/trace";
import { backwardCalls, TRACE_VERSION, VALUES_ON_DEMAND_LIMIT } from "../src/runner/trace";
import { checkCoverage } from "../src/runner/coverage";
import { clear, el } from "./dom";
import { renderFindings } from "./findingsView";
import { renderFlow } from "./flowView";
import { buildGraph, foldModules, type GraphBox, type GraphModel, moduleChain, pathToRoot } from "./graphModel";
import { type Frame, GraphView } from "./graphView";
import { renderModule } from "./moduleView";
import { checkRows, renderChecks, renderConsole } from "./panels";
import type { HostToWebview, WebviewState, WebviewToHost } from "./protocol";
import { numel, renderTensor } from "./tensorView";

interface VsCodeApi {
  postMessage(m: WebviewToHost): void;
  getState(): WebviewState | undefined;
  setState(s: WebviewState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** Past this many boxes, a model's layers start folded. */
const FOLD_AT = 40;

/** The modules a big model starts folded into: the first level below the root that has more than one module (a
 * Sequential's layers), as TorchExplorer shows a model. */
function layersToFold(trace: Trace): number[] {
  let level = trace.modules.filter((m) => m.parent === null);
  while (level.length === 1) {
    const children = trace.modules.filter((m) => m.parent === level[0].id);
    if (!children.length) break;
    level = children;
  }
  return level.map((m) => m.id);
}

const vscode: VsCodeApi | null = typeof acquireVsCodeApi === "function" ? acquireVsCodeApi() : null;

class App {
  private trace: Trace | null = null;
  /** The graph as built from the Trace, before modules fold. */
  private fullModel: GraphModel | null = null;
  private model: GraphModel | null = null;
  /** Modules drawn as one box. */
  private folded = new Set<number>();
  private selected: string | null = null;
  /** Tensors of this Trace whose full values were asked of the extension, and those it did not keep. */
  private asked = new Map<number, "asked" | "missing">();
  private readonly header = el("header");
  private readonly findings = el("div", "findings-slot");
  private readonly graph = new GraphView((b) => this.select(b), (m) => this.toggleModule(m));
  private readonly detail = el("aside", "detail");
  private readonly bottom = el("div", "bottom");
  private readonly source = el("section", "source");

  constructor(root: HTMLElement) {
    const main = el("main");
    main.append(this.graph.root, this.detail);
    root.append(this.header, this.findings, main, this.bottom);
    if (!vscode) root.append(this.source);
  }

  show(trace: Trace): void {
    if (trace.version !== TRACE_VERSION) {
      this.header.textContent = `This report was written by another version of Gradlens (trace version ${trace.version}).`;
      return;
    }
    this.trace = trace;
    this.asked = new Map();
    this.fullModel = buildGraph(trace);
    // A big model reads as its layers: its top-level modules start folded, each a click away.
    this.folded = new Set(this.fullModel.boxes.length > FOLD_AT ? layersToFold(trace) : []);
    this.model = foldModules(this.fullModel, trace, this.folded);
    this.renderHeader();
    this.findings.replaceChildren(renderFindings(trace.findings, (f) => this.pickFinding(f)));
    this.graph.render(this.model, this.frames());
    this.renderBottom();
    if (!vscode) this.renderSource();
    const state = vscode?.getState();
    const first = this.model.boxes.find((b) => b.failing) ?? this.model.boxes.find((b) => b.kind === "leaf") ?? this.model.boxes[0];
    const restored = state?.selected !== undefined && state?.selected !== null ? this.model.boxes.find((b) => b.tensor === state.selected) : undefined;
    if (restored ?? first) this.select((restored ?? first)!, false);
    else this.detail.replaceChildren(el("div", "muted", "No graph: nothing in this run required grad."));
    const boxes = this.model.boxes.length;
    if (vscode) requestAnimationFrame(() => vscode.postMessage({ type: "shown", startedAt: trace.startedAt, boxes }));
  }

  /** The modules drawn as frames: those around an unfolded box, with their enclosing modules. */
  private frames(): Frame[] {
    const t = this.trace!;
    const drawn = new Map<number, Frame>();
    for (const b of this.model!.boxes) {
      if (b.kind === "module") continue;
      for (const m of moduleChain(t, b.module)) {
        if (this.folded.has(m.id)) break;
        if (!drawn.has(m.id)) drawn.set(m.id, { id: m.id, name: m.name, className: m.className, parent: m.parent });
      }
    }
    return [...drawn.values()];
  }

  /** Folds an open module into one box, or opens a folded one; either way its histograms show beside. */
  toggleModule(id: number): void {
    const t = this.trace!;
    if (this.folded.has(id)) this.folded.delete(id);
    else this.folded.add(id);
    this.model = foldModules(this.fullModel!, t, this.folded);
    this.graph.render(this.model, this.frames());
    this.showModule(id);
  }

  private showModule(id: number): void {
    const m = this.trace!.modules.find((x) => x.id === id);
    if (!m) return;
    this.selected = `m:${id}`;
    this.graph.highlight(this.selected, new Set([this.selected]));
    this.detail.replaceChildren(el("h2", undefined, `module ${m.name}`), renderModule(m));
    if (m.at) this.openLine(m.at.line, false);
  }

  private pickFinding(f: Finding): void {
    if (f.at) this.openLine(f.at.line);
    const tensor = f.tensors[0];
    const key = f.nodes.length ? this.model!.boxOfNode.get(f.nodes[0]) : tensor !== undefined ? this.boxOfTensor(tensor) : undefined;
    const box = key ? this.model!.boxes.find((b) => b.key === key) : undefined;
    if (box) this.select(box, false);
    else if (f.modules.length) this.showModule(f.modules[0]);
  }

  private renderHeader(): void {
    const t = this.trace!;
    clear(this.header);
    // "all gradients match numerics" only when every gradient was checked: otherwise "partly" or "not checked".
    const coverage = checkCoverage(t);
    const badge = el("span", `badge ${t.status}${coverage.coverage === "partly" || coverage.coverage === "none" || coverage.coverage === "no-backward" ? " unchecked" : ""}`, coverage.text);
    const file = el("span", "file", t.file.split(/[\\/]/).pop() ?? t.file);
    const facts = el("span", "muted", `${t.tensors.length} tensors · ${t.nodes.length} nodes · ${backwardCalls(t)} backward · ${t.durationMs.toFixed(0)} ms + checks ${t.checkDurationMs.toFixed(0)} ms`);
    this.header.append(file, badge);
    const warnings = t.findings.filter((f) => f.severity === "warning").length;
    if (t.findings.length) this.header.append(el("span", `badge findings-badge${warnings ? " warning" : ""}`, `${t.findings.length} finding${t.findings.length === 1 ? "" : "s"}`));
    this.header.append(facts);
    if (this.model?.collapsed) this.header.append(el("span", "muted", "repeated nodes folded by line"));
    if (t.limits.droppedTensors) this.header.append(el("span", "muted", `${t.limits.droppedTensors} loop tensors not kept`));
    if (t.limits.droppedBackwards) this.header.append(el("span", "muted", `${t.limits.droppedBackwards} backward calls of loops not shown (their checks are counted)`));
    if (!vscode) {
      const toggle = el("button", "theme", "◐");
      toggle.title = "Switch between the light and the dark theme";
      toggle.addEventListener("click", () => {
        const dark = document.documentElement.dataset.theme !== "dark" && (document.documentElement.dataset.theme === "light" || !matchMedia("(prefers-color-scheme: dark)").matches);
        document.documentElement.dataset.theme = dark ? "dark" : "light";
      });
      this.header.append(toggle);
    }
  }

  private renderBottom(): void {
    const t = this.trace!;
    clear(this.bottom);
    const rows = checkRows(t);
    this.bottom.append(renderChecks(rows, (r) => {
      const key = r.node !== null ? this.model!.boxOfNode.get(r.node) : this.boxOfTensor(r.tensor);
      const box = key ? this.model!.boxes.find((b) => b.key === key) : undefined;
      if (box) this.select(box);
      if (r.line) this.openLine(r.line);
    }));
    for (const part of [renderFlow(t.flow, t.series), renderConsole(t)]) if (part) this.bottom.append(part);
  }

  private boxOfTensor(id: number | null): string | undefined {
    if (id === null) return undefined;
    const node = this.trace!.nodes.find((n) => n.tensor === id);
    return node ? this.model!.boxOfNode.get(node.id) : undefined;
  }

  /** The path from a box to the loss of the latest backward whose graph contains it. */
  private pathFrom(key: string): Set<string> {
    for (const b of [...this.trace!.backwards].reverse()) {
      const root = b.rootNode !== null ? this.model!.boxOfNode.get(b.rootNode) : undefined;
      if (!root) continue;
      const path = pathToRoot(this.model!, key, root);
      if (path.has(root)) return path;
    }
    return new Set([key]);
  }

  select(box: GraphBox, reveal = true): void {
    if (box.kind === "module" && box.module !== null) {
      this.showModule(box.module);
      return;
    }
    this.selected = box.key;
    this.graph.highlight(box.key, this.pathFrom(box.key));
    const tensor = box.tensor !== null ? this.trace!.tensors.find((t) => t.id === box.tensor) : undefined;
    const check = box.tensor !== null ? this.latestCheck(box.tensor) : null;
    const pending = tensor ? this.askForValues(tensor) : false;
    this.detail.replaceChildren(
      el("h2", undefined, box.title + (box.kind === "group" ? ` (${box.nodes.length} nodes)` : "")),
      tensor ? renderTensor(tensor, check, pending, (id) => this.trace!.tensors.find((x) => x.id === id)) : el("div", "muted", "This node's tensor was not kept (a middle iteration of a loop)."),
    );
    vscode?.setState({ selected: box.tensor, file: this.trace!.file });
    if (reveal && box.line) this.openLine(box.line, false);
  }

  private latestCheck(tensor: number): GradCheckRecord | null {
    return this.trace!.backwards.flatMap((b) => b.checks).reverse().find((c) => c.tensor === tensor) ?? null;
  }

  /** A tensor too big for the Trace: ask the extension for its values (once). True while they are on their way. */
  private askForValues(t: TensorRecord): boolean {
    if (!vscode || t.value.values !== null || numel(t) > VALUES_ON_DEMAND_LIMIT) return false;
    const state = this.asked.get(t.id);
    if (state === undefined) {
      this.asked.set(t.id, "asked");
      vscode.postMessage({ type: "fetchTensor", startedAt: this.trace!.startedAt, id: t.id });
    }
    return state !== "missing";
  }

  /** The extension's answer: the values, or null when it did not keep them (more than VALUES_ON_DEMAND_TOTAL). */
  receiveValues(startedAt: string, id: number, values: FullValues | null): void {
    const t = this.trace?.startedAt === startedAt ? this.trace.tensors.find((x) => x.id === id) : undefined;
    if (!t) return;
    if (values) {
      t.value.values = Array.from(values.value);
      if (t.grad && values.grad) t.grad.values = Array.from(values.grad);
      if (t.backwardGrad && values.backwardGrad) t.backwardGrad.values = Array.from(values.backwardGrad);
      const check = this.latestCheck(id)?.numerical;
      if (check && values.numerical) check.values = Array.from(values.numerical);
    } else this.asked.set(id, "missing");
    const box = this.model!.boxes.find((b) => b.key === this.selected);
    if (box?.tensor === id) this.select(box, false);
    if (values) {
      let sum = 0;
      for (const v of values.value) if (Number.isFinite(v)) sum += v;
      requestAnimationFrame(() => vscode?.postMessage({ type: "valuesShown", startedAt, id, count: values.value.length, sum }));
    }
  }

  highlightLine(line: number): void {
    if (!this.model) return;
    const matches = new Set(this.model.boxes.filter((b) => b.line === line).map((b) => b.key));
    this.graph.highlight(this.selected, this.selected ? this.pathFrom(this.selected) : new Set(), matches);
  }

  private openLine(line: number, scroll = true): void {
    if (vscode) vscode.postMessage({ type: "openLine", line });
    else {
      for (const row of this.source.querySelectorAll(".src-line.current")) row.classList.remove("current");
      const row = this.source.querySelector(`[data-line="${line}"]`);
      row?.classList.add("current");
      if (scroll) row?.scrollIntoView({ block: "center", behavior: "smooth" });
    }
  }

  private renderSource(): void {
    const t = this.trace!;
    clear(this.source);
    this.source.append(el("h2", undefined, t.file));
    const pre = el("div", "src");
    t.source.split("\n").forEach((text, i) => {
      const row = el("div", "src-line");
      row.dataset.line = String(i + 1);
      row.append(el("span", "ln", String(i + 1)), el("span", "code", text || " "));
      pre.append(row);
    });
    this.source.append(pre);
  }
}

const app = new App(document.getElementById("app")!);
const embedded = document.getElementById("gradlens-trace");
if (embedded?.textContent) app.show(JSON.parse(embedded.textContent) as Trace);
window.addEventListener("message", (event: MessageEvent<HostToWebview>) => {
  const m = event.data;
  if (m.type === "trace") app.show(m.trace);
  else if (m.type === "highlightLine") app.highlightLine(m.line);
  else if (m.type === "tensorValues") app.receiveValues(m.startedAt, m.id, m.values);
});
vscode?.postMessage({ type: "ready" });

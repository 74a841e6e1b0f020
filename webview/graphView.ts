/**
 * Draws the graph in SVG with dagre's layered layout (a small, synchronous layout made for DAGs: a grad_fn graph is
 * one; its compound mode draws each module as a frame around its ops), with zoom on the wheel, pan on drag, a fit
 * button, and each box and edge coloured by the size of the gradient that reached it (log scale, with a legend).
 */
import dagre from "@dagrejs/dagre";
import { clear, el, fmt, svg } from "./dom";
import type { GraphBox, GraphModel } from "./graphModel";
import { GradientScale } from "./gradientScale";

/** A module drawn as a frame around the boxes it made. */
export interface Frame {
  id: number;
  name: string;
  className: string;
  /** The enclosing frame's module, if it is drawn too. */
  parent: number | null;
}

const BOX_W = 150;
const BOX_H = 40;

export class GraphView {
  readonly root = el("div", "graph");
  private readonly canvas = svg("svg", { class: "graph-svg" });
  private readonly layer = svg("g");
  private scale = 1;
  private tx = 20;
  private ty = 20;
  private width = 0;
  private height = 0;
  private readonly boxes = new Map<string, SVGGElement>();
  private readonly edgeEls: Array<{ from: string; to: string; path: SVGPathElement }> = [];

  private readonly legend = el("div", "legend");

  constructor(
    private readonly onSelect: (box: GraphBox) => void,
    private readonly onModule: (module: number) => void = () => undefined,
  ) {
    const fit = el("button", "fit", "Fit");
    fit.title = "Fit the graph to the view";
    fit.addEventListener("click", () => this.fit());
    this.canvas.appendChild(this.layer);
    this.root.append(this.canvas, fit, this.legend);
    this.canvas.addEventListener("wheel", (e) => {
      e.preventDefault();
      const factor = Math.exp(-e.deltaY * 0.0015);
      const r = this.canvas.getBoundingClientRect();
      const x = e.clientX - r.left;
      const y = e.clientY - r.top;
      this.tx = x - (x - this.tx) * factor;
      this.ty = y - (y - this.ty) * factor;
      this.scale *= factor;
      this.apply();
    }, { passive: false });
    let drag: { x: number; y: number } | null = null;
    this.canvas.addEventListener("pointerdown", (e) => {
      if ((e.target as Element).closest(".box, .frame-label")) return;
      drag = { x: e.clientX - this.tx, y: e.clientY - this.ty };
      this.canvas.setPointerCapture(e.pointerId);
    });
    this.canvas.addEventListener("pointermove", (e) => {
      if (!drag) return;
      this.tx = e.clientX - drag.x;
      this.ty = e.clientY - drag.y;
      this.apply();
    });
    this.canvas.addEventListener("pointerup", () => (drag = null));
  }

  render(model: GraphModel, frames: readonly Frame[] = []): void {
    clear(this.layer);
    this.boxes.clear();
    this.edgeEls.length = 0;
    const scale = GradientScale.of(model.boxes.map((b) => b.gradNorm));
    this.renderLegend(scale);
    const g = new dagre.graphlib.Graph({ compound: frames.length > 0 });
    g.setGraph({ rankdir: "TB", nodesep: 18, ranksep: 36, marginx: 10, marginy: 10 });
    g.setDefaultEdgeLabel(() => ({}));
    const framed = new Set(frames.map((f) => f.id));
    for (const f of frames) g.setNode(`f:${f.id}`, { label: f.name, paddingTop: 26 });
    for (const f of frames) if (f.parent !== null && framed.has(f.parent)) g.setParent(`f:${f.id}`, `f:${f.parent}`);
    for (const b of model.boxes) {
      g.setNode(b.key, { width: BOX_W, height: BOX_H });
      if (b.kind !== "module" && b.module !== null && framed.has(b.module)) g.setParent(b.key, `f:${b.module}`);
    }
    for (const [a, b] of model.edges) g.setEdge(a, b);
    dagre.layout(g);
    const frameLayer = svg("g", { class: "frames" });
    this.layer.appendChild(frameLayer);
    for (const f of frames) {
      const box = g.node(`f:${f.id}`);
      if (!box || !box.width) continue;
      const group = svg("g", { class: "frame", transform: `translate(${box.x - box.width / 2},${box.y - box.height / 2})` });
      group.dataset.module = String(f.id);
      group.append(svg("rect", { width: box.width, height: box.height, rx: 8 }));
      const label = svg("text", { x: 8, y: 15, class: "frame-label" });
      label.textContent = `${f.name} · ${f.className}  ▾`;
      const tip = svg("title");
      tip.textContent = `${f.name} (${f.className}): click to fold it into one box and see its histograms`;
      label.addEventListener("click", () => this.onModule(f.id));
      group.append(tip, label);
      frameLayer.appendChild(group);
    }
    const edgeLayer = svg("g", { class: "edges" });
    this.layer.appendChild(edgeLayer);
    const byKey = new Map(model.boxes.map((b) => [b.key, b]));
    for (const [a, b] of model.edges) {
      const points = g.edge(a, b).points;
      const d = points.map((p: { x: number; y: number }, i: number) => `${i ? "L" : "M"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ");
      const path = svg("path", { d, class: "edge", "marker-end": "url(#arrow)" });
      // An edge carries its source's tensor forward and that tensor's gradient back: it takes that gradient's colour.
      const norm = byKey.get(a)?.gradNorm ?? null;
      const color = scale?.color(norm);
      if (color) {
        path.style.stroke = color;
        path.classList.add("graded");
        const tip = svg("title");
        tip.textContent = `‖∇‖ = ${fmt(norm)}`;
        path.append(tip);
      }
      edgeLayer.appendChild(path);
      this.edgeEls.push({ from: a, to: b, path });
    }
    const defs = svg("defs");
    const marker = svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
    marker.appendChild(svg("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "arrow" }));
    defs.appendChild(marker);
    this.layer.appendChild(defs);
    for (const b of model.boxes) {
      const { x, y } = g.node(b.key);
      const group = svg("g", { class: `box ${b.kind}${b.failing ? " failing" : ""}`, transform: `translate(${x - BOX_W / 2},${y - BOX_H / 2})` });
      group.dataset.key = b.key;
      const rect = svg("rect", { width: BOX_W, height: BOX_H, rx: b.kind === "leaf" ? 4 : 10 });
      group.appendChild(rect);
      const color = scale?.color(b.gradNorm);
      if (color) {
        group.classList.add("graded");
        const fill = svg("rect", { width: BOX_W, height: BOX_H, rx: b.kind === "leaf" ? 4 : 10, class: "grad-fill" });
        fill.style.fill = color;
        const bar = svg("rect", { x: 1, y: BOX_H - 6, width: BOX_W - 2, height: 5, rx: 2, class: "grad-bar" });
        bar.style.fill = color;
        group.append(fill, bar);
        rect.style.stroke = color;
      }
      const title = svg("text", { x: BOX_W / 2, y: 16, class: "title" });
      title.textContent = clip(b.title, 22);
      const subtitle = svg("text", { x: BOX_W / 2, y: 31, class: "subtitle" });
      subtitle.textContent = clip(b.subtitle, 26);
      const tooltip = svg("title");
      tooltip.textContent = `${b.title}\n${b.subtitle}${b.line ? `\nline ${b.line}` : ""}${b.gradNorm !== null ? `\n‖∇‖ = ${fmt(b.gradNorm)} (latest backward)` : ""}`;
      group.append(tooltip, title, subtitle);
      group.addEventListener("click", () => (b.kind === "module" && b.module !== null ? this.onModule(b.module) : this.onSelect(b)));
      this.layer.appendChild(group);
      this.boxes.set(b.key, group);
    }
    const graph = g.graph();
    this.width = graph.width ?? 0;
    this.height = graph.height ?? 0;
    this.fit();
  }

  private renderLegend(scale: GradientScale | null): void {
    clear(this.legend);
    this.legend.hidden = !scale;
    if (!scale) return;
    const bar = el("div", "legend-bar");
    bar.style.background = `linear-gradient(to right, ${scale.stops().join(", ")})`;
    const ticks = el("div", "legend-ticks");
    for (const t of scale.ticks()) ticks.append(el("span", undefined, t));
    this.legend.append(el("div", "legend-title", "‖gradient‖ in the latest backward (log scale)"), bar, ticks);
    if (scale.hasZero || scale.hasNonFinite) {
      const extra = el("div", "legend-extra");
      if (scale.hasZero) extra.append(el("span", "swatch zero"), el("span", undefined, "0 "));
      if (scale.hasNonFinite) extra.append(el("span", "swatch nonfinite"), el("span", undefined, "NaN/Inf"));
      this.legend.append(extra);
    }
  }

  /** Marks the selected box and the path from it to the loss. */
  highlight(selected: string | null, path: Set<string>, lineMatches: Set<string> = new Set()): void {
    for (const [key, g] of this.boxes) {
      g.classList.toggle("selected", key === selected);
      g.classList.toggle("on-path", path.has(key));
      g.classList.toggle("on-line", lineMatches.has(key));
    }
    for (const e of this.edgeEls) e.path.classList.toggle("on-path", path.has(e.from) && path.has(e.to));
  }

  fit(): void {
    const r = this.canvas.getBoundingClientRect();
    const w = r.width || 600;
    const h = r.height || 400;
    this.scale = Math.min(1.2, Math.min(w / (this.width + 20), h / (this.height + 20)));
    this.tx = (w - this.width * this.scale) / 2;
    this.ty = 10;
    this.apply();
  }

  private apply(): void {
    this.layer.setAttribute("transform", `translate(${this.tx},${this.ty}) scale(${this.scale})`);
  }
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

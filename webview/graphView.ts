/**
 * Draws the graph in SVG with dagre's layered layout (a small, synchronous layout made for DAGs: a grad_fn graph is
 * one), with zoom on the wheel, pan on drag, and a fit button.
 */
import dagre from "@dagrejs/dagre";
import { clear, el, svg } from "./dom";
import type { GraphBox, GraphModel } from "./graphModel";

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

  constructor(private readonly onSelect: (box: GraphBox) => void) {
    const fit = el("button", "fit", "Fit");
    fit.title = "Fit the graph to the view";
    fit.addEventListener("click", () => this.fit());
    this.canvas.appendChild(this.layer);
    this.root.append(this.canvas, fit);
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
      if ((e.target as Element).closest(".box")) return;
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

  render(model: GraphModel): void {
    clear(this.layer);
    this.boxes.clear();
    this.edgeEls.length = 0;
    const g = new dagre.graphlib.Graph();
    g.setGraph({ rankdir: "TB", nodesep: 18, ranksep: 36, marginx: 10, marginy: 10 });
    g.setDefaultEdgeLabel(() => ({}));
    for (const b of model.boxes) g.setNode(b.key, { width: BOX_W, height: BOX_H });
    for (const [a, b] of model.edges) g.setEdge(a, b);
    dagre.layout(g);
    const edgeLayer = svg("g", { class: "edges" });
    this.layer.appendChild(edgeLayer);
    for (const [a, b] of model.edges) {
      const points = g.edge(a, b).points;
      const d = points.map((p: { x: number; y: number }, i: number) => `${i ? "L" : "M"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ");
      const path = svg("path", { d, class: "edge", "marker-end": "url(#arrow)" });
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
      group.appendChild(svg("rect", { width: BOX_W, height: BOX_H, rx: b.kind === "leaf" ? 4 : 10 }));
      const title = svg("text", { x: BOX_W / 2, y: 16, class: "title" });
      title.textContent = clip(b.title, 22);
      const subtitle = svg("text", { x: BOX_W / 2, y: 31, class: "subtitle" });
      subtitle.textContent = clip(b.subtitle, 26);
      const tooltip = svg("title");
      tooltip.textContent = `${b.title}\n${b.subtitle}${b.line ? `\nline ${b.line}` : ""}`;
      group.append(tooltip, title, subtitle);
      group.addEventListener("click", () => this.onSelect(b));
      this.layer.appendChild(group);
      this.boxes.set(b.key, group);
    }
    const graph = g.graph();
    this.width = graph.width ?? 0;
    this.height = graph.height ?? 0;
    this.fit();
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

/** The selected tensor: shape, dtype, stats, its values beside its .grad and the numerical gradient, a heat map. */
import type { GradCheckRecord, TensorRecord, ValueSummary } from "../src/runner/trace";
import { decode, el, fmt } from "./dom";

const TABLE_LIMIT = 400;

export function renderTensor(t: TensorRecord, check: GradCheckRecord | null): HTMLElement {
  const root = el("div", "tensor");
  const head = el("div", "tensor-head");
  head.append(el("span", "tensor-name", t.name ?? `tensor #${t.id}`), el("span", "muted", ` [${t.shape.join(", ")}] ${t.dtype}${t.requiresGrad ? " · requires grad" : ""}${t.isLeaf ? " · leaf" : ""}${t.at ? ` · line ${t.at.line}` : ""}`));
  root.append(head, statsLine("value", t.value));
  if (t.grad) root.append(statsLine(".grad", t.grad));
  const columns: Array<[string, ValueSummary]> = [["value", t.value]];
  if (t.grad) columns.push([".grad", t.grad]);
  if (check?.numerical) columns.push(["numerical", check.numerical]);
  root.append(valuesTable(columns));
  if (t.shape.length === 2 && t.value.values) {
    const maps = el("div", "heatmaps");
    for (const [label, summary] of columns) if (summary.values) maps.append(heatmap(label, summary, t.shape[0], t.shape[1]));
    root.append(maps);
  }
  const repr = el("pre", "repr", t.repr);
  root.append(repr);
  return root;
}

function statsLine(label: string, v: ValueSummary): HTMLElement {
  const s = v.stats;
  const line = el("div", "stats");
  line.append(el("b", undefined, `${label}: `), el("span", undefined, `min ${fmt(s.min)} · max ${fmt(s.max)} · mean ${fmt(s.mean)} · std ${fmt(s.std)}`));
  if (s.nanCount || s.infCount) line.append(el("span", "bad", ` · ${s.nanCount} NaN · ${s.infCount} Inf`));
  return line;
}

function valuesTable(columns: Array<[string, ValueSummary]>): HTMLElement {
  const values = columns[0][1].values;
  if (!values) return el("div", "muted", "Too many values to list here; the print above is summarised as PyTorch summarises it.");
  const table = el("table", "values");
  const head = el("tr");
  head.append(el("th", undefined, "#"), ...columns.map(([label]) => el("th", undefined, label)));
  table.append(head);
  const n = Math.min(values.length, TABLE_LIMIT);
  for (let i = 0; i < n; i++) {
    const row = el("tr");
    row.append(el("td", "index", String(i)));
    for (const [, summary] of columns) {
      const raw = summary.values?.[i];
      const v = raw === undefined ? NaN : decode(raw);
      const cell = el("td", Number.isFinite(v) ? undefined : "nonfinite", raw === undefined ? "" : fmt(v));
      row.append(cell);
    }
    table.append(row);
  }
  const wrap = el("div", "table-wrap");
  wrap.append(table);
  if (values.length > n) wrap.append(el("div", "muted", `… ${values.length - n} more`));
  return wrap;
}

/** Blue below zero, red above, white at zero; NaN and Inf in yellow. */
function heatmap(label: string, v: ValueSummary, rows: number, cols: number): HTMLElement {
  const box = el("figure", "heatmap");
  const canvas = el("canvas");
  const cell = Math.max(2, Math.min(24, Math.floor(220 / Math.max(rows, cols))));
  canvas.width = cols * cell;
  canvas.height = rows * cell;
  const ctx = canvas.getContext("2d");
  const values = v.values!.map(decode);
  const scale = Math.max(...values.filter(Number.isFinite).map(Math.abs), 1e-30);
  if (ctx) {
    values.forEach((x, i) => {
      const r = Math.floor(i / cols);
      const c = i % cols;
      if (!Number.isFinite(x)) ctx.fillStyle = "#f5c400";
      else {
        const a = Math.min(1, Math.abs(x) / scale);
        ctx.fillStyle = x >= 0 ? `rgba(214, 69, 65, ${a})` : `rgba(52, 120, 220, ${a})`;
      }
      ctx.fillRect(c * cell, r * cell, cell, cell);
    });
  }
  box.append(canvas, el("figcaption", undefined, label));
  return box;
}

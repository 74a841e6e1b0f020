/** The selected tensor: shape, dtype, stats, its values beside its .grad and the numerical gradient, a heat map. */
import type { GradCheckRecord, TensorRecord, ValueSummary } from "../src/runner/trace";
import { decode, el, fmt } from "./dom";

const TABLE_LIMIT = 400;

/** `pending`: the values are too many for the Trace and the extension is sending them. */
export function numel(t: TensorRecord): number {
  return t.shape.reduce((a, b) => a * b, 1);
}

/** `tensorById` finds the tensor a view is a view of, to name it. */
export function renderTensor(t: TensorRecord, check: GradCheckRecord | null, pending = false, tensorById?: (id: number) => TensorRecord | undefined): HTMLElement {
  const sampled = check?.mode === "sampled";
  const root = el("div", "tensor");
  const head = el("div", "tensor-head");
  head.append(el("span", "tensor-name", t.name ?? `tensor #${t.id}`), el("span", "muted", ` [${t.shape.join(", ")}] ${t.dtype}${t.requiresGrad ? " · requires grad" : ""}${t.isLeaf ? " · leaf" : ""}${viewText(t, tensorById)}${t.at ? ` · line ${t.at.line}` : ""}`));
  root.append(head, statsLine("value", t.value));
  if (t.grad) root.append(statsLine(".grad", t.grad));
  // The gradient that reached a tensor with no .grad of its own (a non-leaf): PyTorch keeps it only with retainGrad().
  const flowGrad = !t.grad && t.backwardGrad ? t.backwardGrad : null;
  if (flowGrad) root.append(statsLine("∇ in backward", flowGrad));
  const columns: Array<[string, ValueSummary]> = [["value", t.value]];
  if (t.grad) columns.push([".grad", t.grad]);
  if (flowGrad) columns.push(["∇ in backward", flowGrad]);
  if (check?.numerical) columns.push(["numerical", check.numerical]);
  root.append(pending ? el("div", "muted", `Loading all ${numel(t)} values…`) : valuesTable(columns, sampled, t.earlierIteration === true));
  if (t.shape.length === 2 && t.value.values) {
    const maps = el("div", "heatmaps");
    for (const [label, summary] of columns) if (summary.values) maps.append(heatmap(label, summary, t.shape[0], t.shape[1], sampled && label === "numerical"));
    root.append(maps);
  }
  const repr = el("pre", "repr", t.repr);
  root.append(repr);
  return root;
}

/** " · view of x": a view shares its base's values (an in-place write to either changes both). */
function viewText(t: TensorRecord, tensorById?: (id: number) => TensorRecord | undefined): string {
  if (t.viewOf === undefined || t.viewOf === null) return "";
  const base = t.viewOf >= 0 ? tensorById?.(t.viewOf) : undefined;
  return ` · view of ${base ? (base.name ?? `tensor #${base.id}`) : "a temporary"}`;
}

function statsLine(label: string, v: ValueSummary): HTMLElement {
  const s = v.stats;
  const line = el("div", "stats");
  line.append(el("b", undefined, `${label}: `), el("span", undefined, `min ${fmt(s.min)} · max ${fmt(s.max)} · mean ${fmt(s.mean)} · std ${fmt(s.std)}`));
  if (s.nanCount || s.infCount) line.append(el("span", "bad", ` · ${s.nanCount} NaN · ${s.infCount} Inf`));
  return line;
}

/** `sampled`: the check computed the numerical gradient of some elements only; the others hold NaN, shown as "–". */
/** `earlier`: the tensor is of a loop's earlier iteration, whose values travel on demand only. */
function valuesTable(columns: Array<[string, ValueSummary]>, sampled: boolean, earlier = false): HTMLElement {
  const values = columns[0][1].values;
  if (!values && earlier) return el("div", "muted", "Values of an earlier iteration are not kept in this report (the latest iteration's are); the print above is summarised as PyTorch summarises it.");
  if (!values) return el("div", "muted", "Too many values to list here; the print above is summarised as PyTorch summarises it.");
  const table = el("table", "values");
  const head = el("tr");
  head.append(el("th", undefined, "#"), ...columns.map(([label]) => el("th", undefined, label)));
  table.append(head);
  const n = Math.min(values.length, TABLE_LIMIT);
  for (let i = 0; i < n; i++) {
    const row = el("tr");
    row.append(el("td", "index", String(i)));
    for (const [label, summary] of columns) {
      const raw = summary.values?.[i];
      const v = raw === undefined ? NaN : decode(raw);
      if (sampled && label === "numerical" && Number.isNaN(v)) {
        const cell = el("td", "muted", "–");
        cell.title = "not among the elements the check sampled";
        row.append(cell);
        continue;
      }
      row.append(el("td", Number.isFinite(v) ? undefined : "nonfinite", raw === undefined ? "" : fmt(v)));
    }
    table.append(row);
  }
  const wrap = el("div", "table-wrap");
  wrap.append(table);
  if (values.length > n) wrap.append(el("div", "muted", `… ${values.length - n} more`));
  return wrap;
}

/** Blue below zero, red above, white at zero; NaN and Inf in yellow. */
/** `unsampledBlank`: NaN marks an element the check did not compute, left blank rather than marked as NaN. */
function heatmap(label: string, v: ValueSummary, rows: number, cols: number, unsampledBlank = false): HTMLElement {
  const box = el("figure", "heatmap");
  const canvas = el("canvas");
  // One pixel per value at most, drawn into at most 220 CSS pixels: a 784×256 weight still fits the panel.
  const cell = Math.max(1, Math.min(24, Math.floor(220 / Math.max(rows, cols))));
  canvas.width = cols * cell;
  canvas.height = rows * cell;
  const shrink = Math.min(1, 220 / Math.max(canvas.width, canvas.height));
  if (shrink < 1) {
    canvas.style.width = `${canvas.width * shrink}px`;
    canvas.style.height = `${canvas.height * shrink}px`;
  }
  const ctx = canvas.getContext("2d");
  const values = v.values!.map(decode);
  // A loop, not Math.max(...values): a spread of 200,000 arguments overflows the stack.
  let scale = 1e-30;
  for (const x of values) if (Number.isFinite(x) && Math.abs(x) > scale) scale = Math.abs(x);
  if (ctx) {
    values.forEach((x, i) => {
      const r = Math.floor(i / cols);
      const c = i % cols;
      if (unsampledBlank && Number.isNaN(x)) return;
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

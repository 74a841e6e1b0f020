/** A module opened from the graph: what it is, and its input, output and output gradient over its calls. */
import type { Distribution, ModuleRecord } from "../src/runner/trace";
import { bandChart } from "./charts";
import { el } from "./dom";

function distributionChart(title: string, list: Distribution[], y: string): HTMLElement {
  if (!list.length) return el("div", "muted", `${title}: none recorded.`);
  return bandChart({ label: title, quantiles: list.map((d) => d.quantiles), xs: list.map((d) => d.call) }, { title, x: "call", y });
}

export function renderModule(m: ModuleRecord): HTMLElement {
  const root = el("div", "module-view");
  const head = el("div", "tensor-head");
  head.append(el("span", "tensor-name", m.name), el("span", "muted", ` ${m.className} · ${m.calls} call${m.calls === 1 ? "" : "s"}${m.at ? ` · line ${m.at.line}` : ""}`));
  root.append(head, el("div", "muted", "Median, 10–90% and min–max of each call's values (a sample of calls when there were many)."));
  root.append(distributionChart("input", m.input, "value"), distributionChart("output", m.output, "value"), distributionChart("gradient at the output", m.grad, "∇"));
  return root;
}

/** The findings, first in the panel: what looks wrong, at which line, and the usual fix. A click reveals the line. */
import type { Finding } from "../src/runner/trace";
import { el } from "./dom";

export function renderFindings(findings: readonly Finding[], onPick: (f: Finding) => void): HTMLElement {
  const wrap = el("section", "findings");
  const head = el("h2", undefined, findings.length ? `Findings (${findings.length})` : "Findings");
  wrap.append(head);
  if (!findings.length) {
    wrap.append(el("div", "muted", "Nothing looks wrong: no cut graph, NaN, dead or saturated units, or gradient that vanishes or explodes."));
    return wrap;
  }
  const list = el("ul", "finding-list");
  for (const f of findings) {
    const item = el("li", `finding ${f.severity}`);
    item.dataset.rule = f.rule;
    const top = el("div", "finding-top");
    top.append(el("span", "finding-mark", f.severity === "warning" ? "⚠" : "ℹ"), el("span", "finding-line", f.at ? `line ${f.at.line}` : ""), el("span", "finding-rule", f.rule));
    item.append(top, el("div", "finding-message", f.message), el("div", "finding-fix", `Fix: ${f.fix}`));
    item.addEventListener("click", () => onPick(f));
    list.append(item);
  }
  wrap.append(list);
  return wrap;
}

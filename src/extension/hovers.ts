/** Hover on a line that made a tensor: the full PyTorch print of value and grad, the grad_fn chain, the check. Every
 * string that came from the snippet goes in as text (markdown.ts); the hover trusts no command links and no HTML. */
import * as vscode from "vscode";
import { markdownCode, markdownInlineCode, markdownText } from "./markdown";
import type { SnippetRunner } from "./runner";
import { formatError } from "./traceView";

export function registerHovers(runner: SnippetRunner): vscode.Disposable {
  return vscode.languages.registerHoverProvider({ language: "typescript" }, {
    provideHover(document, position) {
      const result = runner.lastResult(document.uri);
      const facts = result?.view.byLine.get(position.line + 1);
      if (!result || !facts) return undefined;
      const { tensor, check } = facts;
      const md = new vscode.MarkdownString("", false);
      md.isTrusted = false;
      md.supportHtml = false;
      md.appendMarkdown(`**${markdownText(tensor.name ?? "tensor")}** — shape \`[${tensor.shape.join(", ")}]\`, ${tensor.dtype}` +
        `${tensor.requiresGrad ? ", requires grad" : ""}${tensor.isLeaf ? ", leaf" : ""}\n\n`);
      md.appendMarkdown(markdownCode(tensor.repr, "python"));
      if (tensor.grad) {
        md.appendMarkdown("**.grad**\n");
        md.appendMarkdown(markdownCode(tensor.grad.text, "python"));
      } else if (tensor.backwardGrad?.text) {
        md.appendMarkdown("**gradient in the latest backward** (what `retainGrad()` would keep; `.grad` stays `null`)\n");
        md.appendMarkdown(markdownCode(tensor.backwardGrad.text, "python"));
      }
      const chain = result.view.gradFnChain(tensor);
      if (chain.length) md.appendMarkdown(`**grad_fn:** ${chain.map(markdownInlineCode).join(" → ")}\n\n`);
      if (check) {
        const verdict = check.passed === null ? `not checked (${check.skipped ?? "skipped"})` : check.passed ? "✓ matches the numerical derivative" : "✗ does not match the numerical derivative";
        md.appendMarkdown(`**Numerical check:** ${markdownText(verdict)} — max abs err ${formatError(check.maxAbsError)}, max rel err ${formatError(check.maxRelError)}` +
          ` (${check.mode}, ${check.checkedElements}/${check.totalElements} elements; atol ${check.tolerance.atol}, rtol ${check.tolerance.rtol})`);
        if (check.worst && check.passed === false) {
          md.appendMarkdown(`\n\nworst at \`[${check.worst.index.join(", ")}]\`: analytical ${check.worst.analytical}, numerical ${check.worst.numerical}`);
        }
        if (check.message) md.appendMarkdown(`\n\n${markdownText(check.message)}`);
        if (check.precision?.large) {
          md.appendMarkdown(`\n\n${markdownText(`.grad (${check.precision.dtype}) is up to ${formatError(check.precision.maxRelError)} (relative) from the float64 backward: rounding, not a wrong derivative`)}`);
        }
      }
      for (const f of result.trace.findings.filter((x) => x.at?.line === position.line + 1)) {
        md.appendMarkdown(`\n\n**⚠ ${markdownText(f.rule)}:** ${markdownText(f.message)}\n\n*Fix:* ${markdownText(f.fix)}`);
      }
      return new vscode.Hover(md);
    },
  });
}

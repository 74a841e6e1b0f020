/** Hover on a line that made a tensor: the full PyTorch print of value and grad, the grad_fn chain, the check. */
import * as vscode from "vscode";
import type { SnippetRunner } from "./runner";
import { formatError } from "./traceView";

function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+!|<>]/g, "\\$&");
}

export function registerHovers(runner: SnippetRunner): vscode.Disposable {
  return vscode.languages.registerHoverProvider({ language: "typescript" }, {
    provideHover(document, position) {
      const result = runner.lastResult(document.uri);
      const facts = result?.view.byLine.get(position.line + 1);
      if (!result || !facts) return undefined;
      const { tensor, check } = facts;
      const md = new vscode.MarkdownString();
      md.appendMarkdown(`**${tensor.name ?? "tensor"}** — shape \`[${tensor.shape.join(", ")}]\`, ${tensor.dtype}` +
        `${tensor.requiresGrad ? ", requires grad" : ""}${tensor.isLeaf ? ", leaf" : ""}\n\n`);
      md.appendCodeblock(tensor.repr, "python");
      if (tensor.grad) {
        md.appendMarkdown("**.grad**\n");
        md.appendCodeblock(tensor.grad.text, "python");
      } else if (tensor.backwardGrad?.text) {
        md.appendMarkdown("**gradient in the latest backward** (what `retainGrad()` would keep; `.grad` stays `null`)\n");
        md.appendCodeblock(tensor.backwardGrad.text, "python");
      }
      const chain = result.view.gradFnChain(tensor);
      if (chain.length) md.appendMarkdown(`**grad_fn:** ${chain.map((s) => `\`${s}\``).join(" → ")}\n\n`);
      if (check) {
        const verdict = check.passed === null ? `not checked (${check.skipped ?? "skipped"})` : check.passed ? "✓ matches the numerical derivative" : "✗ does not match the numerical derivative";
        md.appendMarkdown(`**Numerical check:** ${verdict} — max abs err ${formatError(check.maxAbsError)}, max rel err ${formatError(check.maxRelError)}` +
          ` (${check.mode}, ${check.checkedElements}/${check.totalElements} elements; atol ${check.tolerance.atol}, rtol ${check.tolerance.rtol})`);
        if (check.worst && check.passed === false) {
          md.appendMarkdown(`\n\nworst at \`[${check.worst.index.join(", ")}]\`: analytical ${check.worst.analytical}, numerical ${check.worst.numerical}`);
        }
      }
      for (const f of result.trace.findings.filter((x) => x.at?.line === position.line + 1)) {
        md.appendMarkdown(`\n\n**⚠ ${f.rule}:** ${escapeMarkdown(f.message)}\n\n*Fix:* ${escapeMarkdown(f.fix)}`);
      }
      return new vscode.Hover(md);
    },
  });
}

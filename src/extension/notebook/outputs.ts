/**
 * Jupyter outputs (from the runner's notebook module) as VS Code cell outputs, with the metadata VS Code's own .ipynb
 * serializer reads back, so a saved notebook holds stream, execute_result, error and display_data outputs exactly as
 * Jupyter writes them.
 */
import * as vscode from "vscode";
import type { Output } from "../../runner/notebook/ipynb";

function text(s: string | string[]): string {
  return Array.isArray(s) ? s.join("") : s;
}

export function toCellOutput(o: Output): vscode.NotebookCellOutput {
  switch (o.output_type) {
    case "stream":
      return new vscode.NotebookCellOutput([o.name === "stdout" ? vscode.NotebookCellOutputItem.stdout(text(o.text)) : vscode.NotebookCellOutputItem.stderr(text(o.text))], { outputType: "stream" });
    case "error":
      return new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error({ name: o.ename, message: o.evalue, stack: o.traceback.join("\n") })], { outputType: "error", originalError: o });
    case "execute_result":
    case "display_data": {
      const items = Object.entries(o.data).map(([mime, value]) =>
        mime.startsWith("text/") ? vscode.NotebookCellOutputItem.text(text(value as string | string[]), mime) : vscode.NotebookCellOutputItem.json(value, mime),
      );
      const metadata: Record<string, unknown> = { outputType: o.output_type, metadata: o.metadata };
      if (o.output_type === "execute_result") metadata.executionCount = o.execution_count;
      return new vscode.NotebookCellOutput(items, metadata);
    }
  }
}

/**
 * A cell's run as Jupyter outputs, in Jupyter's order: what it printed (stdout; warnings and console.error on
 * stderr), its value (`Out[n]`), its error, and — when the cell built a graph or ran backward() — the Gradlens view of
 * its run (the Trace, for the notebook renderer, with a plain-text line for readers that have no renderer).
 */
import type { SnippetError, Trace } from "../trace";
import type { ErrorOutput, Output, StreamOutput } from "./ipynb";

/** The MIME type of the Gradlens view of one cell's run; `contributes.notebookRenderer` claims it. */
export const CELL_MIME = "application/vnd.gradlens.cell+json";

/** Larger Traces are left out of a saved notebook (the text outputs stay): a notebook is a document, not a log. */
export const SAVED_TRACE_LIMIT = 4 * 1024 * 1024;

export interface CellPayload {
  trace: Trace;
}

export interface CellResult {
  trace: Trace;
  value: { text: string } | null;
}

/** The cell's printed text by stream, consecutive lines of one stream joined, warnings last (as PyTorch's go to stderr). */
export function streams(trace: Trace): Array<{ name: "stdout" | "stderr"; text: string }> {
  const out: Array<{ name: "stdout" | "stderr"; text: string }> = [];
  const add = (name: "stdout" | "stderr", line: string) => {
    const last = out[out.length - 1];
    if (last?.name === name) last.text += `${line}\n`;
    else out.push({ name, text: `${line}\n` });
  };
  for (const line of trace.console) add(line.stream === "log" ? "stdout" : "stderr", line.text);
  for (const w of trace.warnings) add("stderr", `UserWarning: ${w.message}`);
  return out;
}

/** The printed text on stdout only: what the notebook tests compare with PyTorch's. */
export function stdoutText(trace: Trace): string {
  return streams(trace).filter((s) => s.name === "stdout").map((s) => s.text).join("");
}

/** Whether the cell's run has something to draw: a graph it built, or a backward() it ran. */
export function hasGraph(trace: Trace): boolean {
  return trace.nodes.length > 0 || trace.backwards.length > 0;
}

/** The error as Jupyter shows one: the message, then where, at the cell's own lines. */
export function errorOutput(e: SnippetError): ErrorOutput {
  const header = `${e.name}: ${e.message}`;
  const frames = e.stack ? e.stack.split("\n").slice(1) : [];
  const where = e.at ? [`    at line ${e.at.line} of the cell`] : [];
  return { output_type: "error", ename: e.name, evalue: e.message, traceback: [header, ...where, ...frames] };
}

/** One line saying what the Gradlens view shows, for a reader without the renderer (and for the CLI). */
export function summaryLine(trace: Trace): string {
  const parts = [`${trace.tensors.length} tensors, ${trace.nodes.length} grad_fn nodes`];
  for (const b of trace.backwards.slice(-3)) {
    const failed = b.checks.filter((c) => c.passed === false);
    const passed = b.checks.filter((c) => c.passed === true);
    const where = b.at ? ` (line ${b.at.line})` : "";
    if (failed.length) parts.push(`backward${where}: ${failed.map((c) => `${c.name ?? "a leaf"}.grad`).join(", ")} does not match numerics`);
    else if (passed.length) parts.push(`backward${where}: gradients match numerics, max rel err ${Math.max(...passed.map((c) => c.maxRelError)).toExponential(0)}`);
    else parts.push(`backward${where}: gradients not checked`);
  }
  return `Gradlens: ${parts.join("; ")}`;
}

export function cellOutputs(result: CellResult, executionCount: number): Output[] {
  const { trace } = result;
  const outputs: Output[] = streams(trace).map((s): StreamOutput => ({ output_type: "stream", name: s.name, text: s.text }));
  if (result.value) outputs.push({ output_type: "execute_result", execution_count: executionCount, data: { "text/plain": result.value.text }, metadata: {} });
  if (trace.error) outputs.push(errorOutput(trace.error));
  if (hasGraph(trace)) {
    const data: Record<string, unknown> = { "text/plain": summaryLine(trace) };
    const payload: CellPayload = { trace };
    if (JSON.stringify(payload).length <= SAVED_TRACE_LIMIT) data[CELL_MIME] = payload;
    outputs.push({ output_type: "display_data", data, metadata: {} });
  }
  return outputs;
}

/**
 * Jupyter's notebook format (nbformat 4), read and written as Jupyter writes it: one-space indentation, keys sorted,
 * multi-line strings as lists of lines, so that a notebook Gradlens saved diffs cleanly against one Jupyter saved.
 * Only what Gradlens reads or writes is typed; everything else in a notebook passes through untouched.
 */

export type MultilineString = string | string[];

export interface StreamOutput {
  output_type: "stream";
  name: "stdout" | "stderr";
  text: MultilineString;
}

export interface ExecuteResultOutput {
  output_type: "execute_result";
  execution_count: number | null;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

export interface DisplayDataOutput {
  output_type: "display_data";
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

export interface ErrorOutput {
  output_type: "error";
  ename: string;
  evalue: string;
  traceback: string[];
}

export type Output = StreamOutput | ExecuteResultOutput | DisplayDataOutput | ErrorOutput;

export interface CellMetadata {
  tags?: string[];
  vscode?: { languageId?: string };
  [key: string]: unknown;
}

export interface CodeCell {
  cell_type: "code";
  id?: string;
  metadata: CellMetadata;
  source: MultilineString;
  outputs: Output[];
  execution_count: number | null;
}

export interface TextCell {
  cell_type: "markdown" | "raw";
  id?: string;
  metadata: CellMetadata;
  source: MultilineString;
  attachments?: Record<string, unknown>;
}

export type Cell = CodeCell | TextCell;

export interface NotebookMetadata {
  kernelspec?: { name: string; display_name: string; language?: string };
  language_info?: { name: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface Notebook {
  nbformat: 4;
  nbformat_minor: number;
  metadata: NotebookMetadata;
  cells: Cell[];
}

/** What a Gradlens notebook says about its kernel, so that Jupyter tools and VS Code pick TypeScript and Gradlens. */
export const GRADLENS_KERNELSPEC = { name: "gradlens", display_name: "Gradlens (TypeScript)", language: "typescript" };
export const TYPESCRIPT_LANGUAGE_INFO = { name: "typescript", file_extension: ".ts", mimetype: "text/typescript" };

/** A notebook Gradlens cannot read, with the reason in words. */
export class NotebookFormatError extends Error {
  override name = "NotebookFormatError";
}

export function text(s: MultilineString): string {
  return Array.isArray(s) ? s.join("") : s;
}

/** Jupyter's way: each line its own string, every one but the last ending in "\n". */
export function lines(s: string): string[] {
  const parts = s.split("\n");
  return parts.map((p, i) => (i < parts.length - 1 ? `${p}\n` : p)).filter((p) => p.length > 0);
}

export function parseNotebook(json: string, file: string): Notebook {
  let nb: unknown;
  try {
    nb = JSON.parse(json);
  } catch (e) {
    throw new NotebookFormatError(`${file} is not a notebook: ${(e as Error).message}`);
  }
  const n = nb as Partial<Notebook> & { nbformat?: unknown };
  if (typeof n !== "object" || n === null || !Array.isArray(n.cells)) throw new NotebookFormatError(`${file} is not a notebook: it has no "cells" list`);
  if (n.nbformat !== 4) throw new NotebookFormatError(`${file} is nbformat ${String(n.nbformat)}; Gradlens reads nbformat 4 notebooks (Jupyter's format since 2015)`);
  n.metadata ??= {};
  n.nbformat_minor ??= 4;
  n.cells.forEach((c, i) => {
    if (typeof c !== "object" || c === null || !["code", "markdown", "raw"].includes((c as Cell).cell_type)) {
      throw new NotebookFormatError(`${file}: cell ${i + 1} is not a code, markdown or raw cell`);
    }
    c.metadata ??= {};
    c.source ??= "";
    if (c.cell_type === "code") {
      c.outputs ??= [];
      c.execution_count ??= null;
    }
  });
  return n as Notebook;
}

/** The language of a notebook's code cells, as Jupyter and VS Code read it. */
export function notebookLanguage(nb: Notebook): string | null {
  return nb.metadata.language_info?.name ?? nb.metadata.kernelspec?.language ?? null;
}

/** The language of one code cell: VS Code records a cell that differs from the notebook's own. */
export function cellLanguage(nb: Notebook, cell: CodeCell): string | null {
  return cell.metadata.vscode?.languageId ?? notebookLanguage(nb);
}

/** Jupyter's convention (nbclient honours it): a cell tagged `raises-exception` is expected to fail, and running all
 * cells goes on after it. */
export function raisesException(cell: Cell): boolean {
  return Array.isArray(cell.metadata.tags) && cell.metadata.tags.includes("raises-exception");
}

export function serializeNotebook(nb: Notebook): string {
  return `${JSON.stringify(sortKeys(withLines(nb)), null, 1)}\n`;
}

/** Sources and text outputs as lists of lines, as Jupyter stores them. */
function withLines(nb: Notebook): Notebook {
  const cells = nb.cells.map((c): Cell => {
    const source = lines(text(c.source));
    if (c.cell_type !== "code") return { ...c, source };
    return { ...c, source, outputs: c.outputs.map(outputLines) };
  });
  return { ...nb, cells };
}

function outputLines(o: Output): Output {
  if (o.output_type === "stream") return { ...o, text: lines(text(o.text)) };
  if (o.output_type === "error") return o;
  const data: Record<string, unknown> = {};
  for (const [mime, value] of Object.entries(o.data)) data[mime] = mime.startsWith("text/") && typeof value === "string" ? lines(value) : value;
  return { ...o, data };
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}

/** A new cell id as nbformat 4.5 wants one: 1 to 64 letters, digits, `-` or `_`. */
export function newCellId(): string {
  return [...crypto.getRandomValues(new Uint8Array(8))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

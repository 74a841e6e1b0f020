/**
 * Messages between a notebook session's host (the extension or the CLI) and its kernel, a child process that keeps
 * the cells' variables between runs. Both ends check what they receive (`isKernelMessage`, `isHostMessage`): the
 * channel carries user-made text, and a malformed message must end in a clear error, not in a crash of the host.
 */
import type { Tolerance } from "../../engine/autograd/graph_check";
import type { RecordedParts } from "../recorder";
import type { ConsoleLine, SnippetError } from "../trace";

export interface RunCellMessage {
  type: "run";
  /** The run's number in this kernel's life: every answer names it. */
  id: number;
  /** The cell's name in stack traces and the Trace (`notebook.ipynb#cell-3`); relative imports resolve from its folder. */
  file: string;
  source: string;
  timeoutMs: number;
  checkBudgetMs: number;
  tolerance: Tolerance;
}

export type HostMessage =
  | RunCellMessage
  /** Stop waiting for a cell that awaits something that never comes (a busy cell is stopped by SIGINT instead). */
  | { type: "interrupt"; id: number };

/** The value of a cell's last expression, as a REPL shows it (`Out[n]`). */
export interface CellValue {
  text: string;
}

export interface CellDone {
  type: "done";
  id: number;
  parts: RecordedParts;
  error: SnippetError | null;
  snippetMs: number;
  value: CellValue | null;
  /** Every variable the session holds after the run. */
  variables: string[];
}

export type KernelMessage =
  | { type: "ready"; pid: number }
  | { type: "console"; id: number; line: ConsoleLine }
  | { type: "progress"; id: number; message: string }
  | CellDone;

const isObject = (m: unknown): m is Record<string, unknown> => typeof m === "object" && m !== null;

export function isHostMessage(m: unknown): m is HostMessage {
  if (!isObject(m) || typeof m.id !== "number") return false;
  if (m.type === "interrupt") return true;
  return m.type === "run" && typeof m.file === "string" && typeof m.source === "string" && typeof m.timeoutMs === "number" &&
    typeof m.checkBudgetMs === "number" && isObject(m.tolerance);
}

export function isKernelMessage(m: unknown): m is KernelMessage {
  if (!isObject(m)) return false;
  switch (m.type) {
    case "ready":
      return typeof m.pid === "number";
    case "console":
      return typeof m.id === "number" && isObject(m.line) && typeof m.line.text === "string";
    case "progress":
      return typeof m.id === "number" && typeof m.message === "string";
    case "done":
      return typeof m.id === "number" && isObject(m.parts) && Array.isArray(m.variables) && (m.value === null || isObject(m.value));
    default:
      return false;
  }
}

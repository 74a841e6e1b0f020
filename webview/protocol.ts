/** Messages between the panel's host (VS Code, or nothing in the static page) and the webview. */
import type { JsonNumber, Trace } from "../src/runner/trace";

export type HostToWebview =
  | { type: "trace"; trace: Trace }
  /** The editor's cursor is on this line: highlight its tensors in the graph. */
  | { type: "highlightLine"; line: number }
  /** Values of a tensor too big to travel inside the Trace (null: not available). */
  | { type: "tensorValues"; id: number; values: JsonNumber[] | null };

export type WebviewToHost = { type: "ready" } | { type: "openLine"; line: number } | { type: "fetchTensor"; id: number };

/** What the webview keeps across hide/show and reloads (VS Code's setState). */
export interface WebviewState {
  selected: number | null;
  file: string | null;
}

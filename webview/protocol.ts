/** Messages between the panel's host (VS Code, or nothing in the static page) and the webview. */
import type { Trace } from "../src/runner/trace";

export type HostToWebview =
  | { type: "trace"; trace: Trace }
  /** The editor's cursor is on this line: highlight its tensors in the graph. */
  | { type: "highlightLine"; line: number };

export type WebviewToHost =
  | { type: "ready" }
  | { type: "openLine"; line: number }
  /** A Trace is on screen (sent after the frame that painted it): which run, and how many graph boxes it drew. */
  | { type: "shown"; startedAt: string; boxes: number };

/** What the webview keeps across hide/show and reloads (VS Code's setState). */
export interface WebviewState {
  selected: number | null;
  file: string | null;
}

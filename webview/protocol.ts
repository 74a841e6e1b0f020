/** Messages between the panel's host (VS Code, or nothing in the static page) and the webview. */
import type { FullValues, Trace } from "../src/runner/trace";

export type HostToWebview =
  | { type: "trace"; trace: Trace }
  /** The editor's cursor is on this line: highlight its tensors in the graph. */
  | { type: "highlightLine"; line: number }
  /** Every value of a tensor too big for the Trace, as the webview asked (null: not kept). Typed arrays travel as
   * binary, so NaN and infinities arrive as they are. */
  | { type: "tensorValues"; startedAt: string; id: number; values: FullValues | null };

export type WebviewToHost =
  | { type: "ready" }
  | { type: "openLine"; line: number }
  /** The user opened a tensor whose values the Trace only summarizes (see VALUES_ON_DEMAND_LIMIT). */
  | { type: "fetchTensor"; startedAt: string; id: number }
  /** A Trace is on screen (sent after the frame that painted it): which run, and how many graph boxes it drew. */
  | { type: "shown"; startedAt: string; boxes: number }
  /** The values asked for with fetchTensor arrived and are on screen: how many, and the finite ones' sum. */
  | { type: "valuesShown"; startedAt: string; id: number; count: number; sum: number };

/** What the webview keeps across hide/show and reloads (VS Code's setState). */
export interface WebviewState {
  selected: number | null;
  file: string | null;
}

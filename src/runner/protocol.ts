/** Messages between the runner's host side and its worker thread. */
import type { ConsoleLine, FindingThresholds, SnippetError } from "./trace";
import type { RecordedParts } from "./recorder";
import type { Tolerance } from "../engine/autograd/graph_check";

export interface WorkerInput {
  file: string;
  source: string;
  checkBudgetMs: number;
  tolerance: Tolerance;
  thresholds: FindingThresholds;
  /** One Int32: the line running now, written by the snippet, read by the host when it must stop a stuck run. */
  lineBuffer: SharedArrayBuffer;
}

export type WorkerMessage =
  | { type: "console"; line: ConsoleLine }
  | { type: "progress"; message: string }
  | { type: "done"; parts: RecordedParts; error: SnippetError | null; snippetMs: number };

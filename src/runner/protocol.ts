/**
 * The messages between the runner's host (the extension host, the CLI) and the child process a snippet runs in, and
 * the schemas the host checks every message from the child against. See README.md in this folder for the process
 * model. A message that fails its schema is a protocol error: the host reports an internal error, never a result.
 *
 * Host → child: one JSON object per line on the child's stdin (HostMessage).
 * Child → host: frames on fd 3 (see channel.ts), each one ChildMessage serialized with v8.serialize (so NaN, the
 *               infinities and Float64Arrays travel as they are); and on fd 4 the watchdog's short text lines.
 */
import * as z from "zod/mini";
import type { Tolerance } from "../engine/autograd/tolerance";
import type { RecordedParts } from "./recorder";
import type { ConsoleLine, FindingThresholds, SnippetError } from "./trace";

// ---- host → child ----

/** The first line the child reads: the secret its frames start with, and whether it serves one run or a session. */
export interface HelloMessage {
  type: "hello";
  /** 32 hex digits. Sent on stdin before any snippet runs and then only held in a closure. */
  token: string;
  /** false: the child runs one snippet and exits. true: it runs each `run` it is sent, in the same JavaScript
   * realm, until `exit` or the end of stdin (a notebook's cells). */
  session: boolean;
  /** Run a small snippet of the runner's own before saying ready, so that V8 has compiled the engine's common paths
   * before the user's run (worth it for a child started ahead of time; a cold start skips it). */
  warmUp: boolean;
}

export interface RunRequest {
  type: "run";
  /** Chosen by the host, unique per child; every message about this run carries it. */
  run: number;
  file: string;
  source: string;
  checkBudgetMs: number;
  tolerance: Tolerance;
  /** Thresholds of the findings (vanishing and exploding gradients, dead ReLUs...); the defaults when absent. */
  thresholds?: FindingThresholds;
  /** Bytes of array memory (tensor storage and other typed arrays) the snippet may hold; the resident memory the
   * child may grow by is this plus RSS_SLACK_MB. */
  memoryBytes: number;
  consoleLines: number;
  consoleBytes: number;
  /** Reset the random generator to PyTorch's default seed before the run (a session's later runs continue it). */
  resetRandom: boolean;
  /** A notebook cell (session/cell.ts): its top-level declarations live in the session's scope, its last expression is
   * its value, and V8 stops it at `timeoutMs` (plus the check budget) so that the session lives on. */
  cell?: CellRequest;
}

export interface CellRequest {
  timeoutMs: number;
}

/** What a cell's run adds to `done`: the value of its last expression (`Out[n]`), and the session's variables. */
export interface CellOutcome {
  value: { text: string } | null;
  variables: string[];
}

export type HostMessage = HelloMessage | RunRequest | { type: "exit" };

// ---- child → host ----

/** What a run phase is: the snippet's own code (its time limit), numerical checks (their budget), or writing the
 * results after the snippet ended. */
export type Phase = "snippet" | "checks" | "finishing";

/** The values on demand travel as a list (v8.serialize keeps the Float64Arrays). */
export interface WireParts extends Omit<RecordedParts, "valuesOnDemand"> {
  valuesOnDemand: Array<{ id: number; value: Float64Array; grad: Float64Array | null; numerical: Float64Array | null; backwardGrad?: Float64Array | null }>;
}

export type ChildMessage =
  | { type: "ready"; pid: number }
  /** `dropped`: lines past the caps so far in this run (counted, not sent). */
  | { type: "console"; run: number; lines: ConsoleLine[]; dropped: number }
  | { type: "progress"; run: number; message: string }
  /** Sent when the phase changes; `checkMs` is the checks' time so far in this run. */
  | { type: "phase"; run: number; phase: Phase; checkMs: number }
  | { type: "done"; run: number; parts: WireParts; error: SnippetError | null; snippetMs: number; droppedLines: number; droppedBytes: number; cell?: CellOutcome }
  /** The child could not finish a run for a reason of its own (not the snippet's): an internal error. */
  | { type: "failed"; run: number | null; message: string };

// ---- schemas ----

const anyNumber = z.custom<number>((v) => typeof v === "number");
const count = z.number();
const nullableString = z.nullable(z.string());
const location = z.nullable(z.looseObject({ line: count, column: count }));
const jsonNumber = z.union([anyNumber, z.enum(["nan", "inf", "-inf"])]);
const nullableNumber = z.nullable(anyNumber);
const valueSummary = z.looseObject({
  text: z.string(),
  values: z.nullable(z.array(jsonNumber)),
  stats: z.looseObject({ min: nullableNumber, max: nullableNumber, mean: nullableNumber, std: nullableNumber, nanCount: count, infCount: count }),
});
const tensorRecord = z.looseObject({
  id: count,
  name: nullableString,
  at: location,
  shape: z.array(count),
  dtype: z.enum(["float32", "float64", "int64", "bool"]),
  requiresGrad: z.boolean(),
  isLeaf: z.boolean(),
  gradFn: z.nullable(count),
  repr: z.string(),
  earlierIteration: z.optional(z.boolean()),
  value: valueSummary,
  grad: z.nullable(valueSummary),
  occurrence: count,
});
const nodeRecord = z.looseObject({
  id: count,
  kind: z.enum(["op", "custom", "accumulate"]),
  name: z.string(),
  at: location,
  tensor: z.nullable(count),
  inputs: z.array(count),
  next: z.array(z.looseObject({ node: z.nullable(count), inputNr: count })),
});
const gradCheck = z.looseObject({
  tensor: count,
  name: nullableString,
  at: location,
  passed: z.nullable(z.boolean()),
  skipped: nullableString,
  mode: z.enum(["full", "sampled", "fast"]),
  tolerance: z.looseObject({ eps: anyNumber, atol: anyNumber, rtol: anyNumber }),
  checkedElements: count,
  totalElements: count,
  maxAbsError: anyNumber,
  maxRelError: anyNumber,
  worst: z.nullable(z.looseObject({ index: z.array(count), analytical: anyNumber, numerical: anyNumber })),
  numerical: z.nullable(valueSummary),
  precision: z.optional(z.nullable(z.looseObject({ dtype: z.string(), maxAbsError: anyNumber, maxRelError: anyNumber, large: z.boolean() }))),
  message: z.optional(nullableString),
});
const nodeCheck = z.looseObject({
  node: count,
  name: z.string(),
  at: location,
  passed: z.nullable(z.boolean()),
  skipped: nullableString,
  maxAbsError: anyNumber,
  maxRelError: anyNumber,
  message: nullableString,
});
const backwardRecord = z.looseObject({
  id: count,
  at: location,
  root: count,
  rootNode: z.nullable(count),
  grads: z.array(z.looseObject({ tensor: count, grad: valueSummary })),
  gradsStatsOnly: z.optional(z.boolean()),
  omittedBefore: z.optional(count),
  checks: z.array(gradCheck),
  nodeChecks: z.array(nodeCheck),
});
const consoleLine = z.looseObject({ stream: z.enum(["log", "warn", "error"]), text: z.string(), at: location });
const snippetError = z.looseObject({
  kind: z.enum(["syntax", "import", "runtime", "timeout", "out-of-memory", "stack-overflow", "crash"]),
  message: z.string(),
  name: z.string(),
  file: z.string(),
  at: location,
  stack: nullableString,
});
const values = z.nullable(z.instanceof(Float64Array));
const wireParts = z.looseObject({
  tensors: z.array(tensorRecord),
  valuesOnDemand: z.array(z.looseObject({ id: count, value: z.instanceof(Float64Array), grad: values, numerical: values, backwardGrad: z.optional(values) })),
  nodes: z.array(nodeRecord),
  backwards: z.array(backwardRecord),
  series: z.array(z.looseObject({ at: z.looseObject({ line: count, column: count }), name: nullableString, values: z.array(jsonNumber), steps: z.optional(z.array(count)) })),
  warnings: z.array(z.looseObject({ message: z.string(), at: location })),
  limits: z.looseObject({
    droppedTensors: count,
    droppedNodes: count,
    historyPerLine: count,
    droppedBackwards: z.optional(count),
    droppedChecks: z.optional(z.looseObject({ passed: count, unchecked: count })),
    downsampledSeries: z.optional(count),
  }),
  checkDurationMs: anyNumber,
});
const runId = count;

const childMessage = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ready"), pid: count }),
  z.object({ type: z.literal("console"), run: runId, lines: z.array(consoleLine), dropped: count }),
  z.object({ type: z.literal("progress"), run: runId, message: z.string() }),
  z.object({ type: z.literal("phase"), run: runId, phase: z.enum(["snippet", "checks", "finishing"]), checkMs: anyNumber }),
  z.object({
    type: z.literal("done"),
    run: runId,
    parts: wireParts,
    error: z.nullable(snippetError),
    snippetMs: anyNumber,
    droppedLines: count,
    droppedBytes: count,
    cell: z.optional(z.looseObject({ value: z.nullable(z.looseObject({ text: z.string() })), variables: z.array(z.string()) })),
  }),
  z.object({ type: z.literal("failed"), run: z.nullable(runId), message: z.string() }),
]);

export class ProtocolError extends Error {
  override name = "ProtocolError";
}

/** The message, if it is one the child may send; otherwise a ProtocolError saying what was wrong. */
export function validateChildMessage(value: unknown): ChildMessage {
  const result = childMessage.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ProtocolError(`malformed message from the snippet's process: ${issue?.path.join(".") || "(message)"}: ${issue?.message ?? "invalid"}`);
  }
  // The schemas keep unknown fields (looseObject), so the parsed copy is the message with every field it had.
  return result.data as unknown as ChildMessage;
}

/** The watchdog's lines on fd 4: `line N` (the line running now), `memory N S` (resident bytes, above the limit,
 * and what they were when the run started). */
export type WatchdogMessage = { type: "line"; line: number } | { type: "memory"; bytes: number; startBytes: number };

export function parseWatchdogLine(text: string): WatchdogMessage {
  const line = /^line (\d{1,15})$/.exec(text);
  if (line) return { type: "line", line: Number(line[1]) };
  const memory = /^memory (\d{1,18}) (\d{1,18})$/.exec(text);
  if (memory) return { type: "memory", bytes: Number(memory[1]), startBytes: Number(memory[2]) };
  throw new ProtocolError(`malformed line from the snippet's watchdog: ${JSON.stringify(text.slice(0, 80))}`);
}

export function parseHostMessage(line: string): HostMessage {
  const m = JSON.parse(line) as HostMessage;
  if (!m || typeof m !== "object" || !["hello", "run", "exit"].includes(m.type)) throw new ProtocolError(`unknown message from the host: ${line.slice(0, 80)}`);
  return m;
}

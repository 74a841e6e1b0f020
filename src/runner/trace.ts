/**
 * The Trace: everything one run of a snippet did, as plain JSON.
 *
 * It is the one contract between the parts of Gradlens: the runner writes it; the editor decorations, the
 * panel, the CLI and the static HTML report only read it. It holds no functions, no typed arrays and no
 * cycles, so it survives `JSON.stringify`, `postMessage` and being embedded in an HTML page unchanged.
 * References between records are by numeric id.
 *
 * Change the shape only together with TRACE_VERSION; readers reject a version they do not know.
 */

export const TRACE_VERSION = 2;

export interface Trace {
  version: typeof TRACE_VERSION;
  /** The snippet's path as the runner was given it, and its text (the report shows lines from it). */
  file: string;
  source: string;
  /** ISO time the run started, and how long the snippet and the checks took. */
  startedAt: string;
  durationMs: number;
  checkDurationMs: number;
  /** The run's outcome: ok; a numerical check failed; or the snippet did not finish (see `error`). */
  status: RunStatus;
  tensors: TensorRecord[];
  /** `grad_fn` nodes (and `AccumulateGrad` nodes of leaves), with their edges in `next`. */
  nodes: NodeRecord[];
  backwards: BackwardRecord[];
  console: ConsoleLine[];
  /** Scalars that a source line produced again and again (the loss in a training loop), in order. */
  series: ScalarSeries[];
  warnings: TraceWarning[];
  error: SnippetError | null;
  /** What the recorder left out to stay small; the UI says so rather than pretending it has everything. */
  limits: TraceLimits;
  /** What looks wrong in the run (a cut graph, a missing zeroGrad, a NaN, vanishing gradients...), most severe first. */
  findings: Finding[];
  /** The nn.Modules the snippet called, outermost first; nodes name the module that made them. */
  modules: ModuleRecord[];
  /** Gradient flow over the run: per parameter and backward, per layer and forward call. */
  flow: GradientFlow;
}

export type RunStatus = "ok" | "check-failed" | "error";

export type DTypeName = "float32" | "float64" | "int64" | "bool";

/** A tensor's values as the UI needs them: never the whole of a big tensor. */
export interface ValueSummary {
  /** PyTorch's print of the values, with `...` past PyTorch's threshold (1000 elements). */
  text: string;
  /** Every value, row-major, when there are at most VALUES_INLINE_LIMIT; otherwise null. Non-finite values are
   * written as the strings "nan", "inf", "-inf" because JSON has no numbers for them. */
  values: JsonNumber[] | null;
  stats: ValueStats;
}

export type JsonNumber = number | "nan" | "inf" | "-inf";

/** The largest tensor whose values travel inside the Trace (a 100×100 heat map). */
export const VALUES_INLINE_LIMIT = 10_000;

/** Tensors up to this size (a 512×512 weight) keep every value beside the Trace, not in it, for a viewer to ask for:
 * a run's output stays small, and a panel pays for a big tensor only when the user opens it. */
export const VALUES_ON_DEMAND_LIMIT = 262_144;
/** At most this many values are kept beside one Trace (32 MB of float64); the latest tensors go first. */
export const VALUES_ON_DEMAND_TOTAL = 4_194_304;

/** Every value of one tensor too big for the Trace, row-major, as float64 (NaN and infinities as they are). */
export interface FullValues {
  value: Float64Array;
  grad: Float64Array | null;
  /** The latest check's numerical gradient (NaN where a sampled check did not compute it). */
  numerical: Float64Array | null;
  /** The gradient that reached it in the latest backward (TensorRecord.backwardGrad), when it is not `.grad`. */
  backwardGrad?: Float64Array | null;
}

/** FullValues by TensorRecord id. */
export type ValuesOnDemand = Map<number, FullValues>;

export interface ValueStats {
  /** Over finite values only; null when there are none. */
  min: number | null;
  max: number | null;
  mean: number | null;
  std: number | null;
  nanCount: number;
  infCount: number;
}

export interface SourceLocation {
  /** 1-based line and column in the snippet the user wrote (not in transpiled code). */
  line: number;
  column: number;
}

export interface TensorRecord {
  id: number;
  /** The variable the tensor was assigned to (`x1` in `const x1 = x.add(2)`), or null for temporaries. */
  name: string | null;
  /** Where it was made. */
  at: SourceLocation | null;
  shape: number[];
  dtype: DTypeName;
  requiresGrad: boolean;
  isLeaf: boolean;
  /** The node that made it (null for leaves and for tensors made without grad tracking). */
  gradFn: number | null;
  /** PyTorch's `repr`, e.g. `tensor([[3., 4.],\n        [5., 6.]], grad_fn=<AddBackward0>)`. */
  repr: string;
  /** Made by an earlier execution of its line than the latest one kept (a loop's first iterations): its values (and
   * its gradients') are left out of the Trace past EARLIER_ITERATION_INLINE_LIMIT elements and travel on demand, as a
   * big tensor's do; a static report says they are not kept. Absent (false) for the latest iteration's tensors. */
  earlierIteration?: boolean;
  value: ValueSummary;
  /** `.grad` after the latest backward that reached it; null for non-leaves and before any backward. */
  grad: ValueSummary | null;
  /** For a tensor without a `.grad` of its own (a non-leaf): the gradient that reached it in the latest backward that
   * reached it (what `retainGrad()` would have kept). The snippet's own `.grad` stays null. Its `text` (PyTorch's
   * print) is "" for a tensor no variable holds: printing is the costly part, and only those show as text. */
  backwardGrad: ValueSummary | null;
  /** For a view (PyTorch's `x._base` is set): the id of the tensor it is a view of, when the Trace has it; -1 when the
   * base is not in the Trace (a temporary). Null for a tensor that is not a view. */
  viewOf?: number | null;
  /** How many tensors this source line had made when this one was made (1 for the first). A line inside a
   * loop keeps only its first and latest tensors; `occurrence` says which iteration this one is. */
  occurrence: number;
}

export type NodeKind =
  /** A built-in op's backward, named as PyTorch names it (`MulBackward0`). */
  | "op"
  /** A user-defined `autograd.Function`, named after the user's class. */
  | "custom"
  /** Where a leaf's gradient is accumulated into `.grad`. */
  | "accumulate";

export interface NodeRecord {
  id: number;
  kind: NodeKind;
  name: string;
  at: SourceLocation | null;
  /** The tensor this node produced (for `accumulate`: the leaf it accumulates into). */
  tensor: number | null;
  /** The tensors the op read, in argument order (empty for `accumulate`). */
  inputs: number[];
  /** PyTorch's `next_functions`: per input, the node its gradient flows to (null where none is needed). */
  next: Array<{ node: number | null; inputNr: number }>;
  /** The L2 norm of the gradient that reached this node in the latest backward through it (for `accumulate`, the
   * leaf's share); null when no backward reached it. "nan"/"inf" when it was not finite. */
  gradNorm: JsonNumber | null;
  /** The innermost module whose call made this node (ModuleRecord id), or null. */
  module: number | null;
}

export interface BackwardRecord {
  id: number;
  at: SourceLocation | null;
  /** The tensor `backward()` was called on, and its node. */
  root: number;
  rootNode: number | null;
  /** `.grad` of each leaf this backward reached, right after it: PyTorch's print, statistics, and the values up to
   * BACKWARD_GRAD_VALUES_LIMIT (the tensor's own record has the latest `.grad` whole). In a loop only the first and
   * latest calls of a line keep the print and the values; the others keep statistics (`gradsStatsOnly`). */
  grads: Array<{ tensor: number; grad: ValueSummary }>;
  /** The grads hold statistics only: `text` is "" and `values` null (a middle call of a loop). */
  gradsStatsOnly?: boolean;
  /** backward() calls on the same line, between the previous record of that line and this one, that the Trace leaves
   * out (a loop keeps its first and latest calls, a sample between and every call whose check failed). */
  omittedBefore?: number;
  /** One row per leaf that requires grad: the analytical `.grad` against central differences. */
  checks: GradCheckRecord[];
  /** One row per op node: that op's own backward against its own numerical derivative. This is what names
   * the op whose backward is wrong, rather than only saying that a leaf's gradient is. */
  nodeChecks: NodeCheckRecord[];
}

export type CheckMode =
  /** Every element perturbed. */
  | "full"
  /** A random sample of elements, to stay inside the time budget. */
  | "sampled"
  /** Random projections (directional derivatives), as PyTorch's `fast_mode`. */
  | "fast";

export interface CheckTolerance {
  eps: number;
  atol: number;
  rtol: number;
}

export interface GradCheckRecord {
  /** The leaf whose gradient was checked. */
  tensor: number;
  name: string | null;
  at: SourceLocation | null;
  /** null when the check could not run (see `skipped`). */
  passed: boolean | null;
  skipped: string | null;
  mode: CheckMode;
  tolerance: CheckTolerance;
  checkedElements: number;
  totalElements: number;
  maxAbsError: number;
  maxRelError: number;
  /** The element that is furthest outside the tolerance (or the largest error when all pass). */
  worst: { index: number[]; analytical: number; numerical: number } | null;
  /** The numerical gradient, for the UI to show beside `.grad` (same length as `.grad`'s values when inline). */
  numerical: ValueSummary | null;
  /** How far `.grad` as backward() gave it is from the same backward run in float64 (the check judges the latter):
   * float32 rounding shows here, not as a failure. Null when the float64 backward could not run. */
  precision?: { dtype: DTypeName; maxAbsError: number; maxRelError: number; large: boolean } | null;
  /** What the check says beyond its numbers, e.g. that the graph does not reproduce the computation. */
  message?: string | null;
}

export interface NodeCheckRecord {
  node: number;
  name: string;
  at: SourceLocation | null;
  passed: boolean | null;
  skipped: string | null;
  maxAbsError: number;
  maxRelError: number;
  /** Which input's gradient disagrees, e.g. "input 0 (x): analytical 2.0, numerical 4.0". */
  message: string | null;
  /** How the backward was checked: against a numerical derivative along random directions, or (a user's Function
   * whose forward is made of differentiable ops) element by element against the engine's autograd of that forward. */
  method?: "numerical" | "autograd";
  /** With `autograd`: the elements where the user's backward differs, the worst first (at most 20). */
  wrongElements?: Array<{ input: number; index: number[]; analytical: number; expected: number }>;
  /** With `autograd`: how many elements differ in all. */
  wrongCount?: number;
}

export interface ConsoleLine {
  stream: "log" | "warn" | "error";
  text: string;
  at: SourceLocation | null;
}

export interface ScalarSeries {
  /** The source line that produced the scalar, and the variable's name. */
  at: SourceLocation;
  name: string | null;
  values: JsonNumber[];
  /** Set when the line produced more values than FLOW_POINTS: the step (1-based) each value stands for, downsampled as
   * GradientFlow's arrays are. */
  steps?: number[];
}

export interface TraceWarning {
  message: string;
  at: SourceLocation | null;
}

export type SnippetErrorKind =
  | "syntax"
  | "import"
  | "runtime"
  | "timeout"
  | "out-of-memory"
  | "stack-overflow"
  | "crash";

export interface SnippetError {
  kind: SnippetErrorKind;
  /** The message as the user should read it (PyTorch's wording for engine errors). */
  message: string;
  /** The error's class name, e.g. RuntimeError, TypeError, SyntaxError. */
  name: string;
  file: string;
  at: SourceLocation | null;
  /** The stack, mapped to the user's lines, without the runner's own frames. */
  stack: string | null;
}

export interface TraceLimits {
  /** Tensors and nodes made but not kept, because a line in a loop made more than the history keeps. */
  droppedTensors: number;
  droppedNodes: number;
  /** How many executions of one source line keep their tensors (its first and its latest ones). */
  historyPerLine: number;
  /** backward() records left out (middle calls of a loop whose checks passed or did not run; see omittedBefore), and
   * the leaf checks they held, so that counts and coverage stay true. */
  droppedBackwards?: number;
  droppedChecks?: { passed: number; unchecked: number };
  /** Series of the gradient flow and scalar series longer than FLOW_POINTS, downsampled (see GradientFlow's
   * `backwardSteps`, ScalarSeries' `steps`). */
  downsampledSeries?: number;
}

/** Backward calls of a run, those the Trace left out included. */
export function backwardCalls(trace: Pick<Trace, "backwards" | "limits">): number {
  return trace.backwards.length + (trace.limits.droppedBackwards ?? 0);
}

/** A backward record's gradients keep their values up to PyTorch's print threshold (the print shows them all). */
export const BACKWARD_GRAD_VALUES_LIMIT = 1000;

/** Tensors of an earlier iteration up to this size keep their values inline (a bias, a batch of losses). */
export const EARLIER_ITERATION_INLINE_LIMIT = 256;

export type FindingSeverity = "warning" | "info";

export type FindingRule =
  | "cut-graph"
  | "missing-zero-grad"
  | "step-before-backward"
  | "optimizer-without-grad"
  | "parameter-unchanged"
  | "non-finite"
  | "vanishing-gradient"
  | "exploding-gradient"
  | "dead-relu"
  | "saturated-activation"
  | "broadcast-loss"
  | "softmax-batch-dim"
  | "cross-entropy-probabilities"
  | "diverging-loss"
  | "flat-loss";

/** Something in the run that looks like a common gradient bug. */
export interface Finding {
  rule: FindingRule;
  severity: FindingSeverity;
  /** The line to look at (where the graph was cut, the op that made the first NaN, ...). */
  at: SourceLocation | null;
  /** One sentence: what happened. */
  message: string;
  /** The usual fix. */
  fix: string;
  /** Tensors, nodes and modules involved, by Trace id (the panel selects them). */
  tensors: number[];
  nodes: number[];
  modules: number[];
}

/** The thresholds the findings use; each is a setting. */
export interface FindingThresholds {
  /** A weight's gradient norm below this fraction of its own norm is vanishing. */
  vanishingRatio: number;
  /** ... above this multiple of its own norm, exploding. */
  explodingRatio: number;
  /** A ReLU whose units are dead (zero for every example of every call) in at least this fraction. */
  deadReluFraction: number;
  /** A tanh or sigmoid with at least this fraction of outputs saturated (|tanh| > 0.99, sigmoid < 0.01 or > 0.99). */
  saturationFraction: number;
  /** A loss that ends at least this many times above its lowest value, rising, diverges. */
  divergenceFactor: number;
}

export const DEFAULT_THRESHOLDS: FindingThresholds = {
  vanishingRatio: 1e-5,
  explodingRatio: 1e3,
  deadReluFraction: 0.5,
  saturationFraction: 0.9,
  divergenceFactor: 100,
};

/** A distribution of values at one call of a module: quantiles and a histogram (from a sample of at most 4096). */
export interface Distribution {
  /** Which call of the module (1 = the first). */
  call: number;
  /** min, 10th, 25th, 50th, 75th, 90th percentile, max (finite values only; null when there were none). */
  quantiles: number[] | null;
  /** Counts in equal bins from quantiles[0] to quantiles[6]. */
  histogram: number[];
  nonFinite: number;
}

export interface ModuleRecord {
  id: number;
  /** PyTorch's name: the variable and the path below it (`model.0`), or the class name when it has none. */
  name: string;
  className: string;
  parent: number | null;
  /** Where it was first called. */
  at: SourceLocation | null;
  calls: number;
  /** Per call (up to 24 calls spread over the run): its input, its output, and the gradient that reached the output. */
  input: Distribution[];
  output: Distribution[];
  grad: Distribution[];
}

export interface GradientFlow {
  /** Per parameter (a module's, or one an optimizer updates); arrays are indexed by backward (0 = the first). */
  parameters: ParameterFlow[];
  /** Per leaf module that ran (in the order of their first call); arrays are indexed by call. */
  layers: LayerFlow[];
  /** The loss of each backward (its root, when it had one element). */
  loss: Array<JsonNumber | null>;
  /** Set when the run had more backward calls than FLOW_POINTS: the arrays indexed by backward (loss, the parameters')
   * are downsampled, and this is the backward (1-based) each point stands for. Each span of calls keeps, per series,
   * its lowest and highest value in the order they came (a spike stays visible); the first and last calls are exact. */
  backwardSteps?: number[];
  /** The same for the layers' arrays, indexed by call. */
  callSteps?: number[];
}

export interface ParameterFlow {
  tensor: number | null;
  name: string;
  shape: number[];
  /** ‖grad‖ of this backward's share; null where a backward did not reach it. */
  gradNorm: Array<JsonNumber | null>;
  /** ‖weight‖ when that backward ran. */
  weightNorm: Array<JsonNumber | null>;
  /** ‖update‖ / ‖weight‖ of the first optimizer step after that backward; null where none stepped it. */
  updateRatio: Array<JsonNumber | null>;
}

export interface LayerFlow {
  module: number;
  name: string;
  className: string;
  /** Statistics of the layer's output per call. */
  mean: JsonNumber[];
  std: JsonNumber[];
  /** Fraction of exact zeros (after a ReLU), of saturated values (after tanh or sigmoid); null for other layers. */
  zeroFraction: Array<number | null>;
  saturatedFraction: Array<number | null>;
}

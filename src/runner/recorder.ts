/**
 * The engine's Recorder for a snippet run: it notes every tensor and node with its source line, bounds what a loop
 * leaves behind, runs the numerical checks after each backward(), and at the end writes it all as Trace records.
 * Per op it only stores a reference and a line; values are summarised once, at the end.
 */
import * as engine from "../engine";
import { setForwardLocation } from "../engine/autograd/anomaly";
import { AccumulateGrad, GradFn, type Node } from "../engine/autograd/node";
import type { LeafCheck, NodeCheck, Tolerance } from "../engine/autograd/graph_check";
import { checkFunction, type FunctionCheck } from "../engine/autograd/function_check";
import { allocate, float64Copy } from "../engine/dtype";
import type { AnyOpDef } from "../engine/ops/op";
import type { Recorder } from "../engine/recorder";
import type { Tensor } from "../engine/tensor";
import { BACKWARDS_FIRST, BACKWARDS_LATEST, selectBackwards } from "./backwardHistory";
import { boundFlow, boundSeries } from "./downsample";
import { noteShape } from "./consoleFormat";
import { type HeldCall, LATEST_CALLS_SHARE, LatestCalls } from "./latestCalls";
import type { CutHow, Names } from "./findings";
import { Insight } from "./insight";
import { type Entry, HISTORY_PER_LINE, LineHistory } from "./lineHistory";
import { NodeSlot } from "./nodeSlot";
import { l2 } from "./stats";
import { jsonNumber, stats, summarize } from "./summary";
import type {
  Finding,
  FindingThresholds,
  GradientFlow,
  ModuleRecord,
  BackwardRecord,
  GradCheckRecord,
  NodeCheckRecord,
  NodeRecord,
  ScalarSeries,
  SourceLocation,
  TensorRecord,
  TraceLimits,
  TraceWarning,
  ValuesOnDemand,
} from "./trace";
import { BACKWARD_GRAD_VALUES_LIMIT, DEFAULT_THRESHOLDS, EARLIER_ITERATION_INLINE_LIMIT, VALUES_INLINE_LIMIT, VALUES_ON_DEMAND_LIMIT, VALUES_ON_DEMAND_TOTAL } from "./trace";

const MAX_NODES = 4000;
/** Values kept per scalar series (the Trace carries them downsampled to FLOW_POINTS). */
const MAX_SERIES = 1_000_000;

export interface RecorderOptions {
  file: string;
  checkBudgetMs: number;
  tolerance: Tolerance;
  /** The findings' thresholds (DEFAULT_THRESHOLDS when not given). */
  thresholds?: FindingThresholds;
  onProgress: (message: string) => void;
}

export interface RecordedParts {
  tensors: TensorRecord[];
  /** Values of tensors too big for the Trace (see VALUES_ON_DEMAND_LIMIT). */
  valuesOnDemand: ValuesOnDemand;
  nodes: NodeRecord[];
  backwards: BackwardRecord[];
  series: ScalarSeries[];
  warnings: TraceWarning[];
  limits: TraceLimits;
  checkDurationMs: number;
  findings: Finding[];
  modules: ModuleRecord[];
  flow: GradientFlow;
}

export class TraceRecorder implements Recorder {
  /** The line running now (set by the instrumented code). */
  line = 0;
  private readonly history = new LineHistory();
  private readonly nodeLines = new NodeSlot<number>();
  /** Nodes numbered in the order the snippet made them, so that of a loop's copies of a graph the latest has the
   * highest ids (the panel shows that copy). On the nodes: a loop's old graphs must stay collectable. */
  private readonly nodeIds = new NodeSlot<number>();
  private nextNodeId = 1;
  private readonly backwards: BackwardRecord[] = [];
  /** backward() calls per line so far; and the gradients of each line's latest BACKWARDS_LATEST calls, copied, which
   * finish() prints (printing every call's gradients cost more than the loop's own ops). */
  private readonly backwardsPerLine = new Map<number, number>();
  private readonly latestGrads = new Map<number, Array<{ record: BackwardRecord; grads: GradCopy[] }>>();
  private readonly checks: Array<{ record: BackwardRecord; leaves: LeafCheck[]; nodes: NodeCheck[]; functions: FunctionCheck[]; names: Map<Tensor, { id: number; name: string | null; at: SourceLocation | null }> }> = [];
  /** The user Functions' nodes the current backward ran: the gradient each got and what its backward returned. */
  private functionCalls: Array<{ fn: GradFn; grads: Array<Tensor | null>; inputGrads: ReadonlyArray<Tensor | null> }> = [];
  private readonly series = new Map<string, ScalarSeries>();
  private readonly warnings: TraceWarning[] = [];
  private gradsBefore = new Map<Tensor, Float64Array>();
  private checkMs = 0;
  private readonly latestCalls = new LatestCalls<BackwardRecord>();
  /** Every node's gradient, modules, gradient flow and the findings' evidence. */
  private readonly insight = new Insight();

  constructor(private readonly options: RecorderOptions) {}

  /** A statement at `line` starts (a new execution of it, unlike returning to it from a call). */
  enterLine(line: number): void {
    this.line = line;
    this.history.enter(line);
  }

  private at(): SourceLocation | null {
    return this.line ? { line: this.line, column: 1 } : null;
  }

  onTensor(t: Tensor, op?: AnyOpDef, inputs?: readonly Tensor[], attrs?: unknown): void {
    noteShape(t.shape);
    const entry = this.record(t, this.line);
    if (!op || !inputs) return;
    const module = this.insight.currentModule;
    if (module !== null) entry.module = module;
    this.insight.op(t, op, inputs, attrs, this.line);
  }

  onCut(source: Tensor, how: CutHow): void {
    this.insight.cut(source, how, this.line);
  }

  onNodeGradient(node: Node, g: Tensor, inputGrads: ReadonlyArray<Tensor | null> | null, output: Tensor): void {
    if (!this.insight.nodeGradient(node, g, inputGrads, output)) return;
    const kept = this.history.get(output);
    if (kept) kept.backwardGrad = g;
    // A user Function's node: its backward is checked against the autograd of its forward after this backward.
    if (inputGrads && node instanceof GradFn && node.op.freshAttrs && this.options.checkBudgetMs > 0) this.noteFunctionCall(node, g, inputGrads, output);
  }

  /** A Function with several outputs tells of each output's gradient in turn, with the same `inputGrads`: one call. */
  private noteFunctionCall(fn: GradFn, g: Tensor, inputGrads: ReadonlyArray<Tensor | null>, output: Tensor): void {
    const outputs = fn.outputs;
    const k = Math.max(0, outputs.indexOf(output));
    const last = this.functionCalls[this.functionCalls.length - 1];
    if (last && last.fn === fn && last.inputGrads === inputGrads) {
      last.grads[k] = g;
      return;
    }
    const grads = outputs.map((): Tensor | null => null);
    grads[k] = g;
    this.functionCalls.push({ fn, grads, inputGrads });
  }

  onOptimizerStep(optimizer: object, params: readonly Tensor[], done: boolean): void {
    this.insight.optimizerStep(optimizer, params, done, this.line);
  }

  onModuleCall(module: object, inputs: readonly Tensor[]): (output: Tensor | null) => void {
    return this.insight.moduleCall(module, inputs, this.line);
  }

  /** Notes a tensor (once) as made at `line`, with its node's line and number. */
  private record(t: Tensor, line: number): Entry {
    const known = this.history.get(t);
    if (known) return known;
    if (t.gradFn && !this.nodeLines.has(t.gradFn)) {
      this.nodeLines.set(t.gradFn, line);
      setForwardLocation(t.gradFn, `${this.options.file}:${line}`);
      // A leaf's node is made when an op first uses the leaf: number it, and remember the leaf's line in case a loop
      // drops the leaf's entry before the run ends.
      for (const next of t.gradFn.next) {
        if (next instanceof AccumulateGrad && !this.nodeLines.has(next)) {
          this.nodeLines.set(next, this.history.get(next.variable)?.at?.line ?? line);
          this.nodeId(next);
        }
      }
      this.nodeId(t.gradFn);
    }
    return this.history.add(t, line);
  }

  /** A value was assigned to a variable: name the tensor if it has no name yet; one-element tensors also join the
   * line's series. */
  bind(value: unknown, name: string | null, line: number, column: number): void {
    if (value instanceof engine.nn.Module && name) this.nameParameters(value, name, line);
    if (value instanceof engine.optim.Optimizer) this.insight.optimizerMade(value, line);
    if (!(value instanceof engine.Tensor)) return;
    const entry = this.record(value, line);
    // The first name sticks: `let y = x` makes an alias, and the graph and hovers keep calling that tensor x.
    if (name && !entry.name) {
      entry.name = name;
      entry.at = { line, column };
    }
    if (name && value.numel() === 1) {
      const key = `${line}:${name}`;
      let s = this.series.get(key);
      if (!s) this.series.set(key, (s = { at: { line, column }, name, values: [] }));
      if (s.values.length < MAX_SERIES) s.values.push(jsonNumber(value._data[0]));
    }
  }

  /** A module assigned to a variable: its parameters take PyTorch's names under it (`model.0.weight`) and stay in
   * the Trace for the whole run, whatever else their line makes. */
  private nameParameters(module: engine.nn.Module, name: string, line: number): void {
    this.insight.namedModule(module, name);
    for (const [path, parameter] of module.namedParameters()) {
      // Parameters are made inside nn, where nothing records them: they count as made on the module's line.
      const entry = this.record(parameter, line);
      entry.pinned = true;
      this.insight.parameter(parameter);
      if (!entry.name) {
        entry.name = `${name}.${path}`;
        entry.at = { line, column: 1 };
      }
    }
    // Buffers (BatchNorm's running statistics) take their PyTorch paths too: `bn1.running_mean`.
    for (const [path, buffer] of module.namedBuffers()) {
      const entry = this.record(buffer, line);
      entry.pinned = true;
      if (!entry.name) {
        entry.name = `${name}.${path}`;
        entry.at = { line, column: 1 };
      }
    }
  }

  onModified(): void {}

  onWarning(message: string): void {
    this.warnings.push({ message, at: this.at() });
    this.insight.warning(message, this.line);
  }

  onBackwardStart(root: Tensor): void {
    this.functionCalls = [];
    this.insight.backwardStarted(root, this.line);
    // The gradient a backward contributes is .grad after minus .grad before (grads accumulate).
    this.gradsBefore = new Map();
    for (const { tensor: t } of this.history.kept()) if (t._gradFn === null && t._grad) this.gradsBefore.set(t, float64Copy(t._grad._data));
  }

  onBackward(root: Tensor, leaves: readonly Tensor[], accumulated: boolean, gradient: Tensor | null): void {
    for (const leaf of leaves) if (leaf._grad) noteShape(leaf._grad.shape);
    if (!accumulated) return;
    this.insight.backwardEnded(leaves, (fn) => this.nodeLines.get(fn) ?? this.line);
    const call = (this.backwardsPerLine.get(this.line) ?? 0) + 1;
    this.backwardsPerLine.set(this.line, call);
    // The first calls of a line are printed now; the others keep statistics, and the latest ones a copy to print later.
    const first = call <= BACKWARDS_FIRST;
    const grads = leaves.map((leaf) => ({ tensor: this.record(leaf, this.line).id, grad: first ? gradSummary(leaf, BACKWARD_GRAD_VALUES_LIMIT)! : statsOnly(leaf._grad!._data) }));
    const record: BackwardRecord = {
      id: this.backwards.length + 1,
      at: this.at(),
      root: this.record(root, this.line).id,
      rootNode: null,
      grads,
      checks: [],
      nodeChecks: [],
    };
    if (!first) {
      record.gradsStatsOnly = true;
      let ring = this.latestGrads.get(this.line);
      if (!ring) this.latestGrads.set(this.line, (ring = []));
      ring.push({ record, grads: leaves.map(copyGrad) });
      if (ring.length > BACKWARDS_LATEST) ring.shift();
    }
    this.backwards.push(record);
    this.runChecks(record, root, leaves, gradient);
  }

  private runChecks(record: BackwardRecord, root: Tensor, leaves: readonly Tensor[], gradient: Tensor | null): void {
    // Part of the budget waits for the latest call of each line (checkLatestCalls).
    const remaining = this.options.checkBudgetMs * (1 - LATEST_CALLS_SHARE) - this.checkMs;
    if (this.options.checkBudgetMs <= 0) return;
    const started = performance.now();
    const contributions = new Map<Tensor, Tensor>();
    for (const leaf of leaves) {
      const g = leaf._grad;
      if (!g) continue;
      const before = this.gradsBefore.get(leaf);
      // A copy through allocate(): Float64Array.from(…, fn) would build a JavaScript array of every element first.
      const d = float64Copy(g._data);
      if (before) for (let i = 0; i < d.length; i++) d[i] -= before[i];
      contributions.set(leaf, engine.Tensor.fromData(d, leaf.shape.slice(), "float64"));
    }
    let leafChecks: LeafCheck[];
    let nodeChecks: NodeCheck[] = [];
    if (remaining <= 0) {
      leafChecks = leaves.map((leaf) => skippedLeaf(leaf, "the run's check time budget was used up by earlier backward calls"));
      this.latestCalls.hold(this.line, { record, root, gradient, contributions });
    } else {
      this.options.onProgress(`checking the gradients of backward #${record.id} (line ${this.line})`);
      [leafChecks, nodeChecks] = this.checkCall({ record, root, gradient, contributions }, remaining, started);
    }
    this.checkMs += performance.now() - started;
    this.warnAbout(leafChecks, this.at());
    // The leaves' names now: a loop may drop their entries before the run ends.
    const names = new Map(leaves.map((leaf) => {
      const e = this.history.get(leaf);
      return [leaf, { id: e?.id ?? 0, name: e?.name ?? null, at: e?.at ?? null }] as const;
    }));
    // A user Function's backward against the autograd of its own forward: exact, and one backward each.
    const functionStarted = performance.now();
    const functions = this.functionCalls.map(({ fn, grads, inputGrads }) => checkFunction(fn, grads, inputGrads));
    this.functionCalls = [];
    this.checkMs += performance.now() - functionStarted;
    this.checks.push({ record, leaves: leafChecks, nodes: nodeChecks, functions, names });
  }

  /** A backward call's leaf and node checks within `budgetMs` from `started`. */
  private checkCall({ root, gradient, contributions }: HeldCall<BackwardRecord>, budgetMs: number, started: number): [LeafCheck[], NodeCheck[]] {
    try {
      const leafChecks = engine.autograd.checkGraph(root, contributions, { ...this.options.tolerance, gradient, budgetMs: budgetMs / 2 });
      const afterLeaves = performance.now() - started;
      const nodeChecks = root.gradFn ? engine.autograd.checkNodes(root, { ...this.options.tolerance, budgetMs: Math.max(budgetMs / 2 - afterLeaves, 1) }) : [];
      return [leafChecks, nodeChecks];
    } catch (e) {
      return [[...contributions.keys()].map((leaf) => skippedLeaf(leaf, `the check could not run: ${(e as Error).message}`)), []];
    }
  }

  private warnAbout(leafChecks: readonly LeafCheck[], at: SourceLocation | null): void {
    for (const c of leafChecks) {
      const name = this.history.get(c.leaf)?.name ?? "a leaf";
      if (c.message && c.passed === false) this.warnings.push({ message: `${name}.grad: ${c.message}`, at });
      else if (c.precision?.large) this.warnings.push({ message: precisionWarning(name, c.precision), at });
    }
  }

  /**
   * Checks the latest backward call of each line that went unchecked, with the part of the budget kept for it and
   * what is left of the rest. Called when the snippet has finished, before finish().
   */
  checkLatestCalls(): void {
    if (this.latestCalls.size === 0) return;
    // The share kept back is theirs even when the checks before overran theirs (the host allows for that).
    const kept = this.options.checkBudgetMs * LATEST_CALLS_SHARE;
    const share = Math.max(this.options.checkBudgetMs - this.checkMs, kept) / this.latestCalls.size;
    this.latestCalls.checkAll((call, unchanged) => {
      const entry = this.checks.find((c) => c.record === call.record);
      if (!entry) return;
      if (!unchanged) {
        entry.leaves = entry.leaves.map((c) => skippedLeaf(c.leaf, "a tensor this backward read was changed in place after it, so it cannot be replayed"));
        return;
      }
      this.options.onProgress(`checking the gradients of backward #${call.record.id}, the latest of its line`);
      const started = performance.now();
      [entry.leaves, entry.nodes] = this.checkCall(call, share, started);
      this.checkMs += performance.now() - started;
      this.warnAbout(entry.leaves, call.record.at);
    });
  }

  /** Writes the records. Called once, when the snippet has finished (or failed). */
  finish(): RecordedParts {
    const retained = this.history.kept();
    const nodes: NodeRecord[] = [];
    let droppedNodes = 0;
    const nodeId = (n: Node): number => this.nodeId(n);
    // Walk the graph from what was kept, breadth first, up to MAX_NODES.
    const queue: Node[] = [];
    const visited = new Set<Node>();
    const visit = (n: Node | null) => {
      if (!n || visited.has(n)) return;
      visited.add(n);
      queue.push(n);
    };
    for (const e of retained) visit(e.tensor._gradFn);
    for (const b of this.checks) for (const c of b.nodes) visit(c.node);
    // A read index, not queue.shift(): shifting a million-node queue is quadratic.
    for (let head = 0; head < queue.length; head++) {
      const n = queue[head];
      if (nodes.length >= MAX_NODES) {
        droppedNodes++;
        continue;
      }
      nodes.push(this.nodeRecord(n, nodeId));
      if (n instanceof GradFn) for (const next of n.next) visit(next);
    }
    // A loop's earlier iterations: their values travel on demand only (the latest iteration is what a user looks at).
    const latestVisit = new Map<number, number>();
    for (const e of retained) if (!e.pinned && e.at) latestVisit.set(e.at.line, Math.max(latestVisit.get(e.at.line) ?? 0, e.visit));
    const earlier = (e: Entry) => !e.pinned && e.at !== null && e.visit < (latestVisit.get(e.at.line) ?? 0);
    const tensors = retained.map((e) => this.tensorRecord(e, earlier(e)));
    // The numerical gradient of each leaf's latest check, which the panel shows beside .grad.
    const numerical = new Map(this.checks.flatMap((c) => c.leaves).map((c) => [c.leaf, c.numerical] as const));
    const valuesOnDemand = keepBigValues(retained, earlier, numerical, (t) => this.backwardGradOf(t));
    const byId = new Map(retained.map((e) => [e.id, e.tensor]));
    for (const { record, leaves, nodes: nodeChecks, functions, names } of this.checks) {
      const rootFn = byId.get(record.root)?._gradFn;
      record.rootNode = rootFn ? nodeId(rootFn) : null;
      record.checks = leaves.map((c) => this.leafCheckRecord(c, names.get(c.leaf), false));
      record.nodeChecks = nodeChecks.map((c) => this.nodeCheckRecord(c, nodeId));
      // Where the exact check could run, it replaces the numerical one of the same node.
      for (const f of functions) {
        if (f.passed === null) continue;
        const exact = this.functionCheckRecord(f, nodeId);
        const i = record.nodeChecks.findIndex((c) => c.node === exact.node);
        if (i >= 0) record.nodeChecks[i] = exact;
        else record.nodeChecks.push(exact);
      }
    }
    const selection = selectBackwards(this.backwards);
    // The numerical gradients of the records kept whole (the latest check's is what the panel shows beside .grad).
    for (const { record, leaves } of this.checks) {
      if (!selection.whole.has(record)) continue;
      leaves.forEach((c, i) => {
        if (c.numerical) record.checks[i].numerical = summarize(c.leaf.shape, "float64", c.numerical);
      });
    }
    for (const ring of this.latestGrads.values()) {
      for (const { record, grads } of ring) {
        if (!selection.whole.has(record)) continue;
        record.grads = record.grads.map((g, i) => ({ tensor: g.tensor, grad: summarize(grads[i].shape, grads[i].dtype, grads[i].data, BACKWARD_GRAD_VALUES_LIMIT) }));
        delete record.gradsStatsOnly;
      }
    }
    const lines = new Map(retained.map((e) => [e.id, e.at?.line ?? null]));
    const { flow, modules, findings } = this.insight.finish(this.names, (id) => lines.get(id) ?? null, this.options.thresholds ?? DEFAULT_THRESHOLDS);
    // The findings read the whole series; the Trace carries them bounded.
    const series = [...this.series.values()].filter((s) => s.values.length > 1);
    const downsampledSeries = boundFlow(flow) + series.filter(boundSeries).length;
    return {
      tensors,
      valuesOnDemand,
      nodes,
      backwards: selection.kept,
      series,
      warnings: this.warnings,
      limits: { droppedTensors: this.history.dropped, droppedNodes, historyPerLine: HISTORY_PER_LINE, droppedBackwards: selection.dropped, droppedChecks: selection.droppedChecks, downsampledSeries },
      checkDurationMs: this.checkMs,
      findings,
      modules,
      flow,
    };
  }

  /** How findings name tensors and nodes. */
  private readonly names: Names = {
    tensor: (t) => {
      const e = this.history.get(t);
      if (!e) return { id: null, name: "a tensor" };
      return { id: e.id, name: e.name ?? (e.at ? `the tensor made at line ${e.at.line}` : `tensor #${e.id}`) };
    },
    node: (n) => ({ id: this.nodeId(n), line: this.nodeLines.get(n) ?? null }),
  };

  /** The gradient that reached a tensor in the latest backward through it (a leaf's: that backward's share). */
  private backwardGradOf(t: Tensor): Tensor | null {
    return this.history.get(t)?.backwardGrad ?? null;
  }

  private nodeId(n: Node): number {
    let id = this.nodeIds.get(n);
    if (id === undefined) this.nodeIds.set(n, (id = this.nextNodeId++));
    return id;
  }

  private idOf(t: Tensor): number | null {
    return this.history.get(t)?.id ?? null;
  }

  private nodeRecord(n: Node, nodeId: (n: Node) => number): NodeRecord {
    if (n instanceof AccumulateGrad) {
      const line = this.history.get(n.variable)?.at?.line ?? this.nodeLines.get(n);
      return { id: nodeId(n), kind: "accumulate", name: n.name, at: line ? { line, column: 1 } : null, tensor: this.idOf(n.variable), inputs: [], next: [], gradNorm: this.gradNorm(n), module: null };
    }
    const fn = n as GradFn;
    const line = this.nodeLines.get(fn);
    const custom = fn.op.freshAttrs !== undefined;
    return {
      id: nodeId(fn),
      kind: custom ? "custom" : "op",
      name: fn.name,
      at: line ? { line, column: 1 } : null,
      tensor: this.idOf(fn.output),
      inputs: fn.inputs.map((t) => this.idOf(t)).filter((id): id is number => id !== null),
      next: fn.next.map((next, i) => ({ node: next ? nodeId(next) : null, inputNr: fn.inputs[i]._outputNr })),
      gradNorm: this.gradNorm(fn),
      module: this.history.get(fn.output)?.module ?? null,
    };
  }

  private gradNorm(n: Node): NodeRecord["gradNorm"] {
    const g = this.backwardGradOf(n instanceof AccumulateGrad ? n.variable : (n as GradFn).output);
    return g ? jsonNumber(l2(g._data)) : null;
  }

  /** `earlier`: of an earlier iteration of its line, whose values past EARLIER_ITERATION_INLINE_LIMIT travel on demand. */
  private tensorRecord(e: Entry, earlier: boolean): TensorRecord {
    const t = e.tensor;
    const limit = earlier ? EARLIER_ITERATION_INLINE_LIMIT : VALUES_INLINE_LIMIT;
    const record: TensorRecord = {
      id: e.id,
      name: e.name,
      at: e.at,
      shape: t.shape.slice(),
      dtype: t.dtype,
      requiresGrad: t.requiresGrad,
      isLeaf: t._gradFn === null,
      // The node the tensor had, not one a later in-place write would make anew for a view when grad_fn is read.
      gradFn: t._gradFn ? (this.nodeIds.get(t._gradFn) ?? null) : null,
      repr: t._format(t._gradFn),
      value: summarize(t.shape, t.dtype, t._data, limit),
      grad: gradSummary(t, limit),
      backwardGrad: this.backwardGradSummary(t, e.name !== null, limit),
      viewOf: t._viewMeta ? (this.idOf(t._viewMeta.base) ?? -1) : null,
      occurrence: e.occurrence,
    };
    if (earlier) record.earlierIteration = true;
    return record;
  }

  private backwardGradSummary(t: Tensor, named: boolean, limit: number): TensorRecord["backwardGrad"] {
    // A tensor with a .grad of its own shows that; printing the gradient twice would only cost time.
    if (t._grad) return null;
    const g = this.backwardGradOf(t);
    if (!g) return null;
    // PyTorch's print is the costly part: only a tensor a variable holds is printed (inline text and hovers show those).
    if (named) return summarize(g.shape, g.dtype, g._data, limit);
    return { text: "", values: g._data.length <= limit ? Array.from(g._data, jsonNumber) : null, stats: stats(g._data) };
  }

  /** `whole`: with the numerical gradient's print and values (else its statistics, which finish() may replace). */
  private leafCheckRecord(c: LeafCheck, known: { id: number; name: string | null; at: SourceLocation | null } | undefined, whole: boolean): GradCheckRecord {
    const e = this.history.get(c.leaf) ?? known;
    return {
      tensor: e?.id ?? 0,
      name: e?.name ?? null,
      at: e?.at ?? null,
      passed: c.passed,
      skipped: c.skipped,
      mode: c.mode,
      tolerance: this.options.tolerance,
      checkedElements: c.checkedElements,
      totalElements: c.totalElements,
      maxAbsError: finite(c.maxAbsError),
      maxRelError: finite(c.maxRelError),
      worst: c.worst,
      numerical: c.numerical ? (whole ? summarize(c.leaf.shape, "float64", c.numerical) : statsOnly(c.numerical)) : null,
      precision: c.precision ? { dtype: c.precision.dtype, maxAbsError: finite(c.precision.maxAbsError), maxRelError: finite(c.precision.maxRelError), large: c.precision.large } : null,
      message: c.message,
    };
  }

  private functionCheckRecord(c: FunctionCheck, nodeId: (n: Node) => number): NodeCheckRecord {
    const line = this.nodeLines.get(c.node);
    return {
      node: nodeId(c.node),
      name: c.node.name,
      at: line ? { line, column: 1 } : null,
      passed: c.passed,
      skipped: c.skipped,
      maxAbsError: finite(c.maxAbsError),
      maxRelError: finite(c.maxRelError),
      message: c.message,
      method: "autograd",
      wrongElements: c.wrong.map((w) => ({ ...w, analytical: finite(w.analytical), expected: finite(w.expected) })),
      wrongCount: c.wrongCount,
    };
  }

  private nodeCheckRecord(c: NodeCheck, nodeId: (n: Node) => number): NodeCheckRecord {
    const line = this.nodeLines.get(c.node);
    return {
      node: nodeId(c.node),
      name: c.node.name,
      at: line ? { line, column: 1 } : null,
      passed: c.passed,
      skipped: c.skipped,
      maxAbsError: finite(c.maxAbsError),
      maxRelError: finite(c.maxRelError),
      message: c.message,
    };
  }
}

function finite(x: number): number {
  // JSON has no Infinity: a check whose error is not finite reports the largest number.
  return Number.isFinite(x) ? x : Number.MAX_VALUE;
}

/** The values of the tensors the Trace can only summarize, latest first, within VALUES_ON_DEMAND_TOTAL. */
function keepBigValues(retained: Entry[], earlier: (e: Entry) => boolean, numerical: ReadonlyMap<Tensor, Float64Array | null>, backwardGrad: (t: Tensor) => Tensor | null): ValuesOnDemand {
  const kept: ValuesOnDemand = new Map();
  let budget = VALUES_ON_DEMAND_TOTAL;
  for (let i = retained.length - 1; i >= 0; i--) {
    const t = retained[i].tensor;
    const n = t.numel();
    const inline = earlier(retained[i]) ? EARLIER_ITERATION_INLINE_LIMIT : VALUES_INLINE_LIMIT;
    if (n <= inline || n > VALUES_ON_DEMAND_LIMIT) continue;
    const g = t._grad;
    const n64 = numerical.get(t);
    const bg = t._gradFn === null ? null : backwardGrad(t);
    const cost = n * (1 + (g ? 1 : 0) + (n64 ? 1 : 0) + (bg ? 1 : 0));
    if (cost > budget) continue;
    budget -= cost;
    kept.set(retained[i].id, {
      value: Float64Array.from(t._data),
      grad: g ? Float64Array.from(g._data) : null,
      numerical: n64 ? Float64Array.from(n64) : null,
      backwardGrad: bg ? Float64Array.from(bg._data) : null,
    });
  }
  return kept;
}

function gradSummary(t: Tensor, limit = VALUES_INLINE_LIMIT) {
  const g = t._grad;
  return g ? summarize(g.shape, g.dtype, g._data, limit) : null;
}

/** A gradient's values at one backward, for finish() to print if that call is among the latest of its line. */
interface GradCopy {
  shape: number[];
  dtype: Tensor["dtype"];
  data: ArrayLike<number>;
}

function copyGrad(leaf: Tensor): GradCopy {
  const g = leaf._grad!;
  // Through allocate(): the copies count against the run's memory limit like the tensors they come from.
  const data = allocate(g.dtype, g._data.length);
  data.set(g._data);
  return { shape: g.shape.slice(), dtype: g.dtype, data };
}

/** A summary without the print and the values: a middle call of a loop. */
function statsOnly(values: ArrayLike<number>) {
  return { text: "", values: null, stats: stats(values) };
}

function skippedLeaf(leaf: Tensor, reason: string): LeafCheck {
  return { leaf, passed: null, skipped: reason, mode: "full", checkedElements: 0, totalElements: leaf.numel(), maxAbsError: 0, maxRelError: 0, worst: null, numerical: null, precision: null, message: null };
}

function precisionWarning(name: string, p: NonNullable<LeafCheck["precision"]>): string {
  return `${name}.grad (${p.dtype}) is up to ${p.maxRelError.toExponential(1)} (relative) from the same backward run in float64: ` +
    `${p.dtype === "float32" ? "float32 rounding along the graph, or " : ""}a hook or an in-place change of the gradient. The backward formulas themselves were checked in float64`;
}


/**
 * What the recorder learns of a run beyond its tensors and checks: the gradient that reached every tensor in each
 * backward, the module that ran each op, gradient flow over iterations, and the evidence for the findings. The
 * recorder hands it each engine event; it never changes what the snippet sees.
 */
import * as engine from "../engine";
import { AccumulateGrad, type GradFn, type Node } from "../engine/autograd/node";
import { isFloating } from "../engine/dtype";
import type { AnyOpDef } from "../engine/ops/op";
import type { Tensor } from "../engine/tensor";
import {
  ActivationWatch,
  CutGraphWatch,
  type CutHow,
  type Names,
  NonFiniteWatch,
  OptimizerWatch,
  ShapeWatch,
  sortFindings,
  trainingFindings,
} from "./findings";
import { type Activation, FlowRecorder } from "./gradientFlow";
import { l2 } from "./stats";
import type { Finding, FindingThresholds, GradientFlow, ModuleRecord } from "./trace";

export class Insight {
  /** True between the start and the end of a backward (autograd.grad's walks are not one). */
  private inBackward = false;
  private backwardHadGradient = false;
  private zeroGradientBackwards = 0;
  private readonly backwardLines: Array<number | null> = [];
  /** The latest op's output and name: a module's output made by its last op tells which activation it is. */
  private lastOpOut: Tensor | null = null;
  private lastOpName = "";
  /** This backward's op nodes, the gradient each got and what its backward made: searched for the first NaN only
   * when a leaf's gradient comes out non-finite. */
  private backwardNodes: Array<GradFn | Tensor | ReadonlyArray<Tensor | null>> = [];
  private backwardNonFinite = false;
  private readonly flow = new FlowRecorder();
  private readonly cuts = new CutGraphWatch();
  private readonly optimizers = new OptimizerWatch();
  private readonly nonFinite = new NonFiniteWatch();
  private readonly activations = new ActivationWatch();
  private readonly shapes = new ShapeWatch();

  /** What the findings and the module grouping need of each op. */
  op(t: Tensor, op: AnyOpDef, inputs: readonly Tensor[], attrs: unknown, line: number): void {
    const module = this.flow.currentModule;
    const made = t._gradFn;
    let requiresGrad: Tensor | null = null;
    for (const x of inputs) {
      if (!x.requiresGrad) continue;
      requiresGrad ??= x;
      if (x._gradFn === null) this.cuts.usedLeaf(x);
    }
    if (requiresGrad && !made && op.differentiable !== false && isFloating(t.dtype)) this.cuts.cut(requiresGrad, "noGrad", line);
    // A view only re-indexes its input (and reading a strided view's values would copy them): it makes no NaN.
    if (!this.nonFinite.found && !op.view && isFloating(t.dtype)) this.nonFinite.forward(t, op.name, inputs, line);
    const name = op.name;
    this.lastOpOut = t;
    this.lastOpName = name;
    if (name === "relu") this.activations.relu(t, line, module && { id: module.id, name: module.name });
    else if (name === "tanh" || name === "sigmoid") this.activations.saturating(t, name, line, module && { id: module.id, name: module.name });
    else if (name === "softmax" || name === "logSoftmax") this.shapes.softmax(t, inputs[0], attrs as number, name === "logSoftmax", line);
  }

  cut(source: Tensor, how: CutHow, line: number): void {
    this.cuts.cut(source, how, line);
  }

  /** In a backward: the gradient that reached a node, and what its backward made of it. False outside a backward
   * (autograd.grad's walk), where nothing is recorded. */
  nodeGradient(node: Node, g: Tensor, inputGrads: ReadonlyArray<Tensor | null> | null, output: Tensor): boolean {
    if (!this.inBackward) return false;
    if (node instanceof AccumulateGrad) {
      const leaf = node.variable;
      const norm = l2(g._data);
      this.flow.leafGradient(leaf, norm);
      this.cuts.leafReached(leaf);
      if (norm !== 0) this.backwardHadGradient = true;
      if (!Number.isFinite(norm)) this.backwardNonFinite = true;
      return true;
    }
    const fn = node as GradFn;
    this.flow.outputGradient(output, g);
    // Three entries per node rather than an object: nothing to allocate per node.
    if (inputGrads && !this.nonFinite.found) this.backwardNodes.push(fn, g, inputGrads);
    return true;
  }

  backwardStarted(root: Tensor, line: number): void {
    this.inBackward = true;
    this.backwardNodes = [];
    this.backwardNonFinite = false;
    this.backwardHadGradient = false;
    this.backwardLines.push(line || null);
    this.flow.startBackward(root);
    this.cuts.backwardStarted();
    this.optimizers.backwardStarted(line);
  }

  /** `nodeLine`: the line that made a node's forward. */
  backwardEnded(leaves: readonly Tensor[], nodeLine: (fn: GradFn) => number): void {
    this.inBackward = false;
    if (!this.backwardHadGradient) this.zeroGradientBackwards++;
    this.optimizers.backwardEnded(leaves);
    if (this.backwardNonFinite && !this.nonFinite.found) {
      const list = this.backwardNodes;
      for (let i = 0; i < list.length && !this.nonFinite.found; i += 3) {
        const fn = list[i] as GradFn;
        this.nonFinite.backward(fn, list[i + 1] as Tensor, list[i + 2] as ReadonlyArray<Tensor | null>, nodeLine(fn));
      }
    }
    this.backwardNodes = [];
  }

  optimizerStep(optimizer: object, params: readonly Tensor[], done: boolean, line: number): void {
    if (done) {
      this.flow.stepEnded();
      return;
    }
    this.flow.stepStarted(params);
    this.optimizers.stepStarted(optimizer, params, line);
  }

  moduleCall(module: object, inputs: readonly Tensor[], line: number): (output: Tensor | null) => void {
    const state = this.flow.enterModule(module, inputs, line,
      () => module instanceof engine.nn.Module && module.namedChildren().length === 0,
      (output) => (this.lastOpOut === output && (this.lastOpName === "relu" || this.lastOpName === "tanh" || this.lastOpName === "sigmoid") ? this.lastOpName : null) as Activation);
    return state.exit!;
  }

  /** A module assigned to a variable: it and its submodules take PyTorch's names under it. */
  namedModule(module: engine.nn.Module, name: string): void {
    this.flow.nameModule(module, name, (m) => (m instanceof engine.nn.Module ? m.namedChildren() : []));
  }

  parameter(p: Tensor): void {
    this.flow.addParameter(p);
  }

  optimizerMade(optimizer: engine.optim.Optimizer, line: number): void {
    const params = optimizer.paramGroups.flatMap((g) => g.params);
    this.optimizers.madeAt(optimizer, params, line);
    for (const p of params) this.flow.addParameter(p);
  }

  warning(message: string, line: number): void {
    this.shapes.warning(message, line);
  }

  /** The module (ModuleRecord id) whose call is running now, if any. */
  get currentModule(): number | null {
    return this.flow.currentModule?.id ?? null;
  }

  /** The gradient flow, the modules and the findings, once the run has ended. `lineOf`: a kept tensor's line by id. */
  finish(names: Names, lineOf: (id: number) => number | null, thresholds: FindingThresholds): { flow: GradientFlow; modules: ModuleRecord[]; findings: Finding[] } {
    const { flow, modules } = this.flow.finish((t) => names.tensor(t));
    const layers = this.flow.moduleStates().flatMap((m) => {
      const g = m.isLayer ? m.lastGrad : null;
      return g ? [{ module: m.id, name: m.name, className: m.className, norm: l2(g._data) }] : [];
    });
    const findings = sortFindings([
      ...this.cuts.findings(names, this.optimizers.trained()),
      ...this.optimizers.findings(names),
      ...this.nonFinite.findings(names),
      ...this.activations.findings(thresholds),
      ...this.shapes.findings(),
      ...trainingFindings({
        flow,
        backwardLines: this.backwardLines,
        zeroGradientBackwards: this.zeroGradientBackwards,
        parameterLines: flow.parameters.map((p) => (p.tensor === null ? null : lineOf(p.tensor))),
        layerGradients: layers,
        thresholds,
      }),
    ]);
    return { flow, modules, findings };
  }
}

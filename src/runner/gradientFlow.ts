/**
 * Gradient flow over a run: per parameter and backward, the gradient's norm, the weight's norm and the size of the
 * optimizer's update relative to the weight; per module call, its input, output and output gradient as distributions,
 * and for leaf modules (a layer) the output's mean, std and fraction of zeros or saturated values.
 */
import type { Tensor } from "../engine/tensor";
import { jsonNumber } from "./summary";
import { distribution, l2, moments, relativeChange } from "./stats";
import type { Distribution, GradientFlow, JsonNumber, LayerFlow, ModuleRecord, ParameterFlow, SourceLocation } from "./trace";

/** Backwards (and calls) past this many are not charted. */
const MAX_POINTS = 5000;
/** Distributions kept per module and kind; past it every other one goes and the stride doubles. */
const MAX_DISTRIBUTIONS = 48;

interface ParameterState {
  tensor: Tensor;
  gradNorm: Array<JsonNumber | null>;
  weightNorm: Array<JsonNumber | null>;
  updateRatio: Array<JsonNumber | null>;
}

export interface ModuleState {
  id: number;
  module: object;
  name: string;
  className: string;
  parent: ModuleState | null;
  at: SourceLocation | null;
  calls: number;
  isLayer: boolean;
  /** Record distributions of every `stride`-th call. */
  stride: number;
  /** Whether the call running now is one whose distributions are recorded. */
  recording: boolean;
  input: Distribution[];
  output: Distribution[];
  grad: Distribution[];
  layer: LayerFlow | null;
  /** The norm of the gradient that reached its output in the latest backward (NaN before any). */
  gradNorm: number;
}

/** The activation a layer's output came from, for the zero and saturation fractions. */
export type Activation = "relu" | "tanh" | "sigmoid" | null;

function setAt<T>(list: Array<T | null>, index: number, value: T): void {
  if (index < 0 || index >= MAX_POINTS) return;
  while (list.length < index) list.push(null);
  list[index] = value;
}

function thin(list: Distribution[]): void {
  for (let i = list.length - 1; i > 0; i -= 2) list.splice(i, 1);
}

export class FlowRecorder {
  private readonly parameters = new Map<Tensor, ParameterState>();
  /** Index of the backward running now or last (-1 before the first). */
  backward = -1;
  readonly loss: Array<JsonNumber | null> = [];
  private before: Map<Tensor, Float64Array> | null = null;

  private readonly modules = new Map<object, ModuleState>();
  private readonly stack: ModuleState[] = [];
  /** Module names given by the snippet's variables (`model`, then `model.0`, ...). */
  private readonly names = new WeakMap<object, string>();
  /** Outputs of recorded module calls: their gradient joins the call's grad distribution. */
  private readonly outputs = new WeakMap<Tensor, { state: ModuleState; call: number }>();
  private nextModuleId = 1;

  /** A module's parameters and submodules, named under the variable it was assigned to. */
  nameModule(module: object, name: string, children: (m: object) => Array<[string, object]>): void {
    if (!this.names.has(module)) this.names.set(module, name);
    for (const [key, child] of children(module)) this.nameModule(child, `${name}.${key}`, children);
  }

  addParameter(t: Tensor): void {
    if (!this.parameters.has(t)) this.parameters.set(t, { tensor: t, gradNorm: [], weightNorm: [], updateRatio: [] });
  }

  isParameter(t: Tensor): boolean {
    return this.parameters.has(t);
  }

  startBackward(root: Tensor): void {
    this.backward++;
    setAt(this.loss, this.backward, root.numel() === 1 ? jsonNumber(root._data[0]) : null);
  }

  /** A leaf's share of this backward's gradient. */
  leafGradient(leaf: Tensor, g: Tensor): void {
    const p = this.parameters.get(leaf);
    if (!p) return;
    setAt(p.gradNorm, this.backward, jsonNumber(l2(g._data)));
    setAt(p.weightNorm, this.backward, jsonNumber(l2(leaf._data)));
  }

  stepStarted(params: readonly Tensor[]): void {
    this.before = new Map();
    for (const p of params) {
      this.addParameter(p);
      if (p._grad) this.before.set(p, Float64Array.from(p._data));
    }
  }

  stepEnded(): void {
    if (!this.before) return;
    for (const [p, before] of this.before) {
      const state = this.parameters.get(p)!;
      // The first step after a backward speaks for it (gradient accumulation steps once per several backwards).
      if (state.updateRatio[this.backward] === undefined || state.updateRatio[this.backward] === null) {
        setAt(state.updateRatio, this.backward, jsonNumber(relativeChange(p._data, before)));
      }
    }
    this.before = null;
  }

  /** The module whose call is running now, if any. */
  get currentModule(): ModuleState | null {
    return this.stack.length ? this.stack[this.stack.length - 1] : null;
  }

  enterModule(module: object, inputs: readonly Tensor[], line: number, isLayer: boolean): ModuleState {
    let state = this.modules.get(module);
    if (!state) {
      const className = (module as { constructor: { name: string } }).constructor.name;
      const parent = this.currentModule;
      const name = this.names.get(module) ?? (parent ? `${parent.name}.${className}` : className);
      state = { id: this.nextModuleId++, module, name, className, parent, at: line ? { line, column: 1 } : null, calls: 0, isLayer, stride: 1, recording: false, input: [], output: [], grad: [], layer: null, gradNorm: NaN };
      this.modules.set(module, state);
    }
    state.calls++;
    state.recording = (state.calls - 1) % state.stride === 0;
    if (state.recording && inputs[0]) this.push(state, state.input, distribution(inputs[0]._data, state.calls));
    this.stack.push(state);
    return state;
  }

  exitModule(state: ModuleState, output: Tensor | null, activation: Activation): void {
    const at = this.stack.lastIndexOf(state);
    if (at >= 0) this.stack.length = at;
    if (!output) return;
    const values = output._data;
    if (state.recording) {
      this.push(state, state.output, distribution(values, state.calls));
      this.outputs.set(output, { state, call: state.calls });
    }
    if (!state.isLayer || state.calls > MAX_POINTS) return;
    const layer = (state.layer ??= { module: state.id, name: state.name, className: state.className, mean: [], std: [], zeroFraction: [], saturatedFraction: [] });
    const m = moments(values);
    const n = Math.max(values.length, 1);
    layer.mean.push(jsonNumber(m.mean));
    layer.std.push(jsonNumber(m.std));
    layer.zeroFraction.push(activation === "relu" ? m.zeros / n : null);
    layer.saturatedFraction.push(activation === "tanh" ? m.nearOne / n : activation === "sigmoid" ? m.nearZeroOrOne / n : null);
  }

  /** The gradient that reached a tensor in a backward: if a module call made it, it joins that call's distribution. */
  outputGradient(output: Tensor, g: Tensor): void {
    const made = this.outputs.get(output);
    if (!made) return;
    made.state.gradNorm = l2(g._data);
    const list = made.state.grad;
    const last = list[list.length - 1];
    const d = distribution(g._data, made.call);
    if (last && last.call === made.call) list[list.length - 1] = d;
    else list.push(d);
    while (list.length > MAX_DISTRIBUTIONS) thin(list);
  }

  /** The module that made the output of a node (for findings that name a layer). */
  moduleOfOutput(output: Tensor): ModuleState | null {
    return this.outputs.get(output)?.state ?? null;
  }

  moduleStates(): ModuleState[] {
    return [...this.modules.values()];
  }

  private push(state: ModuleState, list: Distribution[], d: Distribution): void {
    list.push(d);
    if (list === state.output && list.length > MAX_DISTRIBUTIONS) {
      thin(state.input);
      thin(state.output);
      thin(state.grad);
      state.stride *= 2;
    }
  }

  finish(nameOf: (t: Tensor) => { id: number | null; name: string }): { flow: GradientFlow; modules: ModuleRecord[] } {
    const parameters: ParameterFlow[] = [];
    for (const p of this.parameters.values()) {
      const { id, name } = nameOf(p.tensor);
      parameters.push({ tensor: id, name, shape: p.tensor.shape.slice(), gradNorm: p.gradNorm, weightNorm: p.weightNorm, updateRatio: p.updateRatio });
    }
    const states = this.moduleStates();
    const modules: ModuleRecord[] = states.map((s) => ({
      id: s.id,
      name: s.name,
      className: s.className,
      parent: s.parent?.id ?? null,
      at: s.at,
      calls: s.calls,
      input: s.input,
      output: s.output,
      grad: s.grad,
    }));
    const layers = states.filter((s) => s.layer).map((s) => s.layer!);
    return { flow: { parameters, layers, loss: this.loss }, modules };
  }
}

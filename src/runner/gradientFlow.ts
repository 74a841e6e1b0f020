/**
 * Gradient flow over a run: per parameter and backward, the gradient's norm, the weight's norm and the size of the
 * optimizer's update relative to the weight; per module call, its input, output and output gradient as distributions,
 * and for leaf modules (a layer) the output's mean, std and fraction of zeros or saturated values.
 *
 * While the snippet runs, a module call only copies an evenly strided sample of its values (at most SAMPLE): sorting
 * them into quantiles and histograms, and the layer statistics, wait for the end of the run.
 */
import type { Tensor } from "../engine/tensor";
import { jsonNumber } from "./summary";
import { change, distribution, l2, moments, strided } from "./stats";
import type { Distribution, GradientFlow, JsonNumber, LayerFlow, ModuleRecord, ParameterFlow, SourceLocation } from "./trace";

/** Backwards (and calls) past this many are not charted. The Trace carries the series downsampled to FLOW_POINTS
 * (downsample.ts), so this bounds only the recorder's memory (a few numbers per backward and parameter). */
const MAX_POINTS = 200_000;
/** Distributions kept per module and kind; past it every other one goes and the stride doubles. */
const MAX_DISTRIBUTIONS = 24;

interface ParameterState {
  tensor: Tensor;
  gradNorm: Array<JsonNumber | null>;
  weightNorm: Array<JsonNumber | null>;
  updateRatio: Array<JsonNumber | null>;
}

/** A sample of one call's values, summarised at the end of the run. */
interface Sampled {
  call: number;
  values: Float64Array;
}

/** The activation a layer's output came from, for the zero and saturation fractions. */
export type Activation = "relu" | "tanh" | "sigmoid" | null;

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
  input: Sampled[];
  output: Sampled[];
  grad: Sampled[];
  /** Per call of a layer: the statistics of (a sample of) its output. */
  layer: LayerFlow | null;
  /** Its latest output, and the gradient that reached it (the layer's gradient, for the findings). */
  lastOutput: Tensor | null;
  lastGrad: Tensor | null;
  /** Ends a call (what Module.call gets back from the recorder). */
  exit: ((output: Tensor | null) => void) | null;
}

function setAt<T>(list: Array<T | null>, index: number, value: T): void {
  if (index < 0 || index >= MAX_POINTS) return;
  while (list.length < index) list.push(null);
  list[index] = value;
}

/** Keeps every other entry, the first included (the calls 1, 3, 5, … of a list of calls 1, 2, 3, …). */
function thin<T>(list: T[]): void {
  const kept = list.filter((_, i) => i % 2 === 0);
  list.splice(0, list.length, ...kept);
}

export class FlowRecorder {
  private readonly parameters = new Map<Tensor, ParameterState>();
  /** Index of the backward running now or last (-1 before the first). */
  backward = -1;
  readonly loss: Array<JsonNumber | null> = [];
  private before: Map<Tensor, ArrayLike<number>> | null = null;
  /** Once an optimizer steps, weights are measured at the step (before it), not again at each backward. */
  private stepping = false;

  private readonly modules = new Map<object, ModuleState>();
  private readonly stack: ModuleState[] = [];
  /** Module names given by the snippet's variables (`model`, then `model.0`, ...). */
  private readonly names = new WeakMap<object, string>();
  /** Outputs of recorded module calls: their gradient joins the call's grad distribution. */
  private readonly outputs = new WeakMap<Tensor, { state: ModuleState; call: number; sample: Float64Array; recorded: boolean }>();
  private nextModuleId = 1;

  /** A module's parameters and submodules, named under the variable it was assigned to. */
  nameModule(module: object, name: string, children: (m: object) => Array<[string, object]>): void {
    if (!this.names.has(module)) this.names.set(module, name);
    for (const [key, child] of children(module)) this.nameModule(child, `${name}.${key}`, children);
  }

  addParameter(t: Tensor): void {
    if (!this.parameters.has(t)) this.parameters.set(t, { tensor: t, gradNorm: [], weightNorm: [], updateRatio: [] });
  }

  startBackward(root: Tensor): void {
    this.backward++;
    setAt(this.loss, this.backward, root.numel() === 1 ? jsonNumber(root._data[0]) : null);
  }

  /** A leaf's share of this backward's gradient, and its norm. */
  leafGradient(leaf: Tensor, norm: number): void {
    const p = this.parameters.get(leaf);
    if (!p) return;
    setAt(p.gradNorm, this.backward, jsonNumber(norm));
    if (!this.stepping) setAt(p.weightNorm, this.backward, jsonNumber(l2(leaf._data)));
  }

  stepStarted(params: readonly Tensor[]): void {
    this.before = new Map();
    this.stepping = true;
    for (const p of params) {
      this.addParameter(p);
      // A copy in the parameter's own type is a memcpy; its norm (taken with the update's) is the weight's norm at
      // this backward.
      if (p._grad) this.before.set(p, p._data.slice());
    }
  }

  stepEnded(): void {
    if (!this.before) return;
    for (const [p, before] of this.before) {
      const state = this.parameters.get(p)!;
      // The first step after a backward speaks for it (gradient accumulation steps once per several backwards).
      if (state.updateRatio[this.backward] === undefined || state.updateRatio[this.backward] === null) {
        const { norm, relative } = change(p._data, before);
        setAt(state.updateRatio, this.backward, jsonNumber(relative));
        if (state.weightNorm[this.backward] === undefined || state.weightNorm[this.backward] === null) setAt(state.weightNorm, this.backward, jsonNumber(norm));
      }
    }
    this.before = null;
  }

  /** The module whose call is running now, if any. */
  get currentModule(): ModuleState | null {
    return this.stack.length ? this.stack[this.stack.length - 1] : null;
  }

  /** A module's call starts; `isLayer` is asked once per module. */
  enterModule(module: object, inputs: readonly Tensor[], line: number, isLayer: () => boolean, activation: (output: Tensor) => Activation): ModuleState {
    let state = this.modules.get(module);
    if (!state) {
      const className = (module as { constructor: { name: string } }).constructor.name;
      const parent = this.currentModule;
      const name = this.names.get(module) ?? (parent ? `${parent.name}.${className}` : className);
      const made: ModuleState = { id: this.nextModuleId++, module, name, className, parent, at: line ? { line, column: 1 } : null, calls: 0, isLayer: isLayer(), stride: 1, recording: false, input: [], output: [], grad: [], layer: null, lastOutput: null, lastGrad: null, exit: null };
      made.exit = (output) => this.exitModule(made, output, output ? activation(output) : null);
      this.modules.set(module, (state = made));
    }
    state.calls++;
    state.recording = (state.calls - 1) % state.stride === 0;
    if (state.recording && inputs[0]) {
      // The previous layer's output, already sampled, is often this one's input.
      const known = this.outputs.get(inputs[0]);
      this.push(state, state.input, { call: state.calls, values: known ? known.sample : strided(inputs[0]._data) });
    }
    this.stack.push(state);
    return state;
  }

  private exitModule(state: ModuleState, output: Tensor | null, activation: Activation): void {
    const at = this.stack.lastIndexOf(state);
    if (at >= 0) this.stack.length = at;
    if (!output) return;
    // Moments before the sample is sorted into a distribution (their order does not matter; a sample's sort does not
    // change them).
    const sample = strided(output._data);
    state.lastOutput = output;
    this.outputs.set(output, { state, call: state.calls, sample, recorded: state.recording });
    if (state.recording) this.push(state, state.output, { call: state.calls, values: sample });
    if (state.isLayer && state.calls <= MAX_POINTS) {
      const layer = (state.layer ??= { module: state.id, name: state.name, className: state.className, mean: [], std: [], zeroFraction: [], saturatedFraction: [] });
      const m = moments(sample);
      const n = Math.max(sample.length, 1);
      layer.mean.push(jsonNumber(m.mean));
      layer.std.push(jsonNumber(m.std));
      layer.zeroFraction.push(activation === "relu" ? m.zeros / n : null);
      layer.saturatedFraction.push(activation === "tanh" ? m.nearOne / n : activation === "sigmoid" ? m.nearZeroOrOne / n : null);
    }
  }

  /** The gradient that reached a tensor in a backward: if a module call made it, it joins that call's distribution. */
  outputGradient(output: Tensor, g: Tensor): void {
    const made = this.outputs.get(output);
    if (!made) return;
    if (made.state.lastOutput === output) made.state.lastGrad = g;
    if (!made.recorded) return;
    const list = made.state.grad;
    const last = list[list.length - 1];
    const sampled = { call: made.call, values: strided(g._data) };
    if (last && last.call === made.call) list[list.length - 1] = sampled;
    else list.push(sampled);
    while (list.length > MAX_DISTRIBUTIONS) thin(list);
  }

  moduleStates(): ModuleState[] {
    return [...this.modules.values()];
  }

  private push(state: ModuleState, list: Sampled[], d: Sampled): void {
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
    const summarise = (list: Sampled[]): Distribution[] => list.map((s) => distribution(s.values, s.call));
    const modules: ModuleRecord[] = states.map((s) => ({
      id: s.id,
      name: s.name,
      className: s.className,
      parent: s.parent?.id ?? null,
      at: s.at,
      calls: s.calls,
      input: summarise(s.input),
      output: summarise(s.output),
      grad: summarise(s.grad),
    }));
    const layers = states.flatMap((s) => (s.layer ? [s.layer] : []));
    return { flow: { parameters, layers, loss: this.loss }, modules };
  }
}

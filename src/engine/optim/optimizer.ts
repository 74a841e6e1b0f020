/**
 * torch.optim.Optimizer (PyTorch 1.13): parameter groups with their own options, per-parameter state, zeroGrad,
 * stateDict/loadStateDict and the printed form. Subclasses update one group at a time in `updateGroup`, writing
 * the parameters' values in place as PyTorch's single-tensor (foreach=False) implementations compute them.
 */
import { enableGrad, noGrad } from "../autograd/grad_mode";
import { torchTypeName } from "../dtype";
import { KeyError, ValueError } from "../errors";
import { zeroGradOf } from "../nn/module";
import { empty } from "../ops/operands";
import { pythonFloatRepr } from "../print/number_format";
import { recorder, warn } from "../recorder";
import { Tensor } from "../tensor";

/** One parameter group: its parameters and the options they are updated with. Schedulers add their own keys
 * (`initialLr`, `maxLr`, ...), as PyTorch's add 'initial_lr' to the group's dict. */
export interface ParamGroup {
  params: Tensor[];
  lr: number;
  initialLr?: number;
  [option: string]: unknown;
}

/** What `new SGD([...])` accepts for one group: its parameters and any options that differ from the defaults. */
export type ParamGroupSpec<G extends ParamGroup = ParamGroup> = { params: Iterable<Tensor> | Tensor } & Partial<Omit<G, "params">>;

/** The parameters to optimize: tensors, or groups of them with their own options. */
export type Params<G extends ParamGroup = ParamGroup> = Iterable<Tensor> | Iterable<ParamGroupSpec<G>>;

/** What a closure returns: the loss, as a tensor or a number. */
export type Closure = () => Tensor | number;

/** One parameter's state: tensors (moments, buffers, the step count) and plain values. */
export type ParamState = Record<string, unknown>;

/** `optimizer.stateDict()`: state by parameter index, and the groups with their parameters as indices. */
export interface OptimizerStateDict {
  state: Record<number, ParamState>;
  paramGroups: Array<Record<string, unknown> & { params: number[] }>;
}

export interface ZeroGradOptions {
  /** Set each `.grad` to null instead of zeroing it (PyTorch 1.13's default is false). */
  setToNone?: boolean;
}

/** How the printed form shows an option: Python's `bool`, `None`, `int`, `float` or a tuple of floats. */
type PythonKind = "float" | "int" | "auto";

export abstract class Optimizer<G extends ParamGroup = ParamGroup> {
  readonly defaults: Readonly<Omit<G, "params">>;
  readonly paramGroups: G[] = [];
  /** Per-parameter state, created on the first step that updates the parameter (PyTorch's `optimizer.state`). */
  state = new Map<Tensor, ParamState>();
  /** @internal How many times step() ran: schedulers warn when they step before the optimizer has. */
  _stepCount = 0;

  /** Options every group must be given when the defaults have none (SGD's lr). */
  protected static readonly requiredOptions: readonly string[] = [];
  /** Options PyTorch 1.13 keeps in each group that have no effect here (foreach, capturable...): shown in the
   * printed form only, with PyTorch's values. */
  protected readonly pythonOnlyOptions: Readonly<Record<string, boolean | null>> = {};
  /** Options whose PyTorch default is an int (printed `0`, not `0.0`). */
  protected readonly intOptions: ReadonlySet<string> = new Set();

  protected constructor(params: Params<G>, defaults: Omit<G, "params">) {
    this.defaults = defaults;
    if (params instanceof Tensor) {
      throw new TypeError(`params argument given to the optimizer should be an iterable of Tensors or dicts, but got ${torchTypeName(params.dtype)}`);
    }
    if (params === null || params === undefined || typeof (params as Iterable<unknown>)[Symbol.iterator] !== "function") {
      throw new TypeError(`params argument given to the optimizer should be an iterable of Tensors or dicts, but got ${describe(params)}`);
    }
    let groups = [...(params as Iterable<Tensor | ParamGroupSpec<G>>)];
    if (groups.length === 0) throw new ValueError("optimizer got an empty parameter list");
    if (!isGroupSpec(groups[0])) groups = [{ params: groups as Tensor[] } as unknown as ParamGroupSpec<G>];
    for (const g of groups) this.addParamGroup(g as ParamGroupSpec<G>);
  }

  /** Adds a group of parameters, with options that override the defaults (e.g. a new layer with its own lr). */
  addParamGroup(spec: ParamGroupSpec<G>): void {
    if (!isGroupSpec(spec)) throw new TypeError("param group must be a dict");
    const raw = spec.params;
    if (raw instanceof Set) {
      throw new TypeError("optimizer parameters need to be organized in ordered collections, but the ordering of tensors in sets will change between runs. Please use a list instead.");
    }
    const params = raw instanceof Tensor ? [raw] : [...(raw as Iterable<Tensor>)];
    for (const p of params) {
      if (!(p instanceof Tensor)) throw new TypeError(`optimizer can only optimize Tensors, but one of the params is ${describe(p)}`);
      if (!(p.isLeaf || p._retainsGrad)) throw new ValueError("can't optimize a non-leaf Tensor");
    }
    const group: Record<string, unknown> = { ...spec, params };
    const required = (this.constructor as typeof Optimizer).requiredOptions;
    for (const [name, value] of Object.entries(this.defaults)) {
      if (group[name] !== undefined) continue;
      if (value === undefined && required.includes(name)) {
        throw new ValueError(`parameter group didn't specify a value of required optimization parameter ${snakeCase(name)}`);
      }
      group[name] = value;
    }
    if (new Set(params).size !== params.length) {
      warn("optimizer contains a parameter group with duplicate parameters; in future, this will cause an error; see github.com/pytorch/pytorch/issues/40967 for more information");
    }
    const taken = new Set(this.paramGroups.flatMap((g) => g.params));
    if (params.some((p) => taken.has(p))) throw new ValueError("some parameters appear in more than one parameter group");
    this.paramGroups.push(group as G);
  }

  /** Zeroes every parameter's `.grad` in place, or sets it to null with `{setToNone: true}`. */
  zeroGrad(options: ZeroGradOptions | boolean = {}): void {
    const setToNone = typeof options === "boolean" ? options : options.setToNone ?? false;
    for (const group of this.paramGroups) for (const p of group.params) zeroGradOf(p, setToNone);
  }

  /** One optimization step. A closure, when given, re-evaluates the model (with grad enabled) and returns the
   * loss, which step() returns. */
  step(closure?: Closure): Tensor | number | undefined {
    this._stepCount++;
    return this.performStep(closure);
  }

  protected performStep(closure?: Closure): Tensor | number | undefined {
    const loss = closure ? enableGrad(closure) : undefined;
    const params = recorder.current?.onOptimizerStep ? this.paramGroups.flatMap((g) => g.params) : [];
    recorder.current?.onOptimizerStep?.(this, params, false);
    noGrad(() => {
      for (const group of this.paramGroups) this.updateGroup(group);
    });
    recorder.current?.onOptimizerStep?.(this, params, true);
    return loss;
  }

  /** Updates the parameters of one group that have a gradient. */
  protected abstract updateGroup(group: G): void;

  /** The state of `p`, created empty on first use (PyTorch's `defaultdict(dict)`). */
  protected stateOf(p: Tensor): ParamState {
    let s = this.state.get(p);
    if (!s) {
      s = {};
      this.state.set(p, s);
    }
    return s;
  }

  /** After writing a parameter's values (through `writable` / `writeBack`): bump its version (saved tensors notice)
   * and tell the recorder. */
  protected modified(p: Tensor): void {
    p._bumpVersion();
    if (recorder.current) recorder.current.onModified(p);
  }

  /** The state by parameter index (in group order) and the groups with their parameters as those indices. State
   * tensors are the optimizer's own, as in PyTorch: clone them to keep a snapshot. */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    let next = 0;
    const paramGroups = this.paramGroups.map((g) => {
      const packed: Record<string, unknown> = { ...g };
      const ids = g.params.map((p) => {
        if (!index.has(p)) index.set(p, next++);
        return index.get(p)!;
      });
      return { ...packed, params: ids };
    });
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i !== undefined) state[i] = s;
    }
    return { state, paramGroups };
  }

  /** Loads what stateDict() returned (deep-copied; floating state tensors cast to their parameter's dtype, except
   * the step count). */
  loadStateDict(stateDict: OptimizerStateDict): void {
    if (!stateDict || typeof stateDict !== "object" || !Array.isArray(stateDict.paramGroups)) {
      throw new KeyError("'param_groups'");
    }
    const saved = stateDict.paramGroups;
    if (saved.length !== this.paramGroups.length) throw new ValueError("loaded state dict has a different number of parameter groups");
    if (saved.some((g, i) => g.params.length !== this.paramGroups[i].params.length)) {
      throw new ValueError("loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
    }
    const byId = new Map<number, Tensor>();
    saved.forEach((g, i) => g.params.forEach((id, j) => byId.set(id, this.paramGroups[i].params[j])));
    const state = new Map<Tensor, ParamState>();
    for (const [key, value] of Object.entries(stateDict.state ?? {})) {
      const p = byId.get(Number(key));
      if (!p) continue;
      const copy: ParamState = {};
      for (const [name, v] of Object.entries(value)) copy[name] = deepCopy(v, name === "step" ? null : p.dtype);
      state.set(p, copy);
    }
    this.state = state;
    saved.forEach((g, i) => {
      const group = deepCopy({ ...g, params: [] }, null) as Record<string, unknown>;
      group.params = this.paramGroups[i].params;
      this.paramGroups[i] = group as G;
    });
  }

  /** As PyTorch prints an optimizer: each group's options, sorted by their Python names. */
  toString(): string {
    let out = `${this.constructor.name} (`;
    this.paramGroups.forEach((g, i) => {
      out += `\nParameter Group ${i}\n`;
      const entries: Array<[string, string]> = [];
      for (const [key, value] of Object.entries(g)) {
        if (key === "params" || value === undefined) continue;
        entries.push([snakeCase(key), pythonRepr(value, this.intOptions.has(key) ? "int" : "auto")]);
      }
      for (const [key, value] of Object.entries(this.pythonOnlyOptions)) entries.push([key, pythonRepr(value, "auto")]);
      entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      for (const [key, value] of entries) out += `    ${key}: ${value}\n`;
    });
    return `${out})`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

function isGroupSpec(v: unknown): v is ParamGroupSpec {
  return typeof v === "object" && v !== null && !(v instanceof Tensor) && !Array.isArray(v) && "params" in v;
}

function describe(v: unknown): string {
  if (v instanceof Tensor) return torchTypeName(v.dtype);
  if (v === null || v === undefined) return "NoneType";
  if (Array.isArray(v)) return "list";
  return typeof v === "object" ? (v as object).constructor?.name ?? "object" : typeof v;
}

/** weightDecay -> weight_decay: the names PyTorch prints. */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** A value as Python's str() shows it inside PyTorch's optimizer repr. */
export function pythonRepr(value: unknown, kind: PythonKind): string {
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") {
    if (kind === "int" && Number.isInteger(value)) return String(value);
    return pythonFloatRepr(value);
  }
  if (Array.isArray(value)) return `(${value.map((v) => pythonRepr(v, kind)).join(", ")}${value.length === 1 ? "," : ""})`;
  if (value instanceof Tensor) return value.toString();
  return String(value);
}

/** A deep copy of a state value; floating tensors are cast to `dtype` when one is given. */
function deepCopy(v: unknown, dtype: string | null): unknown {
  if (v instanceof Tensor) {
    const target = dtype && (v.dtype === "float32" || v.dtype === "float64") ? (dtype as "float32" | "float64") : v.dtype;
    const out = empty(v.shape.slice(), target);
    const src = v._data;
    for (let i = 0; i < src.length; i++) out._data[i] = target === "float32" ? Math.fround(src[i]) : src[i];
    return out;
  }
  if (Array.isArray(v)) return v.map((x) => deepCopy(x, dtype));
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = deepCopy(x, dtype);
    return out;
  }
  return v;
}

/**
 * nn.Module, as PyTorch's: parameters, buffers and submodules found by name; train/eval; hooks; state dicts; the
 * printed tree. A module is callable (`model(x)` runs the forward pre-hooks, forward, the forward hooks, as PyTorch's
 * `__call__`), and its type says what its call takes and returns: the types of its own `forward`.
 *
 * Members are found two ways. A user's module assigns them (`this.fc1 = new Linear(...)`), and they are found among
 * its own properties in the order they were assigned, as PyTorch's `__setattr__` registers them. Built-in modules and
 * containers register them (`registerParameter`, `registerBuffer`, `addModule`) under PyTorch's names, which may differ
 * from the TypeScript property (`running_mean` read as `bn.runningMean`).
 */
import { noGrad } from "../autograd/grad_mode";
import { Device, type DeviceLike, isDeviceString, requireCpu } from "../device";
import type { DType } from "../dtype";
import { fillValues } from "../ops/write";
import { recorder } from "../recorder";
import { Tensor } from "../tensor";
import { type Hooks, type RemovableHandle, addHook, callWithHooks } from "./module_hooks";
import { Parameter } from "./parameter";
import { type IncompatibleKeys, type StateDict, loadStateDictInto, stateDictOf } from "./state_dict";

type Member = { kind: "parameter"; value: Parameter | null } | { kind: "buffer"; value: Tensor | null; persistent: boolean } | { kind: "module"; value: Module | null };

/** What a module keeps besides its user-visible properties; one non-enumerable property, so it never shows. */
interface Registry {
  /** Registered members by PyTorch name, in registration order. */
  members: Map<string, Member>;
  hooks: Hooks;
}

// The interface gives instances the call signature that the constructor's returned function really has.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface Module {
  /** `model(x)`: PyTorch's `__call__` (hooks, then forward). */
  (...inputs: Parameters<this["forward"]>): ReturnType<this["forward"]>;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export abstract class Module {
  /** Set in the constructor, on the callable it returns (a field initialiser here would land on the discarded
   * `this`). */
  declare training: boolean;

  abstract forward(...inputs: never[]): unknown;

  constructor() {
    // A function object whose prototype chain is the module's class: callable, yet an instance like any other.
    const callable = ((...inputs: unknown[]) => (callable as Module).call(...(inputs as never[]))) as unknown as Module;
    // The function's own `name` and `length` are read-only: a module field of either name must be assignable.
    delete (callable as { name?: string }).name;
    delete (callable as { length?: number }).length;
    Object.setPrototypeOf(callable, new.target.prototype);
    const registry: Registry = { members: new Map(), hooks: { forwardPre: new Map(), forward: new Map(), backward: new Map() } };
    Object.defineProperty(callable, "_registry", { value: registry, enumerable: false });
    callable.training = true;
    return callable;
  }

  /** @internal */
  declare readonly _registry: Registry;

  /** PyTorch's `module(x)` spelled as a method; the same as calling the module. */
  call(...inputs: Parameters<this["forward"]>): ReturnType<this["forward"]> {
    const forward = (...args: unknown[]) => (this.forward as (...a: unknown[]) => unknown)(...args);
    const args = inputs as unknown[];
    const ended = recorder.current?.onModuleCall?.(this, args.filter((i): i is Tensor => i instanceof Tensor));
    if (!ended) return callWithHooks(this, this._registry.hooks, args, forward) as ReturnType<this["forward"]>;
    let out: unknown = null;
    try {
      return (out = callWithHooks(this, this._registry.hooks, args, forward)) as ReturnType<this["forward"]>;
    } finally {
      ended(out instanceof Tensor ? out : null);
    }
  }

  // ---- registering ----

  /** Adds a parameter under PyTorch's `name` (null for an absent one, as `bias=False` registers). `property` is the
   * TypeScript property that reads it, when it is spelled otherwise. */
  registerParameter<P extends Parameter | null>(name: string, parameter: P, property: string | null = name): P {
    if (parameter !== null && !(parameter instanceof Parameter)) {
      throw new TypeError(`cannot assign '${describe(parameter)}' object to parameter '${name}' (torch.nn.Parameter or None required)`);
    }
    this.register(name, { kind: "parameter", value: parameter }, property);
    return parameter;
  }

  /** Adds a buffer: state that is not a parameter (BatchNorm's running statistics), in the state dict unless not
   * `persistent`, converted with the module by `to(dtype)`. */
  registerBuffer<T extends Tensor | null>(name: string, tensor: T, options: { persistent?: boolean; property?: string | null } = {}): T {
    if (tensor !== null && !(tensor instanceof Tensor)) throw new TypeError(`cannot assign '${describe(tensor)}' object to buffer '${name}' (torch Tensor or None required)`);
    this.register(name, { kind: "buffer", value: tensor, persistent: options.persistent ?? true }, options.property === undefined ? name : options.property);
    return tensor;
  }

  /** Adds a submodule under `name` (PyTorch's add_module / register_module). */
  addModule<M extends Module | null>(name: string, module: M, property: string | null = null): M {
    if (module !== null && !(module instanceof Module)) throw new TypeError(`${describe(module)} is not a Module subclass`);
    if (name.includes(".")) throw new KeyError(`module name can't contain ".", got: ${name}`);
    if (name === "") throw new KeyError('module name can\'t be empty string ""');
    this.register(name, { kind: "module", value: module }, property);
    return module;
  }

  registerModule<M extends Module | null>(name: string, module: M): M {
    return this.addModule(name, module);
  }

  private register(name: string, member: Member, property: string | null): void {
    this._registry.members.set(name, member);
    if (property === null || property === "") return;
    const members = this._registry.members;
    Object.defineProperty(this, property, {
      get: () => members.get(name)?.value ?? null,
      set: (v: unknown) => {
        const m = members.get(name)!;
        (m as { value: unknown }).value = v;
      },
      enumerable: true,
      configurable: true,
    });
  }

  /** Every member, registered ones first, then those assigned as plain properties (arrays of modules as "key.i"). */
  private *ownMembers(): Generator<[string, Member]> {
    yield* this._registry.members;
    for (const key of Object.keys(this)) {
      const descriptor = Object.getOwnPropertyDescriptor(this, key)!;
      if (descriptor.get) continue;
      const value = descriptor.value as unknown;
      if (value instanceof Parameter) yield [key, { kind: "parameter", value }];
      else if (value instanceof Module) yield [key, { kind: "module", value }];
      else if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (value[i] instanceof Module) yield [`${key}.${i}`, { kind: "module", value: value[i] as Module }];
      }
    }
  }

  // ---- traversal ----

  namedChildren(): Array<[string, Module]> {
    const out: Array<[string, Module]> = [];
    const seen = new Set<Module>();
    for (const [name, m] of this.ownMembers()) {
      if (m.kind === "module" && m.value && !seen.has(m.value)) {
        seen.add(m.value);
        out.push([name, m.value]);
      }
    }
    return out;
  }

  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and every module below it, each once, with its dotted path ("" for this one). */
  namedModules(prefix = ""): Array<[string, Module]> {
    const out: Array<[string, Module]> = [];
    const seen = new Set<Module>();
    const visit = (m: Module, path: string) => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([path, m]);
      for (const [name, child] of m.namedChildren()) visit(child, path ? `${path}.${name}` : name);
    };
    visit(this, prefix);
    return out;
  }

  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  private namedOwn<K extends "parameter" | "buffer">(kind: K, prefix: string, recurse: boolean): Array<[string, K extends "parameter" ? Parameter : Tensor]> {
    const out: Array<[string, K extends "parameter" ? Parameter : Tensor]> = [];
    const seen = new Set<Tensor>();
    const modules = recurse ? this.namedModules(prefix) : [[prefix, this] as [string, Module]];
    for (const [path, m] of modules) {
      for (const [name, member] of m.ownMembers()) {
        if (member.kind !== kind || member.value === null || seen.has(member.value)) continue;
        seen.add(member.value);
        out.push([path ? `${path}.${name}` : name, member.value as K extends "parameter" ? Parameter : Tensor]);
      }
    }
    return out;
  }

  namedParameters(prefix = "", recurse = true): Array<[string, Parameter]> {
    return this.namedOwn("parameter", prefix, recurse);
  }

  parameters(recurse = true): Parameter[] {
    return this.namedParameters("", recurse).map(([, p]) => p);
  }

  namedBuffers(prefix = "", recurse = true): Array<[string, Tensor]> {
    return this.namedOwn("buffer", prefix, recurse);
  }

  buffers(recurse = true): Tensor[] {
    return this.namedBuffers("", recurse).map(([, b]) => b);
  }

  /** @internal Own buffers with their persistence (the state dict leaves out the others). */
  _ownBuffers(): Array<[string, Tensor, boolean]> {
    const out: Array<[string, Tensor, boolean]> = [];
    for (const [name, m] of this.ownMembers()) if (m.kind === "buffer" && m.value) out.push([name, m.value, m.persistent]);
    return out;
  }

  /** @internal Own parameters, including absent (null) ones by name. */
  _ownParameters(): Array<[string, Parameter | null]> {
    const out: Array<[string, Parameter | null]> = [];
    for (const [name, m] of this.ownMembers()) if (m.kind === "parameter") out.push([name, m.value]);
    return out;
  }

  // ---- modes and bulk changes ----

  train(mode = true): this {
    if (typeof mode !== "boolean") throw new TypeError("training mode is expected to be boolean");
    this.training = mode;
    for (const child of this.children()) child.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** PyTorch 1.13's default `zero_grad(set_to_none=False)`: each grad is zeroed in place. */
  zeroGrad(setToNone: boolean | { setToNone?: boolean } = false): void {
    const toNone = typeof setToNone === "boolean" ? setToNone : (setToNone.setToNone ?? false);
    for (const p of this.parameters()) zeroGradOf(p, toNone);
  }

  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }

  /** Calls `fn` on every submodule (children first) and then on this module, as PyTorch's `apply`. */
  apply(fn: (module: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  /** Converts every parameter and buffer of floating dtype in place (the same Parameter objects, as PyTorch's);
   * `model.to("cpu")` / `model.to(device)` is the module itself (Gradlens computes on the CPU), with PyTorch's error
   * for a device this machine does not have. */
  to(target: DType | DeviceLike, dtype?: DType): this {
    if (target instanceof Device || isDeviceString(target)) {
      requireCpu(target, "Module.to()");
      return dtype === undefined ? this : this.to(dtype);
    }
    const wanted = target as DType;
    noGrad(() => {
      for (const t of [...this.parameters(), ...this.buffers()]) {
        if (t.dtype === wanted || !(t.dtype === "float32" || t.dtype === "float64")) continue;
        t._setData(t.to(wanted));
        if (t._grad) t._grad = t._grad.to(wanted);
      }
    });
    return this;
  }

  double(): this {
    return this.to("float64");
  }

  /** The module itself: Gradlens computes on the CPU. */
  cpu(): this {
    return this;
  }

  /** PyTorch's error on a machine without CUDA. */
  cuda(): never {
    requireCpu("cuda", "Module.cuda()");
    throw new Error("unreachable");
  }

  float(): this {
    return this.to("float32");
  }

  // ---- state ----

  /** Every parameter and persistent buffer by its dotted name, sharing values with the module (PyTorch's state_dict;
   * `keepVars` keeps them attached to the graph). */
  stateDict(options: { prefix?: string; keepVars?: boolean } = {}): StateDict {
    return stateDictOf(this, options.prefix ?? "", options.keepVars ?? false);
  }

  /** Copies a state dict's values into this module's parameters and buffers; with `strict` (the default) missing and
   * unexpected keys are an error, as in PyTorch. */
  loadStateDict(state: StateDict | Map<string, Tensor>, strict = true): IncompatibleKeys {
    return loadStateDictInto(this, state instanceof Map ? Object.fromEntries(state) : state, strict);
  }

  // ---- hooks ----

  /** `hook(module, inputs)` before each forward; a returned value replaces the inputs. */
  registerForwardPreHook(hook: (module: this, inputs: unknown[]) => unknown): RemovableHandle {
    return addHook(this._registry.hooks.forwardPre, hook as never);
  }

  /** `hook(module, inputs, output)` after each forward; a returned value replaces the output. */
  registerForwardHook(hook: (module: this, inputs: unknown[], output: unknown) => unknown): RemovableHandle {
    return addHook(this._registry.hooks.forward, hook as never);
  }

  /** `hook(module, gradInput, gradOutput)` once the gradients with respect to the module's inputs are computed; a
   * returned array replaces gradInput. */
  registerFullBackwardHook(hook: (module: this, gradInput: Array<Tensor | null>, gradOutput: Array<Tensor | null>) => Array<Tensor | null> | void): RemovableHandle {
    return addHook(this._registry.hooks.backward, hook as never);
  }

  // ---- printing ----

  /** The line inside the parentheses of the repr, e.g. "in_features=5, out_features=3, bias=True". */
  extraRepr(): string {
    return "";
  }

  /** The class name the repr shows. */
  protected _getName(): string {
    return this.constructor.name;
  }

  /** PyTorch's `repr(module)`: the name, the extra line, then each child indented by two. */
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra ? extra.split("\n") : [];
    const childLines = this.namedChildren().map(([key, child]) => `(${key}): ${String(child).replace(/\n/g, "\n  ")}`);
    const lines = [...extraLines, ...childLines];
    let out = `${this._getName()}(`;
    if (lines.length) out += extraLines.length === 1 && childLines.length === 0 ? extraLines[0] : `\n  ${lines.join("\n  ")}\n`;
    return `${out})`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** Python's KeyError, as PyTorch raises it for bad module names. */
export class KeyError extends Error {
  override name = "KeyError";
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  return typeof v === "object" ? ((v as object).constructor?.name ?? "object") : typeof v;
}

export function zeroGradOf(p: Tensor, setToNone: boolean): void {
  const g = p.grad;
  if (!g) return;
  if (setToNone) {
    p.grad = null;
    return;
  }
  if (g.gradFn) p.grad = g.detach();
  else if (g.requiresGrad) g.requiresGrad_(false);
  fillValues(p.grad!, 0);
  p.grad!._bumpVersion();
}


/** The container modules: Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict, as PyTorch has them. */
import { IndexError, NotImplementedError } from "../errors";
import type { Tensor } from "../tensor";
import { Module } from "./module";
import { Parameter } from "./parameter";

/** Python's index rules for a container of `length` items (negative from the end), with PyTorch's message. */
function position(index: number, length: number): number {
  if (!Number.isInteger(index) || index < -length || index >= length) throw new IndexError(`index ${index} is out of range`);
  return index < 0 ? index + length : index;
}

/** Modules run one after the other, each called (hooks included) on the previous one's output. */
export class Sequential extends Module {
  constructor(...modules: Module[] | [Map<string, Module>] | [Record<string, Module>]) {
    super();
    const [first] = modules;
    if (modules.length === 1 && !(first instanceof Module)) {
      const entries = first instanceof Map ? [...first] : Object.entries(first as Record<string, Module>);
      for (const [name, m] of entries) this.addModule(name, m);
    } else (modules as Module[]).forEach((m, i) => this.addModule(String(i), m));
  }

  /** The submodules in order (PyTorch's `model[0]` is `model.layers[0]`, or `model.get(0)`). */
  get layers(): Module[] {
    return this.children();
  }

  override get length(): number {
    return this.children().length;
  }

  /** `model[i]` (negative counts from the end). */
  get(index: number): Module {
    const layers = this.layers;
    return layers[position(index, layers.length)];
  }

  /** `model[start:end]`: a Sequential of those submodules, keeping their names. */
  slice(start?: number, end?: number): Sequential {
    const named = this.namedChildren().slice(start, end);
    return new Sequential(new Map(named));
  }

  append(module: Module): this {
    this.addModule(String(this.length), module);
    return this;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.layers[Symbol.iterator]();
  }

  forward(input: Tensor): Tensor {
    return this.layers.reduce((h, layer) => (layer as unknown as (x: Tensor) => Tensor)(h), input);
  }
}

/** A list of modules, registered so their parameters are the owner's; it has no forward of its own. */
export class ModuleList extends Module {
  constructor(modules: Iterable<Module> = []) {
    super();
    for (const m of modules) this.append(m);
  }

  override get length(): number {
    return this.children().length;
  }

  get(index: number): Module {
    const all = this.children();
    return all[position(index, all.length)];
  }

  set(index: number, module: Module): void {
    this.addModule(String(position(index, this.length)), module);
  }

  append(module: Module): this {
    this.addModule(String(this.length), module);
    return this;
  }

  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  insert(index: number, module: Module): void {
    const all = this.children();
    all.splice(index < 0 ? Math.max(all.length + index, 0) : Math.min(index, all.length), 0, module);
    this._registry.members.clear();
    all.forEach((m, i) => this.addModule(String(i), m));
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.children()[Symbol.iterator]();
  }

  forward(): never {
    throw new NotImplementedError(`Module [${this.constructor.name}] is missing the required "forward" function`);
  }
}

/** Modules by name, in insertion order. */
export class ModuleDict extends Module {
  constructor(modules: Map<string, Module> | Record<string, Module> = {}) {
    super();
    this.update(modules);
  }

  override get length(): number {
    return this._registry.members.size;
  }

  get(key: string): Module | undefined {
    return this.namedChildren().find(([k]) => k === key)?.[1];
  }

  set(key: string, module: Module): void {
    this.addModule(key, module);
  }

  has(key: string): boolean {
    return this._registry.members.has(key);
  }

  delete(key: string): boolean {
    return this._registry.members.delete(key);
  }

  keys(): string[] {
    return this.namedChildren().map(([k]) => k);
  }

  values(): Module[] {
    return this.children();
  }

  items(): Array<[string, Module]> {
    return this.namedChildren();
  }

  update(modules: Map<string, Module> | Record<string, Module>): void {
    for (const [k, m] of modules instanceof Map ? modules : Object.entries(modules)) this.addModule(k, m);
  }

  [Symbol.iterator](): Iterator<string> {
    return this.keys()[Symbol.iterator]();
  }

  forward(): never {
    throw new NotImplementedError(`Module [${this.constructor.name}] is missing the required "forward" function`);
  }
}

function parameterLine(p: Parameter, typeName: string): string {
  return `Parameter containing: [${typeName} of size ${p.shape.join("x")}]`;
}

/** A list of parameters, registered as "0", "1", ... */
export class ParameterList extends Module {
  constructor(parameters: Iterable<Parameter | Tensor> = []) {
    super();
    for (const p of parameters) this.append(p);
  }

  override get length(): number {
    return this._registry.members.size;
  }

  get(index: number): Parameter {
    const all = this._ownParameters();
    return all[position(index, all.length)][1]!;
  }

  append(p: Parameter | Tensor): this {
    this.registerParameter(String(this.length), p instanceof Parameter ? p : new Parameter(p), null);
    return this;
  }

  [Symbol.iterator](): Iterator<Parameter> {
    return this.parameters(false)[Symbol.iterator]();
  }

  forward(): never {
    throw new NotImplementedError(`Module [${this.constructor.name}] is missing the required "forward" function`);
  }

  override toString(): string {
    const lines = this._ownParameters().map(([k, p]) => `    (${k}): ${parameterLine(p!, `torch.${p!.dtype}`)}`);
    return `ParameterList(\n${lines.join("\n")}\n)`;
  }
}

/** Parameters by name, in insertion order. */
export class ParameterDict extends Module {
  constructor(parameters: Map<string, Parameter | Tensor> | Record<string, Parameter | Tensor> = {}) {
    super();
    for (const [k, p] of parameters instanceof Map ? parameters : Object.entries(parameters)) this.set(k, p);
  }

  get(key: string): Parameter | undefined {
    return this._ownParameters().find(([k]) => k === key)?.[1] ?? undefined;
  }

  set(key: string, p: Parameter | Tensor): void {
    this.registerParameter(key, p instanceof Parameter ? p : new Parameter(p), null);
  }

  keys(): string[] {
    return this._ownParameters().map(([k]) => k);
  }

  override get length(): number {
    return this._registry.members.size;
  }

  forward(): never {
    throw new NotImplementedError(`Module [${this.constructor.name}] is missing the required "forward" function`);
  }

  override toString(): string {
    // PyTorch 1.13 prints it on one line, with the old type names.
    const torchName: Record<string, string> = { float32: "torch.FloatTensor", float64: "torch.DoubleTensor" };
    const lines = this._ownParameters().map(([k, p]) => `  (${k}): ${parameterLine(p!, torchName[p!.dtype] ?? p!.dtype)}`);
    return `ParameterDict(${lines.join("\n")})`;
  }
}

/** Python's NotImplementedError (one class for the whole engine: F.pad raises it too). */
export { NotImplementedError };

/**
 * nn.Module. Parameters and submodules are found among a module's own properties in the order they were defined,
 * as PyTorch registers them on assignment: `this.fc1 = new Linear(...)` names "fc1.weight", "fc1.bias".
 */
import { KeyError } from "../errors";
import type { Tensor } from "../tensor";
import { Parameter } from "./parameter";
import { fillValues } from "../ops/write";

/** `In` and `Out` type what forward takes and gives; most modules map tensors to one tensor (the defaults), a few
 * give more (MaxPool2d with returnIndices gives [values, indices]). */
export abstract class Module<In extends unknown[] = Tensor[], Out = Tensor> {
  training = true;

  abstract forward(...inputs: In): Out;

  /** PyTorch's `module(x)`: JavaScript objects are not callable, so this is the spelling. */
  call(...inputs: In): Out {
    return this.forward(...inputs);
  }

  /** [name, child] for each submodule, in definition order (arrays of modules count, named "name.0", ...). */
  namedChildren(): Array<[string, Module<never[], unknown>]> {
    const out: Array<[string, Module<never[], unknown>]> = [];
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Module) out.push([key, value]);
      else if (Array.isArray(value)) value.forEach((v, i) => v instanceof Module && out.push([`${key}.${i}`, v]));
    }
    return out;
  }

  namedParameters(prefix = ""): Array<[string, Parameter]> {
    const out: Array<[string, Parameter]> = [];
    const seen = new Set<Parameter>();
    const visit = (m: Module<never[], unknown>, p: string) => {
      for (const [key, value] of Object.entries(m)) {
        if (value instanceof Parameter && !seen.has(value)) {
          seen.add(value);
          out.push([p + key, value]);
        }
      }
      for (const [name, child] of m.namedChildren()) visit(child, `${p}${name}.`);
    };
    visit(this as unknown as Module<never[], unknown>, prefix);
    return out;
  }

  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** @internal Buffers by PyTorch's name (`running_mean`), in registration order; null entries are registered but
   * unset, as PyTorch allows. */
  private _bufferMap?: Map<string, Tensor | null>;

  /** PyTorch's register_buffer: state that is not a parameter (running statistics), saved with the module and listed
   * by buffers(). */
  registerBuffer(name: string, tensor: Tensor | null): void {
    if (name.includes(".")) throw new KeyError(`buffer name can't contain "."`);
    if (name === "") throw new KeyError(`buffer name can't be empty string ""`);
    (this._bufferMap ??= new Map()).set(name, tensor);
  }

  /** @internal A registered buffer by name (null when unset or absent). */
  protected getBuffer(name: string): Tensor | null {
    return this._bufferMap?.get(name) ?? null;
  }

  /** [path, buffer] for this module's buffers and its children's (`bn1.running_mean`), unset ones left out. */
  namedBuffers(prefix = ""): Array<[string, Tensor]> {
    const out: Array<[string, Tensor]> = [];
    const visit = (m: Module<never[], unknown>, p: string) => {
      for (const [name, t] of m._bufferMap ?? []) if (t) out.push([p + name, t]);
      for (const [name, child] of m.namedChildren()) visit(child, `${p}${name}.`);
    };
    visit(this as unknown as Module<never[], unknown>, prefix);
    return out;
  }

  buffers(): Tensor[] {
    return this.namedBuffers().map(([, t]) => t);
  }

  /** PyTorch 1.13's default `zero_grad(set_to_none=False)`: each grad is zeroed in place. */
  zeroGrad(setToNone = false): void {
    for (const p of this.parameters()) zeroGradOf(p, setToNone);
  }

  train(mode = true): this {
    this.training = mode;
    for (const [, child] of this.namedChildren()) child.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** The line inside the parentheses of the repr, e.g. "in_features=5, out_features=3, bias=True". */
  protected extraRepr(): string {
    return "";
  }

  toString(): string {
    const children = this.namedChildren();
    const name = this.constructor.name;
    if (!children.length) return `${name}(${this.extraRepr()})`;
    const lines = children.map(([key, child]) => `  (${key}): ${String(child).replace(/\n/g, "\n  ")}`);
    const extra = this.extraRepr();
    return `${name}(\n${extra ? `  ${extra}\n` : ""}${lines.join("\n")}\n)`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

export function zeroGradOf(p: Tensor, setToNone: boolean): void {
  const g = p.grad;
  if (!g) return;
  if (setToNone) {
    p.grad = null;
    return;
  }
  if (g.gradFn) p.grad = g.detach();
  fillValues(p.grad!, 0);
  p.grad!._bumpVersion();
}

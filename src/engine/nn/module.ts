/**
 * nn.Module. Parameters and submodules are found among a module's own properties in the order they were defined,
 * as PyTorch registers them on assignment: `this.fc1 = new Linear(...)` names "fc1.weight", "fc1.bias".
 */
import { recorder } from "../recorder";
import type { Tensor } from "../tensor";
import { Parameter } from "./parameter";
import { fillValues } from "../ops/write";

export abstract class Module {
  training = true;

  abstract forward(...inputs: Tensor[]): Tensor;

  /** PyTorch's `module(x)`: JavaScript objects are not callable, so this is the spelling. */
  call(...inputs: Tensor[]): Tensor {
    const ended = recorder.current?.onModuleCall?.(this, inputs);
    if (!ended) return this.forward(...inputs);
    let out: Tensor | null = null;
    try {
      return (out = this.forward(...inputs));
    } finally {
      ended(out);
    }
  }

  /** [name, child] for each submodule, in definition order (arrays of modules count, named "name.0", ...). */
  namedChildren(): Array<[string, Module]> {
    const out: Array<[string, Module]> = [];
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Module) out.push([key, value]);
      else if (Array.isArray(value)) value.forEach((v, i) => v instanceof Module && out.push([`${key}.${i}`, v]));
    }
    return out;
  }

  namedParameters(prefix = ""): Array<[string, Parameter]> {
    const out: Array<[string, Parameter]> = [];
    const seen = new Set<Parameter>();
    const visit = (m: Module, p: string) => {
      for (const [key, value] of Object.entries(m)) {
        if (value instanceof Parameter && !seen.has(value)) {
          seen.add(value);
          out.push([p + key, value]);
        }
      }
      for (const [name, child] of m.namedChildren()) visit(child, `${p}${name}.`);
    };
    visit(this, prefix);
    return out;
  }

  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
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

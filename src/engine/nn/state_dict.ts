/** state_dict and load_state_dict, as PyTorch 1.13 orders, names and checks them. */
import { noGrad } from "../autograd/grad_mode";
import { RuntimeError } from "../errors";
import { formatShape, sameShape } from "../shape";
import type { Tensor } from "../tensor";
import type { Module } from "./module";

/** Dotted names to tensors, in PyTorch's order (a module's own parameters, its own buffers, then each child's). */
export type StateDict = Record<string, Tensor>;

/** What a non-strict load could not match (PyTorch's `_IncompatibleKeys`). */
export class IncompatibleKeys {
  constructor(
    readonly missingKeys: string[],
    readonly unexpectedKeys: string[],
  ) {}

  toString(): string {
    if (!this.missingKeys.length && !this.unexpectedKeys.length) return "<All keys matched successfully>";
    const list = (keys: string[]) => `[${keys.map((k) => `'${k}'`).join(", ")}]`;
    return `_IncompatibleKeys(missing_keys=${list(this.missingKeys)}, unexpected_keys=${list(this.unexpectedKeys)})`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** Each module's own entries with their dotted prefix, depth first as PyTorch's state_dict walks. */
function* entries(module: Module, prefix: string): Generator<[string, Tensor]> {
  for (const [name, p] of module._ownParameters()) if (p) yield [prefix + name, p];
  for (const [name, b, persistent] of module._ownBuffers()) if (persistent) yield [prefix + name, b];
  for (const [name, child] of module.namedChildren()) yield* entries(child, `${prefix}${name}.`);
}

export function stateDictOf(module: Module, prefix: string, keepVars: boolean): StateDict {
  const out: StateDict = {};
  for (const [key, t] of entries(module, prefix)) out[key] = keepVars ? t : t.detach();
  return out;
}

export function loadStateDictInto(module: Module, state: StateDict, strict: boolean): IncompatibleKeys {
  const own = new Map(entries(module, ""));
  const missing: string[] = [];
  const errors: string[] = [];
  noGrad(() => {
    for (const [key, target] of own) {
      const source = state[key];
      if (source === undefined) {
        missing.push(key);
        continue;
      }
      if (!sameShape(source.shape, target.shape)) {
        errors.push(`size mismatch for ${key}: copying a param with shape torch.Size(${formatShape(source.shape)}) from checkpoint, the shape in current model is torch.Size(${formatShape(target.shape)}).`);
        continue;
      }
      target.copy_(source);
    }
  });
  const unexpected = Object.keys(state).filter((k) => !own.has(k));
  if (strict) {
    if (unexpected.length) errors.unshift(`Unexpected key(s) in state_dict: ${unexpected.map((k) => `"${k}"`).join(", ")}. `);
    if (missing.length) errors.unshift(`Missing key(s) in state_dict: ${missing.map((k) => `"${k}"`).join(", ")}. `);
  }
  if (errors.length) throw new RuntimeError(`Error(s) in loading state_dict for ${module.constructor.name}:\n\t${errors.join("\n\t")}`);
  return new IncompatibleKeys(missing, unexpected);
}

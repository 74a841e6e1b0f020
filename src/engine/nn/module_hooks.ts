/**
 * Module hooks as PyTorch runs them around `forward`: pre-hooks may replace the inputs, forward hooks the output, and
 * full backward hooks see (and may replace) the gradient with respect to the module's inputs given the gradient with
 * respect to its outputs. The backward hooks work as PyTorch's BackwardHook does: the module's tensor inputs and its
 * outputs pass through an identity node (BackwardHookFunctionBackward) whose backward sees those gradients.
 */
import { isGradEnabled } from "../autograd/grad_mode";
import { applyMulti, defineMultiOp } from "../ops/op";
import { alias } from "../ops/views";
import { Tensor } from "../tensor";

type Hook = (...args: never[]) => unknown;

export interface Hooks {
  forwardPre: Map<number, Hook>;
  forward: Map<number, Hook>;
  backward: Map<number, Hook>;
}

export interface RemovableHandle {
  readonly id: number;
  remove(): void;
}

let nextHookId = 0;

export function addHook(table: Map<number, Hook>, hook: Hook): RemovableHandle {
  const id = nextHookId++;
  table.set(id, hook);
  return { id, remove: () => void table.delete(id) };
}

type BackwardHook = (module: object, gradInput: Array<Tensor | null>, gradOutput: Array<Tensor | null>) => Array<Tensor | null> | void;

/** What the two identity nodes of one call share: the gradient with respect to the outputs, once it is known. */
interface HookState {
  module: object;
  hooks: Map<number, Hook>;
  gradOutputs: Array<Tensor | null> | null;
  inputCount: number;
  /** No input requires grad: the hooks run when the outputs' gradients arrive, with gradInput all null. */
  fromOutputs: boolean;
}

function runBackwardHooks(state: HookState, gradInput: Array<Tensor | null>): Array<Tensor | null> {
  let grads = gradInput;
  for (const hook of [...state.hooks.values()]) {
    const replaced = (hook as BackwardHook)(state.module, grads, state.gradOutputs ?? []);
    if (replaced !== undefined && replaced !== null) {
      if (!Array.isArray(replaced) || replaced.length !== grads.length) {
        throw new RangeError(`Backward hook returned an invalid number of grad_input, got ${Array.isArray(replaced) ? replaced.length : 1}, but expected ${grads.length}`);
      }
      grads = replaced;
    }
  }
  return grads;
}

interface IdentityAttrs {
  state: HookState;
  side: "inputs" | "outputs";
}

const backwardHookOp = defineMultiOp<IdentityAttrs>({
  name: "backwardHook",
  gradFnName: "BackwardHookFunctionBackward",
  forward: (inputs) => inputs.map((t) => alias(t, t.shape.slice(), t._strides.slice(), t._offset)),
  backward: ({ attrs: { state, side } }, grads) => {
    const list = [...grads];
    if (side === "outputs") {
      state.gradOutputs = list;
      if (state.fromOutputs) runBackwardHooks(state, new Array<Tensor | null>(state.inputCount).fill(null));
      return list;
    }
    return runBackwardHooks(state, list);
  },
});

function throughIdentity(values: unknown[], state: HookState, side: "inputs" | "outputs"): unknown[] {
  const positions = values.flatMap((v, i) => (v instanceof Tensor && v.requiresGrad ? [i] : []));
  if (!positions.length) return values;
  const passed = applyMulti(backwardHookOp, positions.map((i) => values[i] as Tensor), { state, side });
  const out = values.slice();
  positions.forEach((i, k) => (out[i] = passed[k]));
  return out;
}

/** PyTorch's Module.__call__: pre-hooks, forward, forward hooks, with backward hooks wired around. */
export function callWithHooks(module: object, hooks: Hooks, inputs: unknown[], forward: (...args: unknown[]) => unknown): unknown {
  let args = inputs;
  for (const hook of [...hooks.forwardPre.values()]) {
    const replaced = (hook as (m: object, a: unknown[]) => unknown)(module, args);
    if (replaced !== undefined && replaced !== null) args = Array.isArray(replaced) ? replaced : [replaced];
  }
  const withBackward = hooks.backward.size > 0 && isGradEnabled();
  let state: HookState | null = null;
  if (withBackward) {
    const tensorInputs = args.filter((a): a is Tensor => a instanceof Tensor);
    state = { module, hooks: hooks.backward, gradOutputs: null, inputCount: tensorInputs.length, fromOutputs: !tensorInputs.some((t) => t.requiresGrad) };
    args = throughIdentity(args, state, "inputs");
  }
  let output = forward(...args);
  for (const hook of [...hooks.forward.values()]) {
    const replaced = (hook as (m: object, a: unknown[], o: unknown) => unknown)(module, args, output);
    if (replaced !== undefined && replaced !== null) output = replaced;
  }
  if (state) {
    if (output instanceof Tensor) output = throughIdentity([output], state, "outputs")[0];
    else if (Array.isArray(output)) output = throughIdentity(output, state, "outputs");
  }
  return output;
}

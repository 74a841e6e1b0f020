/**
 * User-defined ops, as torch.autograd.Function: a class with static forward(ctx, ...args) and backward(ctx, grad).
 * `MyOp.apply(x)` runs forward without recording, then records one node named "MyOpBackward" — built on the same
 * OpDef as the built-in ops, so the node is in the graph, replays, and is checked numerically like any other.
 */
import { RuntimeError } from "../errors";
import { type AnyOpDef, apply, composite, type OpDef } from "../ops/op";
import { Tensor } from "../tensor";
import { formatShape } from "../shape";
import { FREED_GRAPH, GradFn } from "./node";

/** What forward and backward share: saved tensors and anything else the user puts on it. */
export class FunctionCtx {
  [key: string]: unknown;
  /** @internal */ _saved: Tensor[] = [];
  /** @internal */ _savedVersions: number[] = [];
  /** @internal The node recorded for this call: once a backward without retainGraph has run through it, what was
   * saved is gone, as in PyTorch. */
  _node: GradFn | null = null;
  /** Per forward argument: whether its gradient is wanted. */
  needsInputGrad: boolean[] = [];

  saveForBackward(...tensors: Tensor[]): void {
    this._saved = tensors;
    this._savedVersions = tensors.map((t) => t._storage.version);
  }

  get savedTensors(): Tensor[] {
    if (this._node?.released && this._saved.length > 0) throw new RuntimeError(FREED_GRAPH);
    this._saved.forEach((t, i) => {
      if (t._storage.version !== this._savedVersions[i]) {
        throw new RuntimeError(
          `one of the variables needed for gradient computation has been modified by an inplace operation: ${t._describe()} ` +
            `is at version ${t._storage.version}; expected version ${this._savedVersions[i]} instead.`,
        );
      }
    });
    return this._saved;
  }

  markDirty(): void {}
  markNonDifferentiable(): void {}
}

type GradResult = Tensor | null | undefined | Array<Tensor | null | undefined>;

interface FunctionAttrs {
  /** The forward's arguments, with null where a tensor input goes (tensors are the node's inputs). */
  args: unknown[];
  ctx: FunctionCtx;
  /** The result `apply` already computed, used once so that forward does not run twice; replays compute anew. */
  computed: Tensor | null;
  /** Set by `freshAttrs`: forward saves into this ctx, so that the following backward reads what it saved. */
  freshCtx?: FunctionCtx;
}

/** Method syntax on purpose: a user's forward(ctx, x: Tensor) must fit, as TypeScript checks methods bivariantly. */
interface FunctionClass {
  name: string;
  forward(ctx: FunctionCtx, ...args: unknown[]): Tensor;
  backward(ctx: FunctionCtx, grad: Tensor): GradResult;
}

const opsByClass = new WeakMap<FunctionClass, OpDef<FunctionAttrs>>();
const classesByOp = new WeakMap<OpDef<FunctionAttrs>, FunctionClass>();

/** A user Function's forward, to run afresh on other tensors in the current grad mode (function_check.ts differentiates
 * it with the engine's autograd); null for a node that is not a user's Function. */
export function userForward(op: AnyOpDef, attrs: unknown): ((inputs: readonly Tensor[]) => unknown) | null {
  const cls = classesByOp.get(op as unknown as OpDef<FunctionAttrs>);
  if (!cls) return null;
  const { args } = attrs as FunctionAttrs;
  return (inputs) => cls.forward(new FunctionCtx(), ...withTensors(args, inputs));
}

function withTensors(args: unknown[], tensors: readonly Tensor[]): unknown[] {
  let k = 0;
  return args.map((a) => (a === null || a instanceof Tensor ? tensors[k++] : a));
}

function opFor(cls: FunctionClass): OpDef<FunctionAttrs> {
  let op = opsByClass.get(cls);
  if (op) return op;
  const name = `${cls.name}Backward`;
  op = {
    name: cls.name,
    gradFnName: name,
    forward: (inputs, attrs) => {
      if (attrs.computed) {
        const done = attrs.computed;
        attrs.computed = null;
        return done;
      }
      // Replay (numerical checks) runs forward again on other values, with a fresh ctx.
      const out = composite(() => cls.forward(attrs.freshCtx ?? new FunctionCtx(), ...withTensors(attrs.args, inputs)));
      if (!(out instanceof Tensor)) throw new RuntimeError(`${cls.name}.forward must return a Tensor`);
      return out;
    },
    freshAttrs: (attrs) => {
      const ctx = new FunctionCtx();
      return { args: attrs.args, ctx, computed: null, freshCtx: ctx };
    },
    backward: ({ inputs, attrs: { ctx, args }, needsInputGrad }, g) => {
      let k = 0;
      ctx.needsInputGrad = args.map((a) => (a === null ? needsInputGrad[k++] : false));
      const result = cls.backward(ctx, g);
      const grads = Array.isArray(result) ? result : [result];
      if (grads.length !== args.length) {
        throw new RuntimeError(`function ${name} returned an incorrect number of gradients (expected ${args.length}, got ${grads.length})`);
      }
      const tensorGrads = args.flatMap((a, i) => (a === null ? [grads[i] ?? null] : []));
      tensorGrads.forEach((tg, i) => {
        if (tg && tg.numel() !== inputs[i].numel() && !broadcastable(tg.shape, inputs[i].shape)) {
          throw new RuntimeError(`Function ${name} returned an invalid gradient at index ${i} - got ${formatShape(tg.shape)} but expected shape compatible with ${formatShape(inputs[i].shape)}`);
        }
      });
      return tensorGrads;
    },
  };
  opsByClass.set(cls, op);
  classesByOp.set(op, cls);
  return op;
}

function broadcastable(from: readonly number[], to: readonly number[]): boolean {
  if (from.length < to.length) return false;
  const lead = from.length - to.length;
  return to.every((d, i) => d === from[lead + i] || d === 1);
}

/** Extend this class with static `forward` and `backward`, then call `YourClass.apply(...)`. */
export class Function {
  static forward(_ctx: FunctionCtx, ..._args: unknown[]): Tensor {
    throw new RuntimeError("You must implement the forward function for custom autograd.Function.");
  }

  static backward(_ctx: FunctionCtx, _grad: Tensor): Tensor | null | Array<Tensor | null> {
    throw new RuntimeError("You must implement either the backward or vjp method for your custom autograd.Function to use it with backward mode AD.");
  }

  /** `MyOp.apply(x)`; bound to its class, so `const op = MyOp.apply; op(x)` works as PyTorch's tutorials write it. */
  static get apply(): (...args: unknown[]) => Tensor {
    const cls = this as unknown as FunctionClass;
    let bound = boundApply.get(cls);
    if (!bound) boundApply.set(cls, (bound = (...args: unknown[]) => applyFunction(cls, args)));
    return bound;
  }
}

const boundApply = new WeakMap<FunctionClass, (...args: unknown[]) => Tensor>();

function applyFunction(cls: FunctionClass, args: unknown[]): Tensor {
  const tensors = args.filter((a): a is Tensor => a instanceof Tensor);
  const ctx = new FunctionCtx();
  const shape = args.map((a) => (a instanceof Tensor ? null : a));
  let out = composite(() => cls.forward(ctx, ...args));
  if (!(out instanceof Tensor)) throw new RuntimeError(`${cls.name}.forward must return a Tensor`);
  // Returning an input unchanged must not make the input itself the node's output.
  if (tensors.includes(out)) out = new Tensor(out._storage, out.shape.slice(), out.dtype, out._strides.slice(), out._offset);
  const result = apply(opFor(cls), tensors, { args: shape, ctx, computed: out });
  if (result.gradFn instanceof GradFn) ctx._node = result.gradFn;
  return result;
}

/**
 * User-defined ops, as torch.autograd.Function: a class with static forward(ctx, ...args) and backward(ctx, grad).
 * `MyOp.apply(x)` runs forward without recording, then records one node named "MyOpBackward" — built on the same
 * OpDef as the built-in ops, so the node is in the graph, replays, and is checked numerically like any other. A forward
 * that returns an array of tensors (PyTorch's tuple) makes one node with several outputs (a MultiOpDef), and backward
 * gets one gradient per output.
 */
import { RuntimeError } from "../errors";
import { type AnyOpDef, apply, applyMulti, composite, defineMultiOp, type MultiOpDef, type OpDef } from "../ops/op";
import { zeros } from "../create";
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

  /** @internal Whether backward gets zeros for an output no gradient reached (PyTorch's default) rather than null. */
  _materializeGrads = true;
  /** @internal The outputs forward marked as not differentiable... */
  _nonDifferentiable: Tensor[] = [];
  /** @internal ...and their places among forward's outputs, once forward has returned. */
  _nonDifferentiableOutputs: number[] = [];

  /** Accepted and does nothing: an in-place change made by forward is not tracked as PyTorch's markDirty tracks it. */
  markDirty(..._inputs: Tensor[]): void {}

  /** These outputs (of those forward returns) do not require grad, and backward gets zeros as their gradient. */
  markNonDifferentiable(...outputs: Tensor[]): void {
    this._nonDifferentiable.push(...outputs);
  }

  /** With false, backward gets null (not zeros) as the gradient of an output no gradient reached. */
  setMaterializeGrads(value: boolean): void {
    this._materializeGrads = value;
  }
}

type GradResult = Tensor | null | undefined | Array<Tensor | null | undefined>;
/** What forward returns: one tensor, or several (PyTorch's tuple), each one output of the same node. */
type ForwardResult = Tensor | readonly Tensor[];

interface FunctionAttrs {
  /** The forward's arguments, with null where a tensor input goes (tensors are the node's inputs). */
  args: unknown[];
  ctx: FunctionCtx;
  /** The result `apply` already computed, used once so that forward does not run twice; replays compute anew. */
  computed: Tensor | Tensor[] | null;
  /** Set by `freshAttrs`: forward saves into this ctx, so that the following backward reads what it saved. */
  freshCtx?: FunctionCtx;
}

/** Method syntax on purpose: a user's forward(ctx, x: Tensor) must fit, as TypeScript checks methods bivariantly. */
interface FunctionClass {
  name: string;
  forward(ctx: FunctionCtx, ...args: unknown[]): ForwardResult;
  backward(ctx: FunctionCtx, ...grads: Array<Tensor | null>): GradResult;
}

/** Any class with a static forward, as `apply` infers its result from. */
export interface FunctionLike {
  forward(ctx: FunctionCtx, ...args: never[]): ForwardResult;
}

/** What `apply` is typed as when it is called unbound (`const P3 = MyOp.apply; P3(x)`): one tensor out. */
export interface SingleOutputFunctionLike {
  forward(ctx: FunctionCtx, ...args: never[]): Tensor;
}

/** `MyOp.apply(...)`: typed by MyOp's forward (a Tensor, or a tuple of them); a Tensor when called unbound. */
export type ApplyFunction = <C extends FunctionLike = SingleOutputFunctionLike>(this: C | void, ...args: unknown[]) => ReturnType<C["forward"]>;

const singleOps = new WeakMap<FunctionClass, OpDef<FunctionAttrs>>();
const multiOps = new WeakMap<FunctionClass, MultiOpDef<FunctionAttrs>>();
const classesByOp = new WeakMap<object, FunctionClass>();

/** A user Function's forward, to run afresh on other tensors in the current grad mode (function_check.ts differentiates
 * it with the engine's autograd); null for a node that is not a user's Function. */
export function userForward(op: AnyOpDef, attrs: unknown): ((inputs: readonly Tensor[]) => unknown) | null {
  const cls = classesByOp.get(op);
  if (!cls) return null;
  const { args } = attrs as FunctionAttrs;
  return (inputs) => cls.forward(new FunctionCtx(), ...withTensors(args, inputs));
}

function withTensors(args: unknown[], tensors: readonly Tensor[]): unknown[] {
  let k = 0;
  return args.map((a) => (a === null || a instanceof Tensor ? tensors[k++] : a));
}

/** Forward run again on other values (replays, numerical checks), with a fresh ctx. */
function runForward(cls: FunctionClass, inputs: readonly Tensor[], attrs: FunctionAttrs): ForwardResult {
  const ctx = attrs.freshCtx ?? new FunctionCtx();
  const out = composite(() => cls.forward(ctx, ...withTensors(attrs.args, inputs)));
  if (Array.isArray(out)) noteNonDifferentiable(ctx, out as readonly Tensor[]);
  return out;
}

/** The gradient of each tensor input from what the user's backward returned, checked as PyTorch checks it. */
function inputGradients(name: string, args: unknown[], inputs: readonly Tensor[], result: GradResult): Array<Tensor | null> {
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
}

function setNeedsInputGrad(ctx: FunctionCtx, args: unknown[], needsInputGrad: readonly boolean[]): void {
  let k = 0;
  ctx.needsInputGrad = args.map((a) => (a === null ? needsInputGrad[k++] : false));
}

function opFor(cls: FunctionClass): OpDef<FunctionAttrs> {
  let op = singleOps.get(cls);
  if (op) return op;
  const name = `${cls.name}Backward`;
  op = {
    name: cls.name,
    gradFnName: name,
    forward: (inputs, attrs) => {
      if (attrs.computed) {
        const done = attrs.computed;
        attrs.computed = null;
        return done as Tensor;
      }
      const out = runForward(cls, inputs, attrs);
      if (!(out instanceof Tensor)) throw new RuntimeError(`${cls.name}.forward must return a Tensor`);
      return out;
    },
    freshAttrs,
    backward: ({ inputs, attrs: { ctx, args }, needsInputGrad }, g) => {
      setNeedsInputGrad(ctx, args, needsInputGrad);
      return inputGradients(name, args, inputs, cls.backward(ctx, g));
    },
  };
  singleOps.set(cls, op);
  classesByOp.set(op, cls);
  return op;
}

/** The op of a Function whose forward returns several tensors: one node, each tensor one output of it. */
function multiOpFor(cls: FunctionClass): MultiOpDef<FunctionAttrs> {
  let op = multiOps.get(cls);
  if (op) return op;
  const name = `${cls.name}Backward`;
  op = defineMultiOp<FunctionAttrs>({
    name: cls.name,
    gradFnName: name,
    forward: (inputs, attrs) => {
      if (attrs.computed) {
        const done = attrs.computed;
        attrs.computed = null;
        return done as Tensor[];
      }
      const out = runForward(cls, inputs, attrs);
      if (!Array.isArray(out)) throw new RuntimeError(`${cls.name}.forward returned one Tensor where it returned several before`);
      return (out as readonly Tensor[]).slice();
    },
    freshAttrs,
    nonDifferentiableOutputs: (attrs) => (attrs.freshCtx ?? attrs.ctx)._nonDifferentiableOutputs,
    backward: ({ inputs, outputs, attrs: { ctx, args }, needsInputGrad }, grads) => {
      setNeedsInputGrad(ctx, args, needsInputGrad);
      // PyTorch's materialize_grads: an output no gradient reached (or one marked not differentiable) gets zeros.
      const given = grads.map((g, i) => g ?? (ctx._materializeGrads ? zeros(outputs[i].shape.slice(), { dtype: outputs[i].dtype }) : null));
      return inputGradients(name, args, inputs, cls.backward(ctx, ...given));
    },
  });
  multiOps.set(cls, op);
  classesByOp.set(op, cls);
  return op;
}

function freshAttrs(attrs: FunctionAttrs): FunctionAttrs {
  const ctx = new FunctionCtx();
  return { args: attrs.args, ctx, computed: null, freshCtx: ctx };
}

/** Where the outputs ctx.markNonDifferentiable named are among those forward returned. */
function noteNonDifferentiable(ctx: FunctionCtx, outs: readonly Tensor[]): void {
  ctx._nonDifferentiableOutputs = [];
  for (const t of ctx._nonDifferentiable) {
    const i = outs.indexOf(t);
    if (i < 0) throw new RuntimeError("markNonDifferentiable only accepts output tensors");
    ctx._nonDifferentiableOutputs.push(i);
  }
}

function broadcastable(from: readonly number[], to: readonly number[]): boolean {
  if (from.length < to.length) return false;
  const lead = from.length - to.length;
  return to.every((d, i) => d === from[lead + i] || d === 1);
}

/** Extend this class with static `forward` and `backward`, then call `YourClass.apply(...)`. forward may return
 * several tensors (`return [values, indices]`); backward then gets one gradient per output. */
export class Function {
  static forward(_ctx: FunctionCtx, ..._args: unknown[]): ForwardResult {
    throw new RuntimeError("You must implement the forward function for custom autograd.Function.");
  }

  static backward(_ctx: FunctionCtx, ..._grads: Tensor[]): Tensor | null | Array<Tensor | null> {
    throw new RuntimeError("You must implement either the backward or vjp method for your custom autograd.Function to use it with backward mode AD.");
  }

  /** `MyOp.apply(x)`; bound to its class, so `const op = MyOp.apply; op(x)` works as PyTorch's tutorials write it. */
  static get apply(): ApplyFunction {
    const cls = this as unknown as FunctionClass;
    let bound = boundApply.get(cls);
    if (!bound) boundApply.set(cls, (bound = ((...args: unknown[]) => applyFunction(cls, args)) as ApplyFunction));
    return bound;
  }
}

const boundApply = new WeakMap<FunctionClass, ApplyFunction>();

function applyFunction(cls: FunctionClass, args: unknown[]): Tensor | Tensor[] {
  const tensors = args.filter((a): a is Tensor => a instanceof Tensor);
  const ctx = new FunctionCtx();
  const shape = args.map((a) => (a instanceof Tensor ? null : a));
  const out = composite(() => cls.forward(ctx, ...args));
  // Returning an input unchanged must not make the input itself the node's output.
  const own = (t: Tensor) => (tensors.includes(t) ? new Tensor(t._storage, t.shape.slice(), t.dtype, t._strides.slice(), t._offset) : t);
  if (Array.isArray(out)) {
    const outs = out as unknown[];
    outs.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new RuntimeError(`${cls.name}.forward must return Tensors, but output ${i} is ${t === null ? "null" : typeof t}`);
    });
    noteNonDifferentiable(ctx, outs as Tensor[]);
    const results = applyMulti(multiOpFor(cls), tensors, { args: shape, ctx, computed: (outs as Tensor[]).map(own) });
    const node = results.find((r) => r.gradFn instanceof GradFn)?.gradFn;
    if (node instanceof GradFn) ctx._node = node;
    return results;
  }
  if (!(out instanceof Tensor)) throw new RuntimeError(`${cls.name}.forward must return a Tensor or an array of Tensors`);
  const result = apply(opFor(cls), tensors, { args: shape, ctx, computed: own(out) });
  if (result.gradFn instanceof GradFn) ctx._node = result.gradFn;
  return result;
}

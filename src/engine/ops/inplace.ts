/**
 * In-place ops. The new values are computed out of place by the ordinary op (on a snapshot of the tensor, when
 * autograd needs the old values), then written into the tensor's own storage through its strides, which bumps the
 * version counter it shares with its views (so a backward that saved the old values refuses to run, as in PyTorch).
 * The op's node then becomes the tensor's history, or its base's through CopySlices when the tensor is a view.
 */
import { isGradEnabled } from "../autograd/grad_mode";
import type { GradFn } from "../autograd/node";
import { rebaseHistory, snapshot } from "../autograd/view_history";
import { castScalar, isFloating } from "../dtype";
import { RuntimeError } from "../errors";
import { broadcastCopy } from "../kernels/elementwise";
import { hasInternalOverlap } from "../kernels/strided";
import { recorder } from "../recorder";
import { formatShape, sameShape } from "../shape";
import { Tensor, addMethods, type TensorOrScalar } from "../tensor";
import { add, div, floorDivide, mul, pow, sub, type DivOptions } from "./arith";
import { apply, defineOp } from "./op";
import { empty, operand } from "./operands";
import * as unary from "./unary";
import { writeValues } from "./write";

const MULTI_OUTPUT_VIEW = (fn: string, nr: number) =>
  `Output ${nr} of ${fn} is a view and is being modified inplace. This view is the output of a function that returns multiple views. Such functions do not allow the output views to be modified inplace. You should replace the inplace operation by an out-of-place one.`;
const NO_GRAD_VIEW =
  "A view was created in no_grad mode and is being modified inplace with grad mode enabled. Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both the view and the inplace either both inside the no_grad block (if you don't want the inplace to be tracked) or both outside (if you want the inplace to be tracked).";
const CUSTOM_FUNCTION_VIEW = (fn: string, nr: number) =>
  `Output ${nr} of ${fn} is a view and is being modified inplace. This view was created inside a custom Function (or because an input was returned as-is) and the autograd logic to handle view+inplace would override the custom backward associated with the custom Function, leading to incorrect gradients. This behavior is forbidden. You can fix this by cloning the output of the custom Function.`;

/** PyTorch's check_inplace: the writes autograd cannot record correctly are refused before anything is written. */
export function checkInplace(t: Tensor, tracked: boolean): void {
  if (hasInternalOverlap({ shape: t.shape, strides: t._strides, offset: t._offset })) {
    throw new RuntimeError("unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation.");
  }
  if (!tracked) return;
  const view = t._viewMeta;
  if (view !== null) {
    const fn = t.gradFn;
    if (view.creation === "multiOutput") throw new RuntimeError(MULTI_OUTPUT_VIEW(fn?.name ?? "a function", t._outputNr));
    if (view.creation === "noGrad") throw new RuntimeError(NO_GRAD_VIEW);
    if (view.creation === "customFunction") throw new RuntimeError(CUSTOM_FUNCTION_VIEW(fn?.name ?? "a function", t._outputNr));
    if (t.requiresGrad && view.base.isLeaf) throw new RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.");
  }
  if (t.requiresGrad && t.isLeaf) throw new RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.");
}

/** How two tensors' elements sit in memory relative to each other (PyTorch's get_overlap_status, for the dense case:
 * other layouts are not checked, as in PyTorch). */
function overlap(a: Tensor, b: Tensor): "none" | "full" | "partial" {
  if (a === b) return "full";
  if (a._storage.data !== b._storage.data || a._numel === 0 || b._numel === 0 || !a._contiguous || !b._contiguous) return "none";
  const aEnd = a._offset + a._numel;
  const bEnd = b._offset + b._numel;
  if (a._offset === b._offset && aEnd === bEnd) return "full";
  return a._offset < bEnd && b._offset < aEnd ? "partial" : "none";
}

const OVERLAP =
  "unsupported operation: some elements of the input tensor and the written-to tensor refer to a single memory location. Please clone() the tensor before performing the operation.";

/** An in-place op may read the tensor it writes (x.mul_(x)), but not part of it. */
export function checkNoOverlap(t: Tensor, others: readonly unknown[], allowFull = true): void {
  for (const o of others) {
    if (!(o instanceof Tensor)) continue;
    const status = overlap(t, o);
    if (status === "partial" || (status === "full" && !allowFull)) throw new RuntimeError(OVERLAP);
  }
}

/** Writes `values` into `t` in place, cast to t's dtype. */
function writeInto(t: Tensor, values: Tensor): void {
  if (!sameShape(values.shape, t.shape)) {
    throw new RuntimeError(`output with shape ${formatShape(t.shape)} doesn't match the broadcast shape ${formatShape(values.shape)}`);
  }
  if (isFloating(values.dtype) && !isFloating(t.dtype)) {
    throw new RuntimeError(`result type Float can't be cast to the desired output type ${t.dtype === "int64" ? "Long" : "Bool"}`);
  }
  let src = values._data;
  if (values.dtype !== t.dtype && !(isFloating(values.dtype) && isFloating(t.dtype))) {
    src = src.map((v) => castScalar(t.dtype, v));
  }
  writeValues(t, src);
  t._bumpVersion();
}

/** Set by autograd/forward_ad.ts while a dual level is open: a snapshot stands for the tensor it copies, and a tensor
 * written in place takes its new values' tangent. */
export const inplaceHooks: { snapshot: ((copy: Tensor, of: Tensor) => void) | null; written: ((t: Tensor, values: Tensor) => void) | null } = { snapshot: null, written: null };

/**
 * Runs `compute` as an in-place op on `t`: `compute(self)` returns the new values as an out-of-place op on `self`
 * would. `others` are the op's other operands (their requiring grad makes the write one autograd records).
 */
export function inplace<T extends Tensor>(t: T, compute: (self: Tensor) => Tensor, others: readonly (TensorOrScalar | boolean)[] = []): T {
  const tracked = isGradEnabled() && (t.requiresGrad || others.some((o) => o instanceof Tensor && o.requiresGrad));
  checkInplace(t, tracked);
  checkNoOverlap(t, others);
  // The node reads the old values, which are about to be overwritten; a view's base is remembered as it was too.
  const self = tracked ? snapshot(t) : t;
  const baseBefore = tracked && t._viewMeta !== null ? snapshot(t._viewMeta.base) : null;
  if (self !== t) inplaceHooks.snapshot?.(self, t);
  const result = compute(self);
  writeInto(t, result);
  inplaceHooks.written?.(t, result);
  if (tracked && result._gradFn) rebaseHistory(t, result._gradFn as GradFn, baseBefore);
  if (recorder.current) {
    recorder.current.onModified(t);
    if (t._viewMeta !== null) recorder.current.onModified(t._viewMeta.base);
  }
  return t;
}

interface FillAttrs {
  value: number;
  gradFnName: string;
}

const fillOp = defineOp<FillAttrs>({
  name: "fill",
  gradFnName: (a) => a.gradFnName,
  forward: ([t], { value }) => {
    const out = empty(t.shape.slice(), t.dtype);
    out._data.fill(castScalar(t.dtype, value));
    return out;
  },
  backward: (_, g) => [g.mul(0)],
});

export function fill_<T extends Tensor>(t: T, value: number | Tensor): T {
  if (value instanceof Tensor) {
    if (value.ndim !== 0) throw new RuntimeError(`fill_ only supports 0-dimension value tensor but got tensor with ${value.ndim} dimensions.`);
    return copy_(t, value);
  }
  if (typeof value !== "number" && typeof value !== "boolean") throw new TypeError(`fill_(): value must be a number, but got ${typeof value}`);
  return inplace(t, (self) => apply(fillOp, [self], { value: Number(value), gradFnName: value === 0 ? "ZeroBackward0" : "FillBackward2" }));
}

const copyOp = defineOp({
  name: "copy",
  gradFnName: "CopyBackwards",
  forward: ([t, src]) => {
    const out = empty(t.shape.slice(), t.dtype);
    const values = src.dtype === t.dtype ? src._data : Float64Array.from(src._data, (v) => castScalar(t.dtype, v));
    broadcastCopy(values, src.shape, out._data, t.shape);
    return out;
  },
  backward: ({ inputs: [, src] }, g) => [g.mul(0), g.to(src.dtype)],
});

export function copy_<T extends Tensor>(t: T, src: Tensor | number): T {
  const s = operand(src);
  return inplace(t, (self) => apply(copyOp, [self, s], undefined), [s]);
}

/** The in-place forms of the elementwise functions of one tensor (`x.exp_()`, `x.relu_()`...). */
const unaryInplace = { exp_: unary.exp, log_: unary.log, sqrt_: unary.sqrt, sin_: unary.sin, cos_: unary.cos, tanh_: unary.tanh, sigmoid_: unary.sigmoid, relu_: unary.relu, neg_: unary.neg, abs_: unary.abs, reciprocal_: unary.reciprocal, sign_: unary.sign };

declare module "../tensor" {
  interface Tensor {
    exp_(): this;
    log_(): this;
    sqrt_(): this;
    sin_(): this;
    cos_(): this;
    tanh_(): this;
    sigmoid_(): this;
    relu_(): this;
    neg_(): this;
    abs_(): this;
    reciprocal_(): this;
    sign_(): this;
    pow_(exponent: TensorOrScalar): this;
    add_(other: TensorOrScalar, alpha?: number): this;
    sub_(other: TensorOrScalar, alpha?: number): this;
    mul_(other: TensorOrScalar): this;
    div_(other: TensorOrScalar, options?: DivOptions): this;
    floorDivide_(other: TensorOrScalar): this;
    zero_(): this;
    fill_(value: number | boolean | Tensor): this;
    copy_(src: Tensor | number): this;
  }
}

addMethods(Object.fromEntries(Object.entries(unaryInplace).map(([name, fn]) => [name, function (this: Tensor) { return inplace(this, fn); }])));

addMethods({
  pow_(this: Tensor, exponent: TensorOrScalar) {
    return inplace(this, (self) => pow(self, exponent), [exponent]);
  },
  add_(this: Tensor, other: TensorOrScalar, alpha?: number) {
    return inplace(this, (self) => add(self, other, alpha), [other]);
  },
  sub_(this: Tensor, other: TensorOrScalar, alpha?: number) {
    return inplace(this, (self) => sub(self, other, alpha), [other]);
  },
  mul_(this: Tensor, other: TensorOrScalar) {
    return inplace(this, (self) => mul(self, other), [other]);
  },
  div_(this: Tensor, other: TensorOrScalar, options?: DivOptions) {
    return inplace(this, (self) => div(self, other, options), [other]);
  },
  floorDivide_(this: Tensor, other: TensorOrScalar) {
    return inplace(this, (self) => floorDivide(self, other), [other]);
  },
  zero_(this: Tensor) {
    return fill_(this, 0);
  },
  fill_(this: Tensor, value: number | boolean | Tensor) {
    return fill_(this, value as number | Tensor);
  },
  copy_(this: Tensor, src: Tensor | number) {
    return copy_(this, src);
  },
});

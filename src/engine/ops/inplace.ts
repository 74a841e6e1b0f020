/**
 * In-place ops. The new values are computed out of place by the ordinary op, then written into the tensor's own
 * storage, which bumps its version (so a backward that saved the old values refuses to run, as in PyTorch). When
 * grad is tracked, the tensor takes over the new node, and the node's input is a snapshot of the tensor as it was.
 */
import { isGradEnabled } from "../autograd/grad_mode";
import { castScalar, isFloating } from "../dtype";
import { RuntimeError } from "../errors";
import { broadcastCopy } from "../kernels/elementwise";
import { fillNormal, fillUniform } from "../random";
import { recorder } from "../recorder";
import { formatShape, sameShape } from "../shape";
import { Tensor } from "../tensor";
import { apply, defineOp } from "./op";
import { empty, operand } from "./operands";

function checkLeaf(t: Tensor): void {
  if (t.isLeaf && t._requiresGrad && isGradEnabled()) {
    throw new RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.");
  }
}

/** Writes `values` into `t` in place, casting to t's dtype. */
function writeInto(t: Tensor, values: Tensor): void {
  if (!sameShape(values.shape, t.shape)) {
    throw new RuntimeError(`output with shape ${formatShape(t.shape)} doesn't match the broadcast shape ${formatShape(values.shape)}`);
  }
  if (isFloating(values.dtype) && !isFloating(t.dtype)) {
    throw new RuntimeError(`result type Float can't be cast to the desired output type ${t.dtype === "int64" ? "Long" : "Bool"}`);
  }
  const dst = t._data;
  const src = values._data;
  if (values.dtype === t.dtype) dst.set(src);
  else for (let i = 0; i < dst.length; i++) dst[i] = castScalar(t.dtype, src[i]);
  t._storage.version++;
}

/** Runs `compute` as an in-place op on `t`. */
export function inplace<T extends Tensor>(t: T, compute: (self: Tensor) => Tensor, _name: string): T {
  checkLeaf(t);
  const tracked = isGradEnabled() && t.requiresGrad;
  // The node must read the old values, which are about to be overwritten.
  const self = tracked ? snapshot(t) : t;
  const result = compute(self);
  writeInto(t, result);
  if (result.gradFn) adoptNode(t, result);
  if (recorder.current) recorder.current.onModified(t);
  return t;
}

/** A tensor holding t's current values and its place in the graph. */
function snapshot(t: Tensor): Tensor {
  const s = empty(t.shape.slice(), t.dtype);
  s._data.set(t._data);
  s.gradFn = t.gradFn;
  s._requiresGrad = t._requiresGrad;
  return s;
}

/** `t` becomes the output of `result`'s node. */
function adoptNode(t: Tensor, result: Tensor): void {
  const node = result.gradFn!;
  (node as { output: Tensor }).output = t;
  t.gradFn = node;
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

export function fill_<T extends Tensor>(t: T, value: number): T {
  if (typeof value !== "number") throw new TypeError(`fill_(): value must be a number, but got ${typeof value}`);
  return inplace(t, (self) => apply(fillOp, [self], { value, gradFnName: value === 0 ? "ZeroBackward0" : "FillBackward2" }), "fill_");
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

export function copy_<T extends Tensor>(t: T, src: Tensor): T {
  if (!(src instanceof Tensor)) throw new TypeError("copy_(): argument 'src' must be a Tensor");
  return inplace(t, (self) => apply(copyOp, [self, operand(src)], undefined), "copy_");
}

function fillRandom<T extends Tensor>(t: T, fill: (data: Float32Array | Float64Array) => void): T {
  checkLeaf(t);
  if (!isFloating(t.dtype)) throw new RuntimeError(`"check_uniform_bounds" not implemented for '${t.dtype === "int64" ? "Long" : "Bool"}'`);
  fill(t._data as Float32Array | Float64Array);
  t._storage.version++;
  if (recorder.current) recorder.current.onModified(t);
  return t;
}

export function uniform_<T extends Tensor>(t: T, from: number, to: number): T {
  return fillRandom(t, (d) => fillUniform(d, from, to));
}

export function normal_<T extends Tensor>(t: T, mean: number, std: number): T {
  return fillRandom(t, (d) => fillNormal(d, mean, std));
}

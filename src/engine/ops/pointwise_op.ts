/**
 * The shared shape of the catalogue's elementwise ops: a scalar formula computed in float64 and rounded once into the
 * result's dtype, PyTorch's result dtype for integer and bool inputs, and PyTorch's "not implemented for 'Bool'"
 * refusals. Each family file (pointwise_math, rounding, special, binary_math) declares its ops with these.
 */
import { allocate, type DataArray, type DType, isFloating, resultType } from "../dtype";
import { RuntimeError } from "../errors";
import { broadcastCopy, mapUnary } from "../kernels/elementwise";
import { broadcastShapes, numelOf } from "../shape";
import type { Tensor } from "../tensor";
import { binaryForward } from "./binary_forward";
import { apply, defineOp, type OpDef } from "./op";
import { empty, promote, valuesAs } from "./operands";

/** PyTorch's name of a dtype in "not implemented for 'Long'" messages. */
export function scalarTypeName(dtype: DType): string {
  return { float32: "Float", float64: "Double", int64: "Long", bool: "Bool" }[dtype];
}

/** How an op's result dtype follows its input's: `float` makes integers and bools float32 (exp, erf...); `same` keeps
 * the input's dtype (floor of an int64 is int64). */
export type ResultRule = "float" | "same";

export interface UnarySpec<A = void> {
  name: string;
  gradFnName: string;
  /** The formula, in float64 (the output's typed array rounds it once). */
  f: (x: number, attrs: A) => number;
  /** float32's own kernel over the whole contiguous array, where PyTorch's float32 results differ from the float64
   * formula rounded once (kernels/f32: SLEEF's and libm's algorithms, bit for bit). */
  f32?: (src: Float32Array, out: Float32Array) => void;
  result?: ResultRule;
  /** PyTorch's kernel name for dtypes it has no kernel for, e.g. {bool: "floor_vml_cpu"}. */
  refuses?: Partial<Record<DType, string>>;
  /** For integer inputs of a `same` op that is the identity on integers (floor, round...). */
  identityOnIntegers?: boolean;
  backward: OpDef<A>["backward"];
  saves?: { inputs?: number[]; output?: boolean };
}

export function refuse(kernel: string, dtype: DType): never {
  throw new RuntimeError(`"${kernel}" not implemented for '${scalarTypeName(dtype)}'`);
}

export function floatResult(dtype: DType): DType {
  return isFloating(dtype) ? dtype : "float32";
}

/** Defines an elementwise op of one tensor and returns the function that applies it. */
export function unaryOp<A = void>(spec: UnarySpec<A>): (t: Tensor, attrs: A) => Tensor {
  const op = defineOp<A>({
    name: spec.name,
    gradFnName: spec.gradFnName,
    forward: ([t], attrs) => {
      const dtype = spec.result === "same" ? t.dtype : floatResult(t.dtype);
      const out = empty(t.shape.slice(), dtype);
      if (spec.identityOnIntegers && !isFloating(t.dtype)) out._data.set(t._data);
      else if (spec.f32 && dtype === "float32") spec.f32(valuesAs(t, dtype) as Float32Array, out._data as Float32Array);
      else mapUnary(valuesAs(t, dtype), out._data, (x) => spec.f(x, attrs));
      return out;
    },
    backward: spec.backward,
    saves: spec.saves ?? { inputs: [0] },
  });
  return (t, attrs) => {
    const kernel = spec.refuses?.[t.dtype];
    if (kernel) refuse(kernel, t.dtype);
    return apply(op, [t], attrs);
  };
}

/** A zero gradient of g's shape (PyTorch's zeros_like(grad) for step functions such as floor). */
export function zeroGrad(g: Tensor): Tensor {
  return empty(g.shape.slice(), g.dtype);
}

export interface BinarySpec<A = void> {
  name: string;
  gradFnName: string | ((attrs: A, inputs: readonly Tensor[]) => string);
  f: (x: number, y: number, attrs: A) => number;
  /** The dtype the operands meet in and the result has; by default their promoted type. */
  dtype?: (a: Tensor, b: Tensor) => DType;
  backward: OpDef<A>["backward"];
  saves?: { inputs?: number[]; output?: boolean };
}

/** Defines a broadcasting elementwise op of two tensors. */
export function binaryOp<A = void>(spec: BinarySpec<A>): OpDef<A> {
  return defineOp<A>({
    name: spec.name,
    gradFnName: spec.gradFnName,
    forward: ([a, b], attrs) => binaryForward(a, b, spec.dtype ? spec.dtype(a, b) : promote(a, b), (x, y) => spec.f(x, y, attrs)),
    backward: spec.backward,
    saves: spec.saves ?? { inputs: [0, 1] },
  });
}

/** Promoted, then float32 if integral (atan2, hypot, logaddexp of integers give floats). */
export function floatPromoted(a: Tensor, b: Tensor): DType {
  return floatResult(promote(a, b));
}

/** torch.result_type over any number of operands. */
export function promoteAll(ts: readonly Tensor[]): DType {
  return resultType(ts.map((t) => ({ dtype: t.dtype, wrappedNumber: t._wrappedNumber, ndim: t.ndim })));
}

/** The operands broadcast to their common shape, each as row-major values of `dtype`. */
export function broadcastValues(ts: readonly Tensor[], dtype: DType): { shape: number[]; values: DataArray[] } {
  let shape: number[] = [];
  for (const t of ts) shape = broadcastShapes(shape, t.shape);
  const n = numelOf(shape);
  const values = ts.map((t) => {
    const src = valuesAs(t, dtype);
    if (src.length === n && t.ndim === shape.length) return src;
    const out = allocate(dtype, n);
    broadcastCopy(src, t.shape, out, shape);
    return out;
  });
  return { shape, values };
}

export { apply };

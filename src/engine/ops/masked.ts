/**
 * Choosing elements by a boolean mask: where, maskedFill, maskedSelect, maskedScatter, and the mask's positions
 * (nonzero, argwhere). Masks broadcast with the tensor as PyTorch broadcasts them (the mask's shape first in messages).
 */
import { allocate, castScalar, type DataArray, type DType, resultType } from "../dtype";
import { RuntimeError } from "../errors";
import { broadcastCopy } from "../kernels/elementwise";
import { broadcastShapes, numelOf } from "../shape";
import { Tensor, addMethods, type TensorOrScalar } from "../tensor";
import { requireTensor, scalarTypeName, zeroOneMask } from "./index_args";
import { inplace } from "./inplace";
import { cat } from "./join";
import { apply, defineOp, type OpDef } from "./op";
import { describeValue, empty, operand, valuesAs } from "./operands";
import { unbind } from "./slicing";
import { unsqueeze, view } from "./views";

/** t's values as `dtype`, broadcast to `shape`, row-major. */
function broadcastValues(t: Tensor, shape: number[], dtype: DType): DataArray {
  const out = allocate(dtype, numelOf(shape));
  broadcastCopy(valuesAs(t, dtype), t.shape, out, shape);
  return out;
}

// ---- where ----

/** The condition is an attribute, not an input: it gets no gradient and PyTorch's graph has no edge to it. */
const whereOp: OpDef<Tensor> = defineOp<Tensor>({
  name: "where",
  gradFnName: "WhereBackward0",
  forward: ([a, b], cond) => {
    const shape = broadcastShapes(broadcastShapes(cond.shape, a.shape), b.shape);
    const dtype = resultType([a, b].map((t) => ({ dtype: t.dtype, wrappedNumber: t._wrappedNumber, ndim: t.ndim })));
    const c = broadcastValues(cond, shape, "bool");
    const av = broadcastValues(a, shape, dtype);
    const bv = broadcastValues(b, shape, dtype);
    const out = empty(shape, dtype);
    const dst = out._data;
    for (let k = 0; k < dst.length; k++) dst[k] = c[k] ? av[k] : bv[k];
    return out;
  },
  backward: ({ attrs: cond, needsInputGrad: [da, db] }, g) => [da ? where(cond, g, 0) : null, db ? where(cond, 0, g) : null],
});

type Operand = TensorOrScalar | boolean;

/** `torch.where(condition, input, other)`: input where the condition holds, else other (numbers allowed, all three
 * broadcast, input and other promoted together). `where(condition)` alone is `nonzero(condition, {asTuple: true})`. */
export function where(condition: Tensor): Tensor[];
export function where(condition: Tensor, input: Operand, other: Operand): Tensor;
export function where(condition: Tensor, input?: Operand, other?: Operand): Tensor | Tensor[] {
  const cond = requireTensor(condition, "where(): condition");
  if (input === undefined && other === undefined) return nonzeroTuple(cond);
  if (input === undefined || other === undefined) {
    throw new TypeError("where(): expected both input and other, or neither (where(condition) is nonzero(condition, {asTuple: true}))");
  }
  if (cond.dtype !== "bool") throw new RuntimeError(`where expected condition to be a boolean tensor, but got a tensor with dtype ${scalarTypeName(cond.dtype)}`);
  return apply(whereOp, [operand(input), operand(other)], cond);
}

// ---- maskedFill ----

/** self broadcast with mask, with `value` (cast to self's dtype) where the mask holds. */
function fillWhere(self: Tensor, mask: Tensor, value: number): Tensor {
  const shape = broadcastShapes(mask.shape, self.shape);
  const out = empty(shape, self.dtype);
  const dst = out._data;
  broadcastCopy(self._data, self.shape, dst, shape);
  const m = broadcastValues(mask, shape, "bool");
  const v = castScalar(self.dtype, value);
  for (let k = 0; k < dst.length; k++) if (m[k]) dst[k] = v;
  return out;
}

interface MaskedFillAttrs {
  mask: Tensor;
  value: number;
}

const maskedFillOp: OpDef<MaskedFillAttrs> = defineOp<MaskedFillAttrs>({
  name: "maskedFill",
  gradFnName: "MaskedFillBackward0",
  forward: ([self], { mask, value }) => fillWhere(self, mask, value),
  backward: ({ attrs: { mask } }, g) => [maskedFill(g, mask, 0)],
});

/** The value as a 0-dim tensor: its gradient is the sum of the output's gradient where it was written. */
const maskedFillTensorOp = defineOp<Tensor>({
  name: "maskedFillTensor",
  gradFnName: "MaskedFillBackward1",
  forward: ([self, value], mask) => fillWhere(self, mask, value._data[0]),
  backward: ({ attrs: mask, needsInputGrad: [dSelf, dValue] }, g) => [dSelf ? maskedFill(g, mask, 0) : null, dValue ? where(mask, g, 0).sum() : null],
});

type FillValue = number | boolean | Tensor;

function checkFillValue(value: unknown, what: string): FillValue {
  if (value instanceof Tensor) {
    if (value.ndim !== 0) throw new RuntimeError(`${what} only supports a 0-dimensional value tensor, but got tensor with ${value.ndim} dimension(s).`);
    return value;
  }
  if (typeof value !== "number" && typeof value !== "boolean") throw new TypeError(`${what}(): value must be a number, a boolean or a 0-dim Tensor, but got ${describeValue(value)}`);
  return value;
}

/** `torch.masked_fill`: `value` where the mask holds (a bool mask, or any dtype holding only 0 and 1, as PyTorch). */
export function maskedFill(t: Tensor, mask: Tensor, value: FillValue): Tensor {
  const v = checkFillValue(value, "masked_fill_");
  const m = zeroOneMask(requireTensor(mask, "maskedFill(): mask"));
  if (v instanceof Tensor) return apply(maskedFillTensorOp, [t, v], m);
  return apply(maskedFillOp, [t], { mask: m, value: Number(v) });
}

export function maskedFill_<T extends Tensor>(t: T, mask: Tensor, value: FillValue): T {
  return inplace(t, (self) => maskedFill(self, mask, value), value instanceof Tensor ? [value] : []);
}

// ---- maskedSelect, maskedScatter ----

const maskedSelectOp = defineOp<Tensor>({
  name: "maskedSelect",
  gradFnName: "MaskedSelectBackward0",
  forward: ([self], mask) => {
    const shape = broadcastShapes(mask.shape, self.shape);
    const m = broadcastValues(mask, shape, "bool");
    const v = broadcastValues(self, shape, self.dtype);
    const picked: number[] = [];
    for (let k = 0; k < m.length; k++) if (m[k]) picked.push(v[k]);
    const out = empty([picked.length], self.dtype);
    out._data.set(picked);
    return out;
  },
  // The gradient lands where the elements were taken from, in a tensor of the broadcast shape (the engine sums it
  // down to self's).
  backward: ({ inputs: [self], attrs: mask }, g) => [apply(maskedScatterOp, [empty(broadcastShapes(mask.shape, self.shape), g.dtype), g], mask)],
});

/** `torch.masked_select`: the elements where the mask holds, as a 1-D tensor. */
export function maskedSelect(t: Tensor, mask: Tensor): Tensor {
  const m = requireTensor(mask, "maskedSelect(): mask");
  if (m.dtype !== "bool") throw new RuntimeError("masked_select: expected BoolTensor or ByteTensor for mask");
  return apply(maskedSelectOp, [t], m);
}

const maskedScatterOp: OpDef<Tensor> = defineOp<Tensor>({
  name: "maskedScatter",
  gradFnName: "MaskedScatterBackward0",
  forward: ([self, source], mask) => {
    const shape = broadcastShapes(mask.shape, self.shape);
    const out = empty(shape, self.dtype);
    const dst = out._data;
    broadcastCopy(self._data, self.shape, dst, shape);
    const m = broadcastValues(mask, shape, "bool");
    const src = source._data;
    let next = 0;
    for (let k = 0; k < dst.length; k++) {
      if (!m[k]) continue;
      if (next >= src.length) throw new RuntimeError("Number of elements of source < number of ones in mask");
      dst[k] = src[next++];
    }
    return out;
  },
  backward: ({ inputs: [, source], attrs: mask, needsInputGrad: [dSelf, dSource] }, g) => [
    dSelf ? maskedFill(g, mask, 0) : null,
    dSource ? sourceGrad(g, mask, source.shape) : null,
  ],
});

/** The source elements that were written get their gradient in order; the rest of the source gets zeros. */
function sourceGrad(g: Tensor, mask: Tensor, shape: readonly number[]): Tensor {
  const selected = maskedSelect(g, mask);
  const missing = numelOf(shape) - selected.numel();
  const full = missing > 0 ? cat([selected, empty([missing], g.dtype)]) : selected;
  return view(full, [shape.slice()]);
}

/** `torch.masked_scatter`: where the mask holds, the source's elements one after another. */
export function maskedScatter(t: Tensor, mask: Tensor, source: Tensor): Tensor {
  const src = requireTensor(source, "maskedScatter(): source");
  const m = zeroOneMask(requireTensor(mask, "maskedScatter(): mask"));
  if (src.dtype !== t.dtype) {
    throw new RuntimeError(`masked_scatter: expected self and source to have same dtypes but got${scalarTypeName(t.dtype)} and ${scalarTypeName(src.dtype)}`);
  }
  return apply(maskedScatterOp, [t, src], m);
}

export function maskedScatter_<T extends Tensor>(t: T, mask: Tensor, source: Tensor): T {
  return inplace(t, (self) => maskedScatter(self, mask, source), [source]);
}

// ---- nonzero ----

const nonzeroOp = defineOp({
  name: "nonzero",
  gradFnName: "None",
  differentiable: false,
  forward: ([t]) => {
    const values = t._data;
    const hits: number[] = [];
    for (let k = 0; k < values.length; k++) if (values[k] !== 0) hits.push(k);
    const out = empty([hits.length, t.ndim], "int64");
    const dst = out._data;
    let at = 0;
    for (const k of hits) {
      let rest = k;
      for (let d = t.ndim - 1; d >= 0; d--) {
        dst[at + d] = rest % t.shape[d];
        rest = Math.floor(rest / t.shape[d]);
      }
      at += t.ndim;
    }
    return out;
  },
  backward: () => [null],
});

function nonzeroTuple(t: Tensor): Tensor[] {
  // A 0-dim tensor counts as 1-D here, as in PyTorch.
  return unbind(apply(nonzeroOp, [t.ndim === 0 ? unsqueeze(t, 0) : t], undefined), 1);
}

/** `torch.nonzero`: the indices of the nonzero elements, one row per element ([n, ndim], int64); with
 * `{asTuple: true}`, one 1-D tensor per dim (what `x.index([...])` takes). */
export function nonzero(t: Tensor, options?: { asTuple?: false }): Tensor;
export function nonzero(t: Tensor, options: { asTuple: true }): Tensor[];
export function nonzero(t: Tensor, options: { asTuple?: boolean } = {}): Tensor | Tensor[] {
  return options.asTuple ? nonzeroTuple(t) : apply(nonzeroOp, [t], undefined);
}

/** `torch.argwhere`: the same as nonzero(t). */
export function argwhere(t: Tensor): Tensor {
  return apply(nonzeroOp, [t], undefined);
}

declare module "../tensor" {
  interface Tensor {
    /** `x.where(condition, other)`: torch.where(condition, x, other). */
    where(condition: Tensor, other: TensorOrScalar | boolean): Tensor;
    maskedFill(mask: Tensor, value: number | boolean | Tensor): Tensor;
    maskedFill_(mask: Tensor, value: number | boolean | Tensor): this;
    maskedSelect(mask: Tensor): Tensor;
    maskedScatter(mask: Tensor, source: Tensor): Tensor;
    maskedScatter_(mask: Tensor, source: Tensor): this;
    nonzero(options?: { asTuple?: false }): Tensor;
    nonzero(options: { asTuple: true }): Tensor[];
    argwhere(): Tensor;
  }
}

addMethods({
  where(this: Tensor, condition: Tensor, other: TensorOrScalar | boolean) {
    return where(condition, this, other);
  },
  maskedFill(this: Tensor, mask: Tensor, value: FillValue) {
    return maskedFill(this, mask, value);
  },
  maskedFill_(this: Tensor, mask: Tensor, value: FillValue) {
    return maskedFill_(this, mask, value);
  },
  maskedSelect(this: Tensor, mask: Tensor) {
    return maskedSelect(this, mask);
  },
  maskedScatter(this: Tensor, mask: Tensor, source: Tensor) {
    return maskedScatter(this, mask, source);
  },
  maskedScatter_(this: Tensor, mask: Tensor, source: Tensor) {
    return maskedScatter_(this, mask, source);
  },
  nonzero(this: Tensor, options: { asTuple?: boolean } = {}) {
    return options.asTuple ? nonzeroTuple(this) : apply(nonzeroOp, [this], undefined);
  },
  argwhere(this: Tensor) {
    return argwhere(this);
  },
});

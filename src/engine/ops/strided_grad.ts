/**
 * The two ops behind the gradient of every view that picks elements (select, slice, diagonal, unfold, as_strided,
 * split...) and behind CopySlices: reading a tensor's values at another geometry's positions, and its adjoint, adding
 * values back into the positions they were read from. Positions are storage positions of one shared space: the
 * input's elements sit at `input`'s positions, the view's at `view`'s.
 */
import type { DataArray } from "../dtype";
import { type Geometry, gather, positionRange, scatter, scatterAdd } from "../kernels/strided";
import type { Tensor } from "../tensor";
import { apply, defineOp } from "./op";
import { empty } from "./operands";

export interface StridedMap {
  readonly input: Geometry;
  readonly view: Geometry;
  /** The grad_fn name of the gathering direction (AsStridedBackward0 for a regenerated view); the adding direction is
   * named after the view op it differentiates (SelectBackwardBackward0 reads as PyTorch's double backward). */
  readonly gatherName: string;
  readonly scatterName: string;
}

function shift(g: Geometry, by: number): Geometry {
  return { shape: g.shape, strides: g.strides, offset: g.offset + by };
}

/** True when the input's row-major index is its position: the view's positions index the values directly. */
function inputIsPlain(g: Geometry): boolean {
  if (g.offset !== 0) return false;
  let expected = 1;
  for (let i = g.shape.length - 1; i >= 0; i--) {
    if (g.shape[i] !== 1 && g.strides[i] !== expected) return false;
    expected *= g.shape[i];
  }
  return true;
}

/** A buffer covering every position either geometry reaches, and the position its index 0 stands for. */
function positionSpace(m: StridedMap, like: DataArray): { buffer: DataArray; lo: number } {
  const [a, b] = positionRange(m.input);
  const [c, d] = positionRange(m.view);
  const lo = Math.min(a, c);
  const hi = Math.max(b, d);
  return { buffer: new (like.constructor as new (n: number) => DataArray)(Math.max(hi - lo + 1, 0)), lo };
}

/** values (laid out as m.input) read at m.view's positions, row-major. */
export function gatherValues(values: DataArray, m: StridedMap, out: DataArray): void {
  if (inputIsPlain(m.input)) return gather(values, m.view, out);
  const { buffer, lo } = positionSpace(m, values);
  scatter(buffer, shift(m.input, -lo), values);
  gather(buffer, shift(m.view, -lo), out);
}

/** The adjoint of gatherValues: each view element's value added back into the input element it was read from. */
function scatterAddValues(values: DataArray, m: StridedMap, out: Float32Array | Float64Array): void {
  if (inputIsPlain(m.input)) return scatterAdd(out, m.view, values);
  const { buffer, lo } = positionSpace(m, out);
  scatterAdd(buffer as Float32Array | Float64Array, shift(m.view, -lo), values);
  gather(buffer, shift(m.input, -lo), out);
}

export const stridedGatherOp = defineOp<StridedMap>({
  name: "stridedGather",
  gradFnName: (m) => m.gatherName,
  forward: ([src], m) => {
    const out = empty(m.view.shape.slice(), src.dtype);
    gatherValues(src._data, m, out._data);
    return out;
  },
  backward: (ctx, g) => [stridedScatterAdd(g, ctx.attrs)],
});

interface ScatterAddAttrs {
  /** One map per input, all with the same `input` geometry: each input is a view's gradient to spread back. */
  maps: StridedMap[];
  gradFnName: string;
}

const stridedScatterAddOp = defineOp<ScatterAddAttrs>({
  name: "stridedScatterAdd",
  gradFnName: (a) => a.gradFnName,
  forward: (grads, { maps }) => {
    const out = empty(maps[0].input.shape.slice(), grads[0].dtype);
    grads.forEach((g, i) => scatterAddValues(g._data, maps[i], out._data as Float32Array | Float64Array));
    return out;
  },
  backward: ({ attrs: { maps }, needsInputGrad }, gg) => maps.map((m, i) => (needsInputGrad[i] ? stridedGather(gg, m) : null)),
});

/** A copy of the view's elements of `src` (laid out as m.input). */
export function stridedGather(src: Tensor, m: StridedMap): Tensor {
  return apply(stridedGatherOp, [src], m);
}

/** The gradient of a view, spread back over its input (zeros where the view does not look). */
export function stridedScatterAdd(g: Tensor, m: StridedMap): Tensor {
  return apply(stridedScatterAddOp, [g], { maps: [m], gradFnName: m.scatterName });
}

/** The gradients of several views of one input, spread back and summed in one pass (unbind's, split's). */
export function stridedScatterAddMany(grads: Tensor[], maps: StridedMap[], gradFnName: string): Tensor {
  return apply(stridedScatterAddOp, grads, { maps, gradFnName });
}

interface ReplaceAttrs {
  map: StridedMap;
}

/** `base` with the view's elements replaced by `src` (a copy): the forward of CopySlices and the base's gradient in
 * its backward. */
/** `base` (laid out as map.input) with the view's elements replaced by `src`, as a new row-major tensor. `src` has
 * the base's dtype: it holds what an in-place op wrote into a view of the base. */
export function replaceValues(base: Tensor, src: Tensor, map: StridedMap): Tensor {
  const out = empty(map.input.shape.slice(), base.dtype);
  const { buffer, lo } = positionSpace(map, base._data);
  scatter(buffer, shift(map.input, -lo), base._data);
  scatter(buffer, shift(map.view, -lo), src._data);
  gather(buffer, shift(map.input, -lo), out._data);
  return out;
}

const stridedReplaceOp = defineOp<ReplaceAttrs>({
  name: "stridedReplace",
  gradFnName: "CopySlicesBackward",
  forward: ([base, src], { map }) => replaceValues(base, src, map),
  backward: ({ attrs: { map }, needsInputGrad: [dBase, dSrc] }, g) => [
    dBase ? stridedReplace(g, empty(map.view.shape.slice(), g.dtype), map) : null,
    dSrc ? stridedGather(g, map) : null,
  ],
});

export function stridedReplace(base: Tensor, src: Tensor, map: StridedMap): Tensor {
  return apply(stridedReplaceOp, [base, src], { map });
}

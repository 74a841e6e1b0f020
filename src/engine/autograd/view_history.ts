/**
 * What autograd does when a view and its base share values that change in place, as PyTorch 1.13 does it:
 * - an in-place op on a view rewrites the base's history: the base's grad_fn becomes CopySlices, which runs the
 *   in-place op's backward on the view's part of the base's gradient and passes the rest through;
 * - a view whose base changed in place (through any view) gets a new grad_fn when it is next read, AsStridedBackward0
 *   from the base's new history.
 */
import { type AnyOpDef, backwardOf, composite, defineOp, forwardOf } from "../ops/op";
import { empty } from "../ops/operands";
import { type StridedMap, gatherValues, replaceValues, stridedGather, stridedGatherOp, stridedReplace } from "../ops/strided_grad";
import { sumTo } from "../ops/views";
import { Tensor, viewHooks } from "../tensor";
import { sameShape } from "../shape";
import { checkSaved } from "./backward";
import { GradFn, edgeTo } from "./node";

/** Where `view`'s elements sit among its base's, both relative to the base's storage offset. */
function mapInBase(base: Tensor, view: Tensor): StridedMap {
  return {
    input: { shape: base.shape, strides: base._strides, offset: 0 },
    view: { shape: view.shape, strides: view._strides, offset: view._offset - base._offset },
    gatherName: "AsStridedBackward0",
    scatterName: "AsStridedBackwardBackward0",
  };
}

viewHooks.refreshGradFn = (t: Tensor) => {
  const meta = t._viewMeta!;
  const base = meta.base;
  if (t._gradFn === null && !base.requiresGrad) return;
  t._gradFn = new GradFn(stridedGatherOp as unknown as AnyOpDef, [base], mapInBase(base, t), t);
  meta.attrVersion = t._storage.version;
};

interface CopySlicesAttrs {
  map: StridedMap;
  /** The in-place op's own node: its input 0 was the view's old values, the others its other operands. */
  fn: GradFn;
}

const copySlicesOp = defineOp<CopySlicesAttrs>({
  name: "copySlices",
  gradFnName: "CopySlices",
  // Replay: the in-place op run again on the view's part of the old base, written over it.
  forward: ([base, ...rest], { map, fn }) =>
    composite(() => {
      const region = empty(map.view.shape.slice(), base.dtype);
      gatherValues(base._data, map, region._data);
      return replaceValues(base, forwardOf(fn.op, [region, ...rest], fn.attrs)[0], map);
    }),
  backward: ({ attrs: { map, fn }, needsInputGrad }, g) => {
    checkSaved(fn);
    const slice = stridedGather(g, map);
    const res = backwardOf(fn.op, { inputs: fn.inputs, outputs: fn.outputs, attrs: fn.attrs, needsInputGrad: [true, ...needsInputGrad.slice(1)] }, [slice]);
    let own = res[0] ?? empty(map.view.shape.slice(), g.dtype);
    if (!sameShape(own.shape, map.view.shape)) own = sumTo(own, map.view.shape);
    return [needsInputGrad[0] ? stridedReplace(g, own, map) : null, ...res.slice(1)];
  },
});

/** A stand-in for `t` as it was before an in-place write: its values and its place in the graph. */
export function snapshot(t: Tensor): Tensor {
  const s = Tensor.fromData(t._data.slice(), t.shape.slice(), t.dtype);
  s._gradFn = t.gradFn;
  s._requiresGrad = t._requiresGrad;
  s._accumulator = t._accumulator;
  return s;
}

/**
 * After an in-place op wrote into `t`: `fn` (the op's node, computed on a snapshot of t) becomes t's history — or,
 * when t is a view, part of its base's history through CopySlices. `baseBefore` is the base's snapshot from before
 * the write (only for a view).
 */
export function rebaseHistory(t: Tensor, fn: GradFn, baseBefore: Tensor | null): void {
  fn._setOutput(t);
  const meta = t._viewMeta;
  if (meta === null || baseBefore === null) {
    t.gradFn = fn;
    fn._resave();
    return;
  }
  const base = meta.base;
  const inputs = [baseBefore, ...fn.inputs.slice(1)];
  base.gradFn = new GradFn(copySlicesOp as unknown as AnyOpDef, inputs, { map: mapInBase(base, t), fn }, base, [edgeTo(baseBefore), ...fn.next.slice(1)]);
  fn._resave();
  // t's own grad_fn is made anew (AsStridedBackward0 from CopySlices) when next read: its version moved on.
}

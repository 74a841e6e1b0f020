/**
 * rot90: a quarter turn (or k of them) in the plane of two dims. PyTorch gives it its own node (Rot90Backward0), whose
 * gradient is the opposite turn; its forward is ATen's flip and transpose, made contiguous here (PyTorch's result of an
 * odd k is a transposed view of the flipped copy: the same values, other strides).
 */
import { RuntimeError } from "../errors";
import { Tensor, addMethods } from "../tensor";
import { composite, apply, defineOp } from "./op";

interface Rot90Attrs {
  k: number;
  dims: [number, number];
}

function turn(t: Tensor, k: number, [d0, d1]: [number, number]): Tensor {
  switch (((k % 4) + 4) % 4) {
    case 1:
      return t.flip(d1).transpose(d0, d1).contiguous();
    case 2:
      return t.flip(d0, d1);
    case 3:
      return t.flip(d0).transpose(d0, d1).contiguous();
    default:
      return t.clone();
  }
}

const rot90Op = defineOp<Rot90Attrs>({
  name: "rot90",
  gradFnName: "Rot90Backward0",
  forward: ([t], { k, dims }) => composite(() => turn(t, k, dims)),
  backward: ({ attrs: { k, dims } }, g) => [rot90(g, -k, dims)],
});

/** torch.rot90(x, k = 1, dims = [0, 1]): rotated by 90° k times, from the first dim towards the second. */
export function rot90(t: Tensor, k = 1, dims: readonly number[] = [0, 1]): Tensor {
  const total = t.ndim;
  if (dims.length !== 2) throw new RuntimeError(`expected total rotation dims == 2, but got dims = ${dims.length}`);
  if (total < 2) throw new RuntimeError(`expected total dims >= 2, but got total dims = ${total}`);
  const [d0, d1] = dims;
  if (d0 === d1 || Math.abs(d0 - d1) === total) {
    throw new RuntimeError(`expected rotation dims to be different, but got dim0 = ${d0} and dim1 = ${d1}`);
  }
  if (d0 >= total || d0 < -total) throw new RuntimeError(`Rotation dim0 out of range, dim0 = ${d0}`);
  if (d1 >= total || d1 < -total) throw new RuntimeError(`Rotation dim1 out of range, dim1 = ${d1}`);
  if (!Number.isInteger(k)) throw new TypeError(`rot90(): k must be an integer, but got ${k}`);
  const attrs: Rot90Attrs = { k, dims: [d0 < 0 ? d0 + total : d0, d1 < 0 ? d1 + total : d1] };
  return apply(rot90Op, [t], attrs);
}

declare module "../tensor" {
  interface Tensor {
    /** PyTorch's `rot90`: rotated by 90° k times in the plane of dims. */
    rot90(k?: number, dims?: readonly number[]): Tensor;
  }
}

addMethods({
  rot90(this: Tensor, k?: number, dims?: readonly number[]) {
    return rot90(this, k, dims);
  },
});

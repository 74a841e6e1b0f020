/**
 * F.bilinear: y[n, o] = Σᵢⱼ x1[n, i]·W[o, i, j]·x2[n, j] (+ b[o]), as PyTorch 1.13's at::bilinear: the inputs flattened
 * to [N, in], one trilinear product (TrilinearBackward0), reshaped back, then the bias added.
 */
import { RuntimeError } from "../errors";
import { apply, defineOp } from "../ops/op";
import { empty } from "../ops/operands";
import type { Tensor } from "../tensor";

const trilinearOp = defineOp({
  name: "_trilinear",
  gradFnName: "TrilinearBackward0",
  forward: ([x1, weight, x2]) => {
    const [n, in1] = x1.shape;
    const in2 = x2.shape[1];
    const outFeatures = weight.shape[0];
    const out = empty([n, outFeatures], x1.dtype);
    const a = x1._data;
    const w = weight._data;
    const b = x2._data;
    const od = out._data;
    for (let r = 0; r < n; r++) {
      for (let o = 0; o < outFeatures; o++) {
        let acc = 0;
        for (let i = 0; i < in1; i++) {
          let inner = 0;
          for (let j = 0; j < in2; j++) inner += w[(o * in1 + i) * in2 + j] * b[r * in2 + j];
          acc += a[r * in1 + i] * inner;
        }
        od[r * outFeatures + o] = acc;
      }
    }
    return out;
  },
  backward: ({ inputs: [x1, weight, x2] }, g) => {
    const [n, in1] = x1.shape;
    const in2 = x2.shape[1];
    const outFeatures = weight.shape[0];
    // Outer products per row, flattened, against the weight flattened to match.
    const gx2 = g.unsqueeze(2).mul(x1.unsqueeze(1)).reshape([n, outFeatures * in1]);
    const gx1 = g.unsqueeze(2).mul(x2.unsqueeze(1)).reshape([n, outFeatures * in2]);
    const gradX1 = gx1.matmul(weight.transpose(1, 2).reshape([outFeatures * in2, in1]));
    const gradX2 = gx2.matmul(weight.reshape([outFeatures * in1, in2]));
    const pairs = x1.unsqueeze(2).mul(x2.unsqueeze(1)).reshape([n, in1 * in2]);
    const gradWeight = g.transpose(0, 1).matmul(pairs).reshape([outFeatures, in1, in2]);
    return [gradX1, gradWeight, gradX2];
  },
  saves: { inputs: [0, 1, 2] },
});

/** torch.nn.functional.bilinear(input1, input2, weight, bias): inputs [..., in1] and [..., in2], weight [out, in1, in2]. */
export function bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  if (input1.ndim !== input2.ndim) {
    throw new RuntimeError(`bilinear(): input dimensions do not match: got ${input1.ndim} and ${input2.ndim}`);
  }
  for (let d = 0; d < input1.ndim - 1; d++) {
    if (input1.shape[d] !== input2.shape[d]) {
      throw new RuntimeError(`bilinear(): input batch dimensions do not match at dim ${d}: got ${input1.shape[d]} and ${input2.shape[d]}`);
    }
  }
  const in1 = input1.shape[input1.ndim - 1];
  const in2 = input2.shape[input2.ndim - 1];
  if (in1 !== weight.shape[1]) throw new RuntimeError(`bilinear(): input1 size does not match weight size: got ${in1} but expected ${weight.shape[1]}`);
  if (in2 !== weight.shape[2]) throw new RuntimeError(`bilinear(): input2 size does not match weight size: got ${in2} but expected ${weight.shape[2]}`);
  if (bias && bias.numel() !== weight.shape[0]) {
    throw new RuntimeError(`bilinear(): bias size does not match weight size: got ${bias.numel()} but expected ${weight.shape[0]}`);
  }
  const outShape = [...input1.shape.slice(0, -1), weight.shape[0]];
  const flat = apply(trilinearOp, [input1.reshape([-1, in1]), weight, input2.reshape([-1, in2])], undefined).reshape(outShape);
  return bias ? flat.add(bias) : flat;
}

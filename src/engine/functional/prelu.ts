/**
 * F.prelu: x where x > 0, weight·x elsewhere, one weight for all channels or one per channel (dim 1), with
 * PyTorch's node PreluBackward0. Backward written with differentiable ops, so it can be differentiated again.
 */
import { RuntimeError } from "../errors";
import { apply, defineOp } from "../ops/op";
import { empty } from "../ops/operands";
import type { Tensor } from "../tensor";

/** The weight viewed so it broadcasts against the input along dim 1 (or as one value). */
function broadcastWeight(x: Tensor, weight: Tensor): Tensor {
  if (weight.numel() === 1 || x.ndim < 2) return weight.reshape([]);
  return weight.reshape([weight.numel(), ...x.shape.slice(2).map(() => 1)]);
}

const preluOp = defineOp({
  name: "prelu",
  gradFnName: "PreluBackward0",
  forward: ([x, weight]) => {
    const out = empty(x.shape.slice(), x.dtype);
    const src = x._data;
    const w = weight._data;
    const channels = w.length;
    let inner = 1;
    for (let d = 2; d < x.ndim; d++) inner *= x.shape[d];
    const od = out._data;
    for (let i = 0; i < src.length; i++) {
      const v = src[i];
      od[i] = v > 0 ? v : (channels === 1 ? w[0] : w[Math.floor(i / inner) % channels]) * v;
    }
    return out;
  },
  // d/dx = 1 where x > 0, else w; d/dw = x where x ≤ 0, summed over all but the channel dim.
  backward: ({ inputs: [x, weight] }, g) => {
    const positive = x.gt(0).to(x.dtype);
    const w = broadcastWeight(x, weight);
    const gradInput = g.mul(positive.add(positive.neg().add(1).mul(w)));
    const perElement = g.mul(x).mul(positive.neg().add(1));
    const dims = Array.from({ length: x.ndim }, (_, d) => d).filter((d) => !(weight.numel() > 1 && d === 1));
    const gradWeight = (dims.length ? perElement.sum(dims) : perElement).reshape(weight.shape);
    return [gradInput, gradWeight];
  },
  saves: { inputs: [0, 1] },
});

/** torch.nn.functional.prelu(input, weight): weight a scalar or 1-D, of one element or input.size(1). */
export function prelu(input: Tensor, weight: Tensor): Tensor {
  if (weight.ndim > 1) throw new RuntimeError(`prelu: Expected \`weight\` to be a scalar or 1D tensor, but got ndim = ${weight.ndim}`);
  const channels = input.ndim > 1 ? input.shape[1] : 1;
  if (weight.numel() !== 1 && weight.numel() !== channels) {
    throw new RuntimeError(`Mismatch of parameter numbers and input channel size. Found parameter numbers = ${weight.numel()} and channel size = ${channels}.`);
  }
  return apply(preluOp, [input, weight], undefined);
}

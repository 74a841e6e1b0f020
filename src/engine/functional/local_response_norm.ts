/**
 * torch.nn.functional.local_response_norm, composed of the same ops as PyTorch 1.13's Python function (so the graph
 * has the same nodes): the squares averaged over a window of `size` channels by avg_pool2d (3-D input) or avg_pool3d,
 * then input / (k + alpha · average)^beta.
 */
import { ValueError } from "../errors";
import type { Tensor } from "../tensor";
import { pad } from "./padding";
import { avgPool2d } from "./pooling";
import { avgPool3d } from "./pool3d";

export interface LocalResponseNormOptions {
  alpha?: number;
  beta?: number;
  k?: number;
}

/** Normalises each element by the squares of its neighbours across `size` channels (dim 1). */
export function localResponseNorm(input: Tensor, size: number, options: LocalResponseNormOptions = {}): Tensor {
  const { alpha = 1e-4, beta = 0.75, k = 1.0 } = options;
  const dim = input.ndim;
  // PyTorch's message, with the spaces its source's line continuation puts in it.
  if (dim < 3) throw new ValueError(`Expected 3D or higher dimensionality                          input (got ${dim} dimensions)`);
  if (input.numel() === 0) return input;
  let div = input.mul(input).unsqueeze(1);
  const before = Math.floor(size / 2);
  const after = Math.floor((size - 1) / 2);
  if (dim === 3) {
    div = pad(div, [0, 0, before, after]);
    div = avgPool2d(div, [size, 1], { stride: 1 }).squeeze(1);
  } else {
    const sizes = input.shape.slice();
    div = div.view(sizes[0], 1, sizes[1], sizes[2], -1);
    div = pad(div, [0, 0, 0, 0, before, after]);
    div = avgPool3d(div, [size, 1, 1], { stride: 1 }).squeeze(1);
    div = div.view(sizes);
  }
  div = div.mul(alpha).add(k).pow(beta);
  return input.div(div);
}

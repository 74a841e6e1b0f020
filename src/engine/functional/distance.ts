/**
 * normalize, cosine_similarity and pairwise_distance, composed from other ops exactly as PyTorch 1.13 composes
 * them, so the graph has PyTorch's nodes (DivBackward0 over a clamped norm; SumBackward1 over the normalised
 * product; NormBackward1 of the difference).
 */
import { noGrad } from "../autograd/grad_mode";
import { RuntimeError } from "../errors";
import { expandAlways } from "../ops/views";
import { writeValues } from "../ops/write";
import { broadcastShapes, normalizeDim } from "../shape";
import type { Tensor } from "../tensor";

export interface NormalizeOptions {
  p?: number;
  dim?: number;
  eps?: number;
}

/** torch.nn.functional.normalize: x / max(‖x‖_p along dim, eps). */
export function normalize(input: Tensor, options: NormalizeOptions = {}): Tensor {
  const p = options.p ?? 2;
  const dim = options.dim ?? 1;
  const eps = options.eps ?? 1e-12;
  const denom = input.norm(p, dim, true).clampMin(eps);
  return input.div(expandAlways(denom, input.shape.slice()));
}

/**
 * torch.nn.functional.cosine_similarity as ATen 1.13 computes it: each input divided by its own norm, the squared
 * norms clamped to eps² without recording the clamp (so the gradient flows as if unclamped), then the products summed.
 */
export function cosineSimilarity(x1: Tensor, x2: Tensor, options: { dim?: number; eps?: number } = {}): Tensor {
  const eps = options.eps ?? 1e-8;
  const shape = broadcastShapes(x1.shape, x2.shape);
  const dim = normalizeDim(options.dim ?? 1, shape.length);
  const a = expandAlways(x1, shape);
  const b = expandAlways(x2, shape);
  const norms = [a, b].map((t) => {
    const squared = t.pow(2).sum(dim, true);
    noGrad(() => {
      const floor = eps * eps;
      writeValues(squared, Array.from(squared._data, (v) => (v < floor ? floor : v)));
      squared._bumpVersion();
    });
    return squared.sqrt();
  });
  return a.div(norms[0]).mul(b.div(norms[1])).sum(dim);
}

export interface PairwiseDistanceOptions {
  p?: number;
  eps?: number;
  keepdim?: boolean;
}

/** torch.nn.functional.pairwise_distance: ‖x1 − x2 + eps‖_p along the last dim. */
export function pairwiseDistance(x1: Tensor, x2: Tensor, options: PairwiseDistanceOptions = {}): Tensor {
  const dims = Math.max(x1.ndim, x2.ndim);
  if (dims === 0) throw new RuntimeError("pairwise_distance: expected at least 1-D inputs");
  return x1.sub(x2).add(options.eps ?? 1e-6).norm(options.p ?? 2, dims - 1, options.keepdim ?? false);
}

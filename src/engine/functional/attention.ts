/**
 * scaled_dot_product_attention as PyTorch 2.0 defines it (it is not in PyTorch 1.13): softmax(Q·Kᵀ/√d + mask)·V,
 * with an optional boolean or additive mask, a causal mask, and dropout on the attention weights. Composed of
 * matmul, softmax and dropout, so the graph shows those nodes.
 */
import { RuntimeError } from "../errors";
import type { Generator } from "../random";
import { Tensor } from "../tensor";
import { softmax } from "./activation";
import { dropout } from "./dropout";

export interface ScaledDotProductAttentionOptions {
  /** Boolean (true = attend) or additive mask, broadcastable to [..., L, S]. */
  attnMask?: Tensor | null;
  dropoutP?: number;
  /** Each query position attends only to key positions at or before it. */
  isCausal?: boolean;
  /** The factor Q·Kᵀ is multiplied by; 1/√d by default (PyTorch 2.1's `scale`). */
  scale?: number | null;
  generator?: Generator;
}

/** An additive mask of −∞ where `allowed` is 0, else 0, in `like`'s dtype. */
function additive(allowed: ArrayLike<number>, shape: number[], like: Tensor): Tensor {
  const values = Float64Array.from(allowed, (v) => (v !== 0 ? 0 : -Infinity));
  return Tensor.fromData(values, shape, "float64").to(like.dtype);
}

/** torch.nn.functional.scaled_dot_product_attention (PyTorch 2.0): query [..., L, E], key [..., S, E], value [..., S, Ev]. */
export function scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, options: ScaledDotProductAttentionOptions = {}): Tensor {
  const L = query.shape[query.ndim - 2];
  const S = key.shape[key.ndim - 2];
  const E = query.shape[query.ndim - 1];
  if (key.shape[key.ndim - 1] !== E) throw new RuntimeError(`scaled_dot_product_attention: query and key must have the same embedding size, but got ${E} and ${key.shape[key.ndim - 1]}`);
  let mask = options.attnMask ?? null;
  if (options.isCausal) {
    if (mask) throw new RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True");
    const allowed = new Float64Array(L * S);
    for (let i = 0; i < L; i++) for (let j = 0; j <= Math.min(i, S - 1); j++) allowed[i * S + j] = 1;
    mask = additive(allowed, [L, S], query);
  } else if (mask && mask.dtype === "bool") {
    mask = additive(mask._data, mask.shape.slice(), query);
  }
  // 2.0's definition divides by √d; an explicit scale (2.1's argument) multiplies.
  const product = query.matmul(key.transpose(-2, -1));
  let scores = options.scale === undefined || options.scale === null ? product.div(Math.sqrt(E)) : product.mul(options.scale);
  if (mask) scores = scores.add(mask);
  let weights = softmax(scores, -1);
  const p = options.dropoutP ?? 0;
  if (p > 0) weights = dropout(weights, p, { training: true, generator: options.generator });
  return weights.matmul(value);
}

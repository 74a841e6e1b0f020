/**
 * nn.MultiheadAttention as PyTorch 1.13's F.multi_head_attention_forward computes it: packed input projection,
 * heads folded into the batch, scaled dot products, softmax, the weighted sum, the output projection, and the
 * attention weights averaged over heads. Initialised as PyTorch: out_proj (a Linear) first, then xavier_uniform_ on
 * the packed projection, biases zero.
 */
import { RuntimeError } from "../errors";
import * as F from "../functional";
import { empty } from "../ops/operands";
import { fillUniform } from "../random";
import type { Tensor } from "../tensor";
import { Linear } from "./layers";
import { Module } from "./module";
import { Parameter } from "./parameter";

export interface MultiheadAttentionOptions {
  dropout?: number;
  bias?: boolean;
  kdim?: number;
  vdim?: number;
  batchFirst?: boolean;
  dtype?: "float32" | "float64";
}

export interface AttentionCallOptions {
  /** True (or a bool tensor's true) marks a key position to ignore, per batch element: [N, S]. */
  keyPaddingMask?: Tensor | null;
  needWeights?: boolean;
  /** Added to the scores ([L, S] or [N·heads, L, S]); a bool mask's true positions are not attended. */
  attnMask?: Tensor | null;
  averageAttnWeights?: boolean;
}

/** PyTorch's out_proj class: a Linear by another name (it only matters to quantization). */
export class NonDynamicallyQuantizableLinear extends Linear {}

export class MultiheadAttention extends Module {
  readonly headDim: number;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly in_proj_weight: Parameter | null;
  readonly q_proj_weight: Parameter | null;
  readonly k_proj_weight: Parameter | null;
  readonly v_proj_weight: Parameter | null;
  readonly in_proj_bias: Parameter | null;
  readonly out_proj: NonDynamicallyQuantizableLinear;
  private readonly sameDims: boolean;

  constructor(
    readonly embedDim: number,
    readonly numHeads: number,
    options: MultiheadAttentionOptions = {},
  ) {
    super();
    const dtype = options.dtype ?? "float32";
    const kdim = options.kdim ?? embedDim;
    const vdim = options.vdim ?? embedDim;
    this.sameDims = kdim === embedDim && vdim === embedDim;
    this.batchFirst = options.batchFirst ?? false;
    this.dropout = options.dropout ?? 0;
    this.headDim = Math.floor(embedDim / numHeads);
    if (this.headDim * numHeads !== embedDim) throw new RuntimeError("embed_dim must be divisible by num_heads");
    const bias = options.bias ?? true;
    const parameter = (shape: number[]) => new Parameter(empty(shape, dtype));
    this.in_proj_weight = this.sameDims ? parameter([3 * embedDim, embedDim]) : null;
    this.q_proj_weight = this.sameDims ? null : parameter([embedDim, embedDim]);
    this.k_proj_weight = this.sameDims ? null : parameter([embedDim, kdim]);
    this.v_proj_weight = this.sameDims ? null : parameter([embedDim, vdim]);
    this.in_proj_bias = bias ? parameter([3 * embedDim]) : null;
    this.out_proj = new NonDynamicallyQuantizableLinear(embedDim, embedDim, { bias, dtype });
    // _reset_parameters, after out_proj drew its own weights: xavier_uniform_ (gain 1), zero biases.
    for (const w of this.sameDims ? [this.in_proj_weight!] : [this.q_proj_weight!, this.k_proj_weight!, this.v_proj_weight!]) {
      const [fanOut, fanIn] = w.shape;
      const bound = Math.sqrt(6 / (fanIn + fanOut));
      fillUniform(w._data as Float32Array | Float64Array, -bound, bound);
    }
    if (this.out_proj.bias) this.out_proj.bias._data.fill(0);
  }

  forward(query: Tensor, key: Tensor, value: Tensor, options: AttentionCallOptions = {}): [Tensor, Tensor | null] {
    const batched = query.ndim === 3;
    let q = query;
    let k = key;
    let v = value;
    if (!batched) {
      q = q.unsqueeze(1);
      k = k.unsqueeze(1);
      v = v.unsqueeze(1);
    } else if (this.batchFirst) {
      q = q.transpose(1, 0);
      k = k.transpose(1, 0);
      v = v.transpose(1, 0);
    }
    const [tgtLen, bsz, embed] = q.shape;
    if (embed !== this.embedDim) throw new RuntimeError(`was expecting embedding dimension of ${this.embedDim}, but got ${embed}`);
    const srcLen = k.shape[0];
    const heads = this.numHeads;
    const E = this.embedDim;
    let qp: Tensor;
    let kp: Tensor;
    let vp: Tensor;
    const b = this.in_proj_bias;
    if (this.sameDims && q === k && k === v) {
      [qp, kp, vp] = F.linear(q, this.in_proj_weight!, b).chunk(3, -1);
    } else if (this.sameDims) {
      const [wq, wk, wv] = this.in_proj_weight!.chunk(3, 0);
      const [bq, bk, bv] = b ? b.chunk(3, 0) : [null, null, null];
      qp = F.linear(q, wq, bq);
      kp = F.linear(k, wk, bk);
      vp = F.linear(v, wv, bv);
    } else {
      const [bq, bk, bv] = b ? b.chunk(3, 0) : [null, null, null];
      qp = F.linear(q, this.q_proj_weight!, bq);
      kp = F.linear(k, this.k_proj_weight!, bk);
      vp = F.linear(v, this.v_proj_weight!, bv);
    }
    // Heads folded into the batch: [N·heads, L, head_dim].
    const fold = (t: Tensor, len: number) => t.contiguous().view(len, bsz * heads, this.headDim).transpose(0, 1);
    const qh = fold(qp, tgtLen);
    const kh = fold(kp, srcLen);
    const vh = fold(vp, srcLen);
    let mask = options.attnMask ?? null;
    if (mask && mask.dtype === "bool") mask = mask.logicalNot().to(qh.dtype).log();
    if (mask && mask.ndim === 2) mask = mask.unsqueeze(0);
    const padding = options.keyPaddingMask ?? null;
    if (padding) {
      const additive = padding.dtype === "bool" ? padding.logicalNot().to(qh.dtype).log() : padding;
      const expanded = additive.view(bsz, 1, 1, srcLen).expand(bsz, heads, 1, srcLen).reshape(bsz * heads, 1, srcLen);
      mask = mask ? mask.add(expanded) : expanded;
    }
    const scaled = qh.div(Math.sqrt(this.headDim));
    const scores = scaled.matmul(kh.transpose(-2, -1));
    let weights = F.softmax(mask ? scores.add(mask) : scores, -1);
    // The weights returned are the dropped ones too, as PyTorch's are.
    if (this.dropout > 0 && this.training) weights = F.dropout(weights, this.dropout, { training: true });
    const attended = weights.matmul(vh).transpose(0, 1).contiguous().view(tgtLen * bsz, E);
    let out = this.out_proj(attended).view(tgtLen, bsz, E);
    let averaged: Tensor | null = null;
    if (options.needWeights ?? true) {
      weights = weights.view(bsz, heads, tgtLen, srcLen);
      averaged = (options.averageAttnWeights ?? true) ? weights.sum(1).div(heads) : weights;
      if (!batched) averaged = averaged.squeeze(0);
    }
    if (!batched) out = out.squeeze(1);
    else if (this.batchFirst) out = out.transpose(1, 0);
    return [out, averaged];
  }
}

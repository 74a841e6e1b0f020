/** nn.EmbeddingBag: a table of numEmbeddings vectors (N(0, 1) as PyTorch draws it, the padding row zeroed) whose
 * rows are summed, averaged or maxed per bag. */
import { AssertionError } from "../functional/embedding";
import { type EmbeddingBagMode, embeddingBag } from "../functional/embedding_bag";
import { empty } from "../ops/operands";
import { fillNormal } from "../random";
import type { Tensor } from "../tensor";
import { Module } from "./module";
import { Parameter } from "./parameter";
import { pyFloat, pyRepr } from "./repr";

export interface EmbeddingBagModuleOptions {
  maxNorm?: number | null;
  normType?: number;
  scaleGradByFreq?: boolean;
  /** "mean" unless given, as in PyTorch. */
  mode?: EmbeddingBagMode;
  sparse?: boolean;
  /** Use this tensor as the weight instead of drawing one (PyTorch's `_weight`). */
  weight?: Tensor | null;
  includeLastOffset?: boolean;
  paddingIdx?: number | null;
  dtype?: "float32" | "float64";
}

export class EmbeddingBag extends Module {
  readonly weight: Parameter;
  readonly maxNorm: number | null;
  readonly normType: number;
  readonly scaleGradByFreq: boolean;
  readonly mode: EmbeddingBagMode;
  readonly sparse: boolean;
  readonly includeLastOffset: boolean;
  readonly paddingIdx: number | null;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    options: EmbeddingBagModuleOptions = {},
  ) {
    super();
    let paddingIdx = options.paddingIdx ?? null;
    if (paddingIdx !== null) {
      if (paddingIdx >= numEmbeddings || paddingIdx < -numEmbeddings) throw new AssertionError("padding_idx must be within num_embeddings");
      if (paddingIdx < 0) paddingIdx += numEmbeddings;
    }
    this.paddingIdx = paddingIdx;
    this.maxNorm = options.maxNorm ?? null;
    this.normType = options.normType ?? 2;
    this.scaleGradByFreq = options.scaleGradByFreq ?? false;
    this.mode = options.mode ?? "mean";
    this.sparse = options.sparse ?? false;
    this.includeLastOffset = options.includeLastOffset ?? false;
    if (options.weight) {
      const w = options.weight;
      if (w.ndim !== 2 || w.shape[0] !== numEmbeddings || w.shape[1] !== embeddingDim) {
        throw new AssertionError("Shape of weight does not match num_embeddings and embedding_dim");
      }
      this.weight = new Parameter(w);
    } else {
      const w = empty([numEmbeddings, embeddingDim], options.dtype ?? "float32");
      fillNormal(w._data as Float32Array | Float64Array, 0, 1);
      if (paddingIdx !== null) w._data.fill(0, paddingIdx * embeddingDim, (paddingIdx + 1) * embeddingDim);
      this.weight = new Parameter(w);
    }
  }

  forward(input: Tensor, offsets: Tensor | null = null, perSampleWeights: Tensor | null = null): Tensor {
    return embeddingBag(input, this.weight, {
      offsets, perSampleWeights, maxNorm: this.maxNorm, normType: this.normType, scaleGradByFreq: this.scaleGradByFreq,
      mode: this.mode, sparse: this.sparse, includeLastOffset: this.includeLastOffset, paddingIdx: this.paddingIdx,
    });
  }

  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    if (this.scaleGradByFreq) s += `, scale_grad_by_freq=${pyRepr(true)}`;
    s += `, mode=${this.mode}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    return s;
  }
}

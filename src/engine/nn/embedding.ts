/** nn.Embedding: a table of numEmbeddings vectors, initialised N(0, 1) as PyTorch draws it (the padding row zeroed). */
import { noGrad } from "../autograd/grad_mode";
import { RuntimeError } from "../errors";
import { AssertionError, embedding } from "../functional/embedding";
import { empty } from "../ops/operands";
import { fillNormal } from "../random";
import type { DType } from "../dtype";
import type { Tensor } from "../tensor";
import { Module } from "./module";
import { Parameter } from "./parameter";
import { pyFloat, pyRepr } from "./repr";

export interface EmbeddingModuleOptions {
  /** This row gets no gradient and starts at zero. */
  paddingIdx?: number | null;
  maxNorm?: number | null;
  normType?: number;
  scaleGradByFreq?: boolean;
  sparse?: boolean;
  /** Use this tensor as the weight instead of drawing one (PyTorch's `_weight`). */
  weight?: Tensor | null;
  dtype?: "float32" | "float64";
}

export interface FromPretrainedOptions extends Omit<EmbeddingModuleOptions, "weight" | "dtype"> {
  /** Keep the weight fixed (no gradient); true by default, as in PyTorch. */
  freeze?: boolean;
}

/** An embedding table: the given weight (its shape checked), or N(0, 1) draws with the padding row zeroed. */
export function embeddingWeight(numEmbeddings: number, embeddingDim: number, paddingIdx: number | null, options: { weight?: Tensor | null; dtype?: DType }): Parameter {
  if (options.weight) {
    const w = options.weight;
    if (w.ndim !== 2 || w.shape[0] !== numEmbeddings || w.shape[1] !== embeddingDim) {
      throw new AssertionError("Shape of weight does not match num_embeddings and embedding_dim");
    }
    return new Parameter(w);
  }
  const w = empty([numEmbeddings, embeddingDim], options.dtype ?? "float32");
  fillNormal(w._data as Float32Array | Float64Array, 0, 1);
  if (paddingIdx !== null) w._data.fill(0, paddingIdx * embeddingDim, (paddingIdx + 1) * embeddingDim);
  return new Parameter(w);
}

export class Embedding extends Module {
  readonly weight: Parameter;
  readonly paddingIdx: number | null;
  readonly maxNorm: number | null;
  readonly normType: number;
  readonly scaleGradByFreq: boolean;
  readonly sparse: boolean;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    options: EmbeddingModuleOptions = {},
  ) {
    super();
    let paddingIdx = options.paddingIdx ?? null;
    if (paddingIdx !== null) {
      if (paddingIdx > 0 && paddingIdx >= numEmbeddings) throw new AssertionError("Padding_idx must be within num_embeddings");
      if (paddingIdx < 0) {
        if (paddingIdx < -numEmbeddings) throw new AssertionError("Padding_idx must be within num_embeddings");
        paddingIdx += numEmbeddings;
      }
    }
    this.paddingIdx = paddingIdx;
    this.maxNorm = options.maxNorm ?? null;
    this.normType = options.normType ?? 2;
    this.scaleGradByFreq = options.scaleGradByFreq ?? false;
    this.sparse = options.sparse ?? false;
    this.weight = embeddingWeight(numEmbeddings, embeddingDim, paddingIdx, options);
  }

  /** nn.Embedding.from_pretrained: a module around the given [num, dim] weight, frozen unless `freeze: false`. */
  static fromPretrained(embeddings: Tensor, options: FromPretrainedOptions = {}): Embedding {
    if (embeddings.ndim !== 2) throw new AssertionError("Embeddings parameter is expected to be 2-dimensional");
    const { freeze = true, ...rest } = options;
    const module = new Embedding(embeddings.shape[0], embeddings.shape[1], { ...rest, weight: embeddings });
    noGrad(() => module.weight.requiresGrad_(!freeze));
    return module;
  }

  forward(input: Tensor): Tensor {
    if (this.sparse) throw new RuntimeError("Embedding: sparse gradients are not supported by Gradlens (sparse=True)");
    return embedding(input, this.weight, { paddingIdx: this.paddingIdx, maxNorm: this.maxNorm, normType: this.normType, scaleGradByFreq: this.scaleGradByFreq });
  }

  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    if (this.scaleGradByFreq) s += `, scale_grad_by_freq=${pyRepr(true)}`;
    if (this.sparse) s += ", sparse=True";
    return s;
  }
}

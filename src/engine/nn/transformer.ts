/**
 * nn.TransformerEncoderLayer, nn.TransformerDecoderLayer, their stacks and nn.Transformer as PyTorch 1.13 composes
 * them on its slow path (the one it takes whenever gradients are recorded): each block is attention or feed-forward,
 * its dropout, the residual sum and a LayerNorm, in that order (the norm first with `normFirst`). Submodules are
 * created in PyTorch's order, so after manualSeed the weights are PyTorch's.
 */
import { getRngState, setRngState } from "../create_random";
import { RuntimeError } from "../errors";
import * as F from "../functional";
import { full } from "../create";
import { noGrad } from "../autograd/grad_mode";
import type { Tensor } from "../tensor";
import { MultiheadAttention } from "./attention";
import { ModuleList } from "./containers";
import { Dropout } from "./dropout";
import { xavierUniform_ } from "./init";
import { Linear } from "./layers";
import { Module } from "./module";
import { LayerNorm } from "./normalization";

export type TransformerActivation = "relu" | "gelu" | ((x: Tensor) => Tensor) | Module;

export interface TransformerLayerOptions {
  dimFeedforward?: number;
  dropout?: number;
  activation?: TransformerActivation;
  layerNormEps?: number;
  batchFirst?: boolean;
  normFirst?: boolean;
}

export interface EncoderCallOptions {
  /** The attention mask of every layer: [S, S] or [N·heads, S, S]; bool true = not attended, a float one is added. */
  mask?: Tensor | null;
  /** [N, S]: true (or −inf) marks a padding position of the source. */
  srcKeyPaddingMask?: Tensor | null;
}

/** TransformerEncoderLayer's call options, named as PyTorch's `src_mask`, `src_key_padding_mask`. */
export interface EncoderLayerCallOptions {
  srcMask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
}

export interface DecoderCallOptions {
  tgtMask?: Tensor | null;
  memoryMask?: Tensor | null;
  tgtKeyPaddingMask?: Tensor | null;
  memoryKeyPaddingMask?: Tensor | null;
}

function activationFn(activation: TransformerActivation): (x: Tensor) => Tensor {
  if (activation === "relu") return (x) => F.relu(x);
  if (activation === "gelu") return (x) => F.gelu(x);
  if (typeof activation === "string") throw new RuntimeError(`activation should be relu/gelu, not ${String(activation)}`);
  // A module is wrapped, so that the property holding the call is not a second registration of the module.
  if (activation instanceof Module) return (x) => (activation as unknown as (x: Tensor) => Tensor)(x);
  return activation;
}

function checkPaddingMask(mask: Tensor | null | undefined): void {
  if (mask && mask.dtype !== "bool" && mask.dtype !== "float32" && mask.dtype !== "float64") {
    throw new RuntimeError("only bool and floating types of key_padding_mask are supported");
  }
}

/** What the encoder and decoder layers share: the feed-forward block and how a copy of one is made. */
abstract class TransformerLayerBase extends Module {
  readonly normFirst: boolean;
  protected readonly activationCall: (x: Tensor) => Tensor;

  constructor(
    readonly dModel: number,
    readonly nhead: number,
    protected readonly options: TransformerLayerOptions,
  ) {
    super();
    this.normFirst = options.normFirst ?? false;
    this.activationCall = activationFn(options.activation ?? "relu");
  }

  /** A module given as the activation is a child (PyTorch's `self.activation = activation` registers it). */
  protected registerActivation(): void {
    // A plain property, so it is found after the layers assigned before it, in PyTorch's order.
    if (this.options.activation instanceof Module) Object.assign(this, { activation: this.options.activation });
  }

  protected feedForward(x: Tensor, linear1: Linear, dropout: Dropout, linear2: Linear, after: Dropout): Tensor {
    return after(linear2(dropout(this.activationCall(linear1(x)))));
  }

  /** copy.deepcopy's equivalent: the same configuration and values, drawing nothing from the generator. */
  abstract clone(): this;

  protected cloneWith(make: () => this): this {
    const state = getRngState();
    let copy: this;
    try {
      copy = make();
    } finally {
      setRngState(state);
    }
    const target = copy.stateDict({ keepVars: true });
    noGrad(() => {
      for (const [name, t] of Object.entries(this.stateDict())) target[name].copy_(t);
    });
    copy.train(this.training);
    return copy;
  }
}

export class TransformerEncoderLayer extends TransformerLayerBase {
  readonly self_attn: MultiheadAttention;
  readonly linear1: Linear;
  readonly dropout: Dropout;
  readonly linear2: Linear;
  readonly norm1: LayerNorm;
  readonly norm2: LayerNorm;
  readonly dropout1: Dropout;
  readonly dropout2: Dropout;

  constructor(dModel: number, nhead: number, options: TransformerLayerOptions = {}) {
    super(dModel, nhead, options);
    const p = options.dropout ?? 0.1;
    const eps = options.layerNormEps ?? 1e-5;
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst: options.batchFirst ?? false });
    this.linear1 = new Linear(dModel, options.dimFeedforward ?? 2048);
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(options.dimFeedforward ?? 2048, dModel);
    this.norm1 = new LayerNorm(dModel, { eps });
    this.norm2 = new LayerNorm(dModel, { eps });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    this.registerActivation();
  }

  clone(): this {
    return this.cloneWith(() => new TransformerEncoderLayer(this.dModel, this.nhead, this.options) as this);
  }

  forward(src: Tensor, options: EncoderLayerCallOptions = {}): Tensor {
    checkPaddingMask(options.srcKeyPaddingMask);
    const selfAttention = (x: Tensor) => {
      const [out] = this.self_attn(x, x, x, { attnMask: options.srcMask ?? null, keyPaddingMask: options.srcKeyPaddingMask ?? null, needWeights: false });
      return this.dropout1(out);
    };
    const feedForward = (x: Tensor) => this.feedForward(x, this.linear1, this.dropout, this.linear2, this.dropout2);
    let x = src;
    if (this.normFirst) {
      x = x.add(selfAttention(this.norm1(x)));
      return x.add(feedForward(this.norm2(x)));
    }
    x = this.norm1(x.add(selfAttention(x)));
    return this.norm2(x.add(feedForward(x)));
  }
}

export class TransformerDecoderLayer extends TransformerLayerBase {
  readonly self_attn: MultiheadAttention;
  readonly multihead_attn: MultiheadAttention;
  readonly linear1: Linear;
  readonly dropout: Dropout;
  readonly linear2: Linear;
  readonly norm1: LayerNorm;
  readonly norm2: LayerNorm;
  readonly norm3: LayerNorm;
  readonly dropout1: Dropout;
  readonly dropout2: Dropout;
  readonly dropout3: Dropout;

  constructor(dModel: number, nhead: number, options: TransformerLayerOptions = {}) {
    super(dModel, nhead, options);
    const p = options.dropout ?? 0.1;
    const eps = options.layerNormEps ?? 1e-5;
    const batchFirst = options.batchFirst ?? false;
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst });
    this.multihead_attn = new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst });
    this.linear1 = new Linear(dModel, options.dimFeedforward ?? 2048);
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(options.dimFeedforward ?? 2048, dModel);
    this.norm1 = new LayerNorm(dModel, { eps });
    this.norm2 = new LayerNorm(dModel, { eps });
    this.norm3 = new LayerNorm(dModel, { eps });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    this.dropout3 = new Dropout(p);
    this.registerActivation();
  }

  clone(): this {
    return this.cloneWith(() => new TransformerDecoderLayer(this.dModel, this.nhead, this.options) as this);
  }

  forward(tgt: Tensor, memory: Tensor, options: DecoderCallOptions = {}): Tensor {
    const selfAttention = (x: Tensor) => {
      const [out] = this.self_attn(x, x, x, { attnMask: options.tgtMask ?? null, keyPaddingMask: options.tgtKeyPaddingMask ?? null, needWeights: false });
      return this.dropout1(out);
    };
    const crossAttention = (x: Tensor) => {
      const [out] = this.multihead_attn(x, memory, memory, { attnMask: options.memoryMask ?? null, keyPaddingMask: options.memoryKeyPaddingMask ?? null, needWeights: false });
      return this.dropout2(out);
    };
    const feedForward = (x: Tensor) => this.feedForward(x, this.linear1, this.dropout, this.linear2, this.dropout3);
    let x = tgt;
    if (this.normFirst) {
      x = x.add(selfAttention(this.norm1(x)));
      x = x.add(crossAttention(this.norm2(x)));
      return x.add(feedForward(this.norm3(x)));
    }
    x = this.norm1(x.add(selfAttention(x)));
    x = this.norm2(x.add(crossAttention(x)));
    return this.norm3(x.add(feedForward(x)));
  }
}

/** PyTorch's _get_clones: a ModuleList of `n` deep copies of `layer` (equal weights, not shared). */
function clones(layer: TransformerLayerBase, n: number): ModuleList {
  return new ModuleList(Array.from({ length: n }, () => layer.clone()));
}

export class TransformerEncoder extends Module {
  readonly layers: ModuleList;
  readonly norm: Module | null;

  /** `enableNestedTensor` is accepted and ignored: nested tensors are only a fast path of PyTorch's inference. */
  constructor(
    encoderLayer: TransformerEncoderLayer,
    readonly numLayers: number,
    options: { norm?: Module | null; enableNestedTensor?: boolean } = {},
  ) {
    super();
    this.layers = clones(encoderLayer, numLayers);
    this.norm = options.norm ?? null;
  }

  forward(src: Tensor, options: EncoderCallOptions = {}): Tensor {
    let out = src;
    for (const layer of this.layers.children() as TransformerEncoderLayer[]) out = layer(out, { srcMask: options.mask, srcKeyPaddingMask: options.srcKeyPaddingMask });
    return this.norm ? (this.norm as unknown as (x: Tensor) => Tensor)(out) : out;
  }
}

export class TransformerDecoder extends Module {
  readonly layers: ModuleList;
  readonly norm: Module | null;

  constructor(
    decoderLayer: TransformerDecoderLayer,
    readonly numLayers: number,
    options: { norm?: Module | null } = {},
  ) {
    super();
    this.layers = clones(decoderLayer, numLayers);
    this.norm = options.norm ?? null;
  }

  forward(tgt: Tensor, memory: Tensor, options: DecoderCallOptions = {}): Tensor {
    let out = tgt;
    for (const layer of this.layers.children() as TransformerDecoderLayer[]) out = layer(out, memory, options);
    return this.norm ? (this.norm as unknown as (x: Tensor) => Tensor)(out) : out;
  }
}

export interface TransformerOptions extends TransformerLayerOptions {
  dModel?: number;
  nhead?: number;
  numEncoderLayers?: number;
  numDecoderLayers?: number;
  customEncoder?: Module | null;
  customDecoder?: Module | null;
}

export interface TransformerCallOptions {
  srcMask?: Tensor | null;
  tgtMask?: Tensor | null;
  memoryMask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
  tgtKeyPaddingMask?: Tensor | null;
  memoryKeyPaddingMask?: Tensor | null;
}

type EncoderLike = (src: Tensor, options: EncoderCallOptions) => Tensor;
type DecoderLike = (tgt: Tensor, memory: Tensor, options: DecoderCallOptions) => Tensor;

export class Transformer extends Module {
  readonly encoder: Module;
  readonly decoder: Module;
  readonly dModel: number;
  readonly nhead: number;
  readonly batchFirst: boolean;

  constructor(options: TransformerOptions = {}) {
    super();
    this.dModel = options.dModel ?? 512;
    this.nhead = options.nhead ?? 8;
    this.batchFirst = options.batchFirst ?? false;
    const eps = options.layerNormEps ?? 1e-5;
    if (options.customEncoder) this.encoder = options.customEncoder;
    else {
      const layer = new TransformerEncoderLayer(this.dModel, this.nhead, options);
      this.encoder = new TransformerEncoder(layer, options.numEncoderLayers ?? 6, { norm: new LayerNorm(this.dModel, { eps }) });
    }
    if (options.customDecoder) this.decoder = options.customDecoder;
    else {
      const layer = new TransformerDecoderLayer(this.dModel, this.nhead, options);
      this.decoder = new TransformerDecoder(layer, options.numDecoderLayers ?? 6, { norm: new LayerNorm(this.dModel, { eps }) });
    }
    // PyTorch's _reset_parameters: every matrix redrawn, xavier-uniform, in parameter order.
    for (const p of this.parameters()) if (p.ndim > 1) xavierUniform_(p);
  }

  forward(src: Tensor, tgt: Tensor, options: TransformerCallOptions = {}): Tensor {
    const batched = src.ndim === 3;
    if (!this.batchFirst && batched && src.shape[1] !== tgt.shape[1]) throw new RuntimeError("the batch number of src and tgt must be equal");
    if (this.batchFirst && batched && src.shape[0] !== tgt.shape[0]) throw new RuntimeError("the batch number of src and tgt must be equal");
    if (src.shape[src.ndim - 1] !== this.dModel || tgt.shape[tgt.ndim - 1] !== this.dModel) {
      throw new RuntimeError("the feature number of src and tgt must be equal to d_model");
    }
    const memory = (this.encoder as unknown as EncoderLike)(src, { mask: options.srcMask, srcKeyPaddingMask: options.srcKeyPaddingMask });
    return (this.decoder as unknown as DecoderLike)(tgt, memory, {
      tgtMask: options.tgtMask,
      memoryMask: options.memoryMask,
      tgtKeyPaddingMask: options.tgtKeyPaddingMask,
      memoryKeyPaddingMask: options.memoryKeyPaddingMask,
    });
  }

  /** A causal mask: −inf above the diagonal, 0 elsewhere (PyTorch's `generate_square_subsequent_mask`). */
  static generateSquareSubsequentMask(sz: number): Tensor {
    return full([sz, sz], -Infinity).triu(1);
  }
}

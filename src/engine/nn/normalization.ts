/**
 * Normalisation modules: nn.BatchNorm1d/2d (buffers running_mean, running_var, num_batches_tracked, updated in
 * training mode and used in eval mode), nn.LayerNorm, nn.GroupNorm, nn.InstanceNorm1d/2d.
 */
import { noGrad } from "../autograd/grad_mode";
import { ValueError } from "../errors";
import { batchNorm, groupNorm, instanceNorm, layerNorm } from "../functional/normalization";
import { empty } from "../ops/operands";
import type { DType } from "../dtype";
import type { Tensor } from "../tensor";
import { Module } from "./module";
import { Parameter } from "./parameter";
import { pyFloat, pyRepr } from "./repr";

type FloatDType = "float32" | "float64";

function filled(shape: number[], value: number, dtype: DType): Tensor {
  const t = empty(shape, dtype);
  if (value !== 0) t._data.fill(value);
  return t;
}

export interface BatchNormModuleOptions {
  eps?: number;
  /** The running statistics' step; null averages all batches seen (a cumulative moving average). */
  momentum?: number | null;
  /** Learnable weight (ones) and bias (zeros). */
  affine?: boolean;
  /** Keep running statistics (buffers) and use them in eval mode. */
  trackRunningStats?: boolean;
  dtype?: FloatDType;
}

/** PyTorch's _NormBase and _BatchNorm: parameters, buffers and the forward both batch norms share. */
abstract class BatchNormBase extends Module {
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;

  constructor(
    readonly numFeatures: number,
    options: BatchNormModuleOptions,
  ) {
    super();
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum === undefined ? 0.1 : options.momentum;
    this.affine = options.affine ?? true;
    this.trackRunningStats = options.trackRunningStats ?? true;
    const dtype = options.dtype ?? "float32";
    this.weight = this.affine ? new Parameter(filled([numFeatures], 1, dtype)) : null;
    this.bias = this.affine ? new Parameter(filled([numFeatures], 0, dtype)) : null;
    // PyTorch's buffer names (state dict keys), read here as runningMean, runningVar, numBatchesTracked.
    const track = this.trackRunningStats;
    this.registerBuffer("running_mean", track ? filled([numFeatures], 0, dtype) : null, { property: "runningMean" });
    this.registerBuffer("running_var", track ? filled([numFeatures], 1, dtype) : null, { property: "runningVar" });
    this.registerBuffer("num_batches_tracked", track ? filled([], 0, "int64") : null, { property: "numBatchesTracked" });
  }

  /** PyTorch's `running_mean` buffer. */
  declare readonly runningMean: Tensor | null;
  /** PyTorch's `running_var` buffer. */
  declare readonly runningVar: Tensor | null;
  /** PyTorch's `num_batches_tracked` buffer (int64, 0-dim). */
  declare readonly numBatchesTracked: Tensor | null;

  /** Running statistics back to mean 0, variance 1, and no batches seen. */
  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    noGrad(() => {
      this.runningMean!.zero_();
      this.runningVar!.fill_(1);
      this.numBatchesTracked!.zero_();
    });
  }

  protected abstract checkInputDim(input: Tensor): void;

  forward(input: Tensor): Tensor {
    this.checkInputDim(input);
    let factor = this.momentum ?? 0;
    const tracked = this.numBatchesTracked;
    if (this.training && this.trackRunningStats && tracked) {
      noGrad(() => tracked.add_(1));
      factor = this.momentum === null ? 1 / tracked.item() : this.momentum;
    }
    const useBatchStats = this.training || (this.runningMean === null && this.runningVar === null);
    const useBuffers = !this.training || this.trackRunningStats;
    return batchNorm(input, useBuffers ? this.runningMean : null, useBuffers ? this.runningVar : null, {
      weight: this.weight, bias: this.bias, training: useBatchStats, momentum: factor, eps: this.eps,
    });
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${pyFloat(this.momentum)}, affine=${pyRepr(this.affine)}, track_running_stats=${pyRepr(this.trackRunningStats)}`;
  }
}

/** nn.BatchNorm1d over [N, C] or [N, C, L]. */
export class BatchNorm1d extends BatchNormBase {
  constructor(numFeatures: number, options: BatchNormModuleOptions = {}) {
    super(numFeatures, options);
  }

  protected checkInputDim(input: Tensor): void {
    if (input.ndim !== 2 && input.ndim !== 3) throw new ValueError(`expected 2D or 3D input (got ${input.ndim}D input)`);
  }
}

/** nn.BatchNorm2d over [N, C, H, W]. */
export class BatchNorm2d extends BatchNormBase {
  constructor(numFeatures: number, options: BatchNormModuleOptions = {}) {
    super(numFeatures, options);
  }

  protected checkInputDim(input: Tensor): void {
    if (input.ndim !== 4) throw new ValueError(`expected 4D input (got ${input.ndim}D input)`);
  }
}

/** nn.BatchNorm3d over [N, C, D, H, W]. */
export class BatchNorm3d extends BatchNormBase {
  constructor(numFeatures: number, options: BatchNormModuleOptions = {}) {
    super(numFeatures, options);
  }

  protected checkInputDim(input: Tensor): void {
    if (input.ndim !== 5) throw new ValueError(`expected 5D input (got ${input.ndim}D input)`);
  }
}

export interface LayerNormModuleOptions {
  eps?: number;
  /** Learnable per-element weight (ones) and bias (zeros) of the normalised shape. */
  elementwiseAffine?: boolean;
  dtype?: FloatDType;
}

/** nn.LayerNorm: normalises over the last dims, `normalizedShape`. */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;

  constructor(normalizedShape: number | readonly number[], options: LayerNormModuleOptions = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
    this.eps = options.eps ?? 1e-5;
    this.elementwiseAffine = options.elementwiseAffine ?? true;
    const dtype = options.dtype ?? "float32";
    this.weight = this.elementwiseAffine ? new Parameter(filled(this.normalizedShape.slice(), 1, dtype)) : null;
    this.bias = this.elementwiseAffine ? new Parameter(filled(this.normalizedShape.slice(), 0, dtype)) : null;
  }

  forward(input: Tensor): Tensor {
    return layerNorm(input, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `${pyRepr(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyRepr(this.elementwiseAffine)}`;
  }
}

export interface GroupNormModuleOptions {
  eps?: number;
  affine?: boolean;
  dtype?: FloatDType;
}

/** nn.GroupNorm: the channels in `numGroups` groups, each normalised per sample. */
export class GroupNorm extends Module {
  readonly eps: number;
  readonly affine: boolean;
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;

  constructor(
    readonly numGroups: number,
    readonly numChannels: number,
    options: GroupNormModuleOptions = {},
  ) {
    super();
    if (numChannels % numGroups !== 0) throw new ValueError("num_channels must be divisible by num_groups");
    this.eps = options.eps ?? 1e-5;
    this.affine = options.affine ?? true;
    const dtype = options.dtype ?? "float32";
    this.weight = this.affine ? new Parameter(filled([numChannels], 1, dtype)) : null;
    this.bias = this.affine ? new Parameter(filled([numChannels], 0, dtype)) : null;
  }

  forward(input: Tensor): Tensor {
    return groupNorm(input, this.numGroups, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${pyRepr(this.affine)}`;
  }
}

export interface InstanceNormModuleOptions {
  eps?: number;
  momentum?: number;
  /** Learnable weight and bias; PyTorch's default is false. */
  affine?: boolean;
  /** Keep running statistics; PyTorch's default is false. */
  trackRunningStats?: boolean;
  dtype?: FloatDType;
}

/** PyTorch's _InstanceNorm. */
abstract class InstanceNormBase extends BatchNormBase {
  constructor(numFeatures: number, options: InstanceNormModuleOptions, private readonly spatialDims: number) {
    super(numFeatures, { ...options, affine: options.affine ?? false, trackRunningStats: options.trackRunningStats ?? false });
  }

  protected checkInputDim(input: Tensor): void {
    const batched = this.spatialDims + 2;
    if (input.ndim !== batched && input.ndim !== batched - 1) throw new ValueError(`expected ${batched - 1}D or ${batched}D input (got ${input.ndim}D input)`);
  }

  override forward(input: Tensor): Tensor {
    this.checkInputDim(input);
    if (input.ndim === this.spatialDims + 1) return this.normalise(input.unsqueeze(0)).squeeze(0);
    return this.normalise(input);
  }

  private normalise(input: Tensor): Tensor {
    return instanceNorm(input, {
      runningMean: this.runningMean, runningVar: this.runningVar, weight: this.weight, bias: this.bias,
      useInputStats: this.training || !this.trackRunningStats, momentum: this.momentum ?? 0.1, eps: this.eps,
    });
  }
}

/** nn.InstanceNorm1d over [N, C, L] or [C, L]. */
export class InstanceNorm1d extends InstanceNormBase {
  constructor(numFeatures: number, options: InstanceNormModuleOptions = {}) {
    super(numFeatures, options, 1);
  }
}

/** nn.InstanceNorm2d over [N, C, H, W] or [C, H, W]. */
export class InstanceNorm2d extends InstanceNormBase {
  constructor(numFeatures: number, options: InstanceNormModuleOptions = {}) {
    super(numFeatures, options, 2);
  }
}

/** nn.InstanceNorm3d over [N, C, D, H, W] or [C, D, H, W]. */
export class InstanceNorm3d extends InstanceNormBase {
  constructor(numFeatures: number, options: InstanceNormModuleOptions = {}) {
    super(numFeatures, options, 3);
  }
}

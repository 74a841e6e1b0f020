/** Pooling modules: nn.MaxPool1d/2d/3d, nn.AvgPool1d/2d/3d, nn.AdaptiveAvgPool1d/2d, nn.AdaptiveMaxPool1d/2d. */
import { type IntOrTuple, expandInts } from "../functional/layer_args";
import {
  type AdaptiveSize, adaptiveAvgPool1d, adaptiveAvgPool2d, adaptiveMaxPool1d, adaptiveMaxPool2d, avgPool1d, avgPool2d, maxPool1d, maxPool2d,
} from "../functional/pooling";
import { avgPool3d, maxPool3d } from "../functional/pool3d";
import type { Tensor } from "../tensor";
import { Module } from "./module";
import { pyRepr } from "./repr";

/** What a pooling module with `returnIndices` gives: the values, or [values, indices]. */
export type Pooled<R extends boolean> = R extends true ? [Tensor, Tensor] : Tensor;

export interface MaxPoolModuleOptions<R extends boolean = false> {
  stride?: IntOrTuple | null;
  padding?: IntOrTuple;
  dilation?: IntOrTuple;
  returnIndices?: R;
  ceilMode?: boolean;
}

/** PyTorch's _MaxPoolNd: the arguments kept as given (a number stays a number in the repr). */
abstract class MaxPoolNd<R extends boolean> extends Module {
  readonly stride: IntOrTuple;
  readonly padding: IntOrTuple;
  readonly dilation: IntOrTuple;
  readonly returnIndices: R;
  readonly ceilMode: boolean;

  constructor(
    readonly kernelSize: IntOrTuple,
    options: MaxPoolModuleOptions<R>,
  ) {
    super();
    this.stride = options.stride ?? kernelSize;
    this.padding = options.padding ?? 0;
    this.dilation = options.dilation ?? 1;
    this.returnIndices = (options.returnIndices ?? false) as R;
    this.ceilMode = options.ceilMode ?? false;
  }

  protected options() {
    return { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode };
  }

  override extraRepr(): string {
    return `kernel_size=${pyRepr(this.kernelSize)}, stride=${pyRepr(this.stride)}, padding=${pyRepr(this.padding)}, dilation=${pyRepr(this.dilation)}, ceil_mode=${pyRepr(this.ceilMode)}`;
  }
}

/** nn.MaxPool1d over [N, C, L]; `returnIndices: true` makes forward give [values, indices]. */
export class MaxPool1d<R extends boolean = false> extends MaxPoolNd<R> {
  constructor(kernelSize: IntOrTuple, options: MaxPoolModuleOptions<R> = {}) {
    super(kernelSize, options);
  }

  forward(input: Tensor): Pooled<R> {
    if (this.returnIndices) return maxPool1d(input, this.kernelSize, { ...this.options(), returnIndices: true }) as Pooled<R>;
    return maxPool1d(input, this.kernelSize, this.options()) as Pooled<R>;
  }
}

/** nn.MaxPool2d over [N, C, H, W]; `returnIndices: true` makes forward give [values, indices]. */
export class MaxPool2d<R extends boolean = false> extends MaxPoolNd<R> {
  constructor(kernelSize: IntOrTuple, options: MaxPoolModuleOptions<R> = {}) {
    super(kernelSize, options);
  }

  forward(input: Tensor): Pooled<R> {
    if (this.returnIndices) return maxPool2d(input, this.kernelSize, { ...this.options(), returnIndices: true }) as Pooled<R>;
    return maxPool2d(input, this.kernelSize, this.options()) as Pooled<R>;
  }
}

/** nn.MaxPool3d over [N, C, D, H, W]; `returnIndices: true` makes forward give [values, indices]. */
export class MaxPool3d<R extends boolean = false> extends MaxPoolNd<R> {
  constructor(kernelSize: IntOrTuple, options: MaxPoolModuleOptions<R> = {}) {
    super(kernelSize, options);
  }

  forward(input: Tensor): Pooled<R> {
    if (this.returnIndices) return maxPool3d(input, this.kernelSize, { ...this.options(), returnIndices: true }) as Pooled<R>;
    return maxPool3d(input, this.kernelSize, this.options()) as Pooled<R>;
  }
}

export interface AvgPoolModuleOptions {
  stride?: IntOrTuple | null;
  padding?: IntOrTuple;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

/** nn.AvgPool1d; PyTorch keeps its sizes as 1-tuples, so the repr reads `kernel_size=(3,)`. */
export class AvgPool1d extends Module {
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;

  constructor(kernelSize: IntOrTuple, options: Omit<AvgPoolModuleOptions, "divisorOverride"> = {}) {
    super();
    this.kernelSize = expandInts(kernelSize, 1, "kernel_size", "AvgPool1d");
    this.stride = expandInts(options.stride ?? kernelSize, 1, "stride", "AvgPool1d");
    this.padding = expandInts(options.padding ?? 0, 1, "padding", "AvgPool1d");
    this.ceilMode = options.ceilMode ?? false;
    this.countIncludePad = options.countIncludePad ?? true;
  }

  forward(input: Tensor): Tensor {
    return avgPool1d(input, this.kernelSize, { stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad });
  }

  override extraRepr(): string {
    return `kernel_size=${pyRepr(this.kernelSize)}, stride=${pyRepr(this.stride)}, padding=${pyRepr(this.padding)}`;
  }
}

/** PyTorch's AvgPool2d / AvgPool3d: the arguments kept as given (a number stays a number in the repr). */
abstract class AvgPoolNd extends Module {
  readonly stride: IntOrTuple;
  readonly padding: IntOrTuple;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;

  constructor(
    readonly kernelSize: IntOrTuple,
    options: AvgPoolModuleOptions = {},
  ) {
    super();
    this.stride = options.stride ?? kernelSize;
    this.padding = options.padding ?? 0;
    this.ceilMode = options.ceilMode ?? false;
    this.countIncludePad = options.countIncludePad ?? true;
    this.divisorOverride = options.divisorOverride ?? null;
  }

  protected options() {
    return { stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad, divisorOverride: this.divisorOverride };
  }

  override extraRepr(): string {
    return `kernel_size=${pyRepr(this.kernelSize)}, stride=${pyRepr(this.stride)}, padding=${pyRepr(this.padding)}`;
  }
}

/** nn.AvgPool2d over [N, C, H, W]. */
export class AvgPool2d extends AvgPoolNd {
  forward(input: Tensor): Tensor {
    return avgPool2d(input, this.kernelSize, this.options());
  }
}

/** nn.AvgPool3d over [N, C, D, H, W]. */
export class AvgPool3d extends AvgPoolNd {
  forward(input: Tensor): Tensor {
    return avgPool3d(input, this.kernelSize, this.options());
  }
}

/** nn.AdaptiveAvgPool1d: `outputSize` windows along L. */
export class AdaptiveAvgPool1d extends Module {
  constructor(readonly outputSize: number) {
    super();
  }

  forward(input: Tensor): Tensor {
    return adaptiveAvgPool1d(input, this.outputSize);
  }

  override extraRepr(): string {
    return `output_size=${pyRepr(this.outputSize)}`;
  }
}

/** nn.AdaptiveAvgPool2d: `outputSize` windows per spatial dim (null keeps that dim's size). */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: AdaptiveSize) {
    super();
  }

  forward(input: Tensor): Tensor {
    return adaptiveAvgPool2d(input, this.outputSize);
  }

  override extraRepr(): string {
    return `output_size=${pyRepr(this.outputSize)}`;
  }
}

/** nn.AdaptiveMaxPool1d; `returnIndices: true` makes forward give [values, indices]. */
export class AdaptiveMaxPool1d<R extends boolean = false> extends Module {
  readonly returnIndices: R;

  constructor(
    readonly outputSize: number,
    options: { returnIndices?: R } = {},
  ) {
    super();
    this.returnIndices = (options.returnIndices ?? false) as R;
  }

  forward(input: Tensor): Pooled<R> {
    if (this.returnIndices) return adaptiveMaxPool1d(input, this.outputSize, { returnIndices: true }) as Pooled<R>;
    return adaptiveMaxPool1d(input, this.outputSize) as Pooled<R>;
  }

  override extraRepr(): string {
    return `output_size=${pyRepr(this.outputSize)}`;
  }
}

/** nn.AdaptiveMaxPool2d; `returnIndices: true` makes forward give [values, indices]. */
export class AdaptiveMaxPool2d<R extends boolean = false> extends Module {
  readonly returnIndices: R;

  constructor(
    readonly outputSize: AdaptiveSize,
    options: { returnIndices?: R } = {},
  ) {
    super();
    this.returnIndices = (options.returnIndices ?? false) as R;
  }

  forward(input: Tensor): Pooled<R> {
    if (this.returnIndices) return adaptiveMaxPool2d(input, this.outputSize, { returnIndices: true }) as Pooled<R>;
    return adaptiveMaxPool2d(input, this.outputSize) as Pooled<R>;
  }

  override extraRepr(): string {
    return `output_size=${pyRepr(this.outputSize)}`;
  }
}

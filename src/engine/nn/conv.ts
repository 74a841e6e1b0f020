/**
 * nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.ConvTranspose1d, nn.ConvTranspose2d with PyTorch's arguments (positional in_channels,
 * out_channels, kernel_size; the rest an options object), initialisation and repr. reset_parameters draws the weight
 * with kaiming_uniform_(a=√5) and then the bias uniform in ±1/√fan_in, from the same generator in the same order as
 * PyTorch, so the numbers equal PyTorch's after manualSeed.
 */
import { ValueError } from "../errors";
import { conv1d, conv2d, conv3d, convTranspose1d, convTranspose2d, convTranspose3d } from "../functional/conv";
import { type IntOrTuple, expandInts } from "../functional/layer_args";
import { pad } from "../functional/padding";
import { empty } from "../ops/operands";
import { fillUniform, kaimingUniformBound } from "../random";
import type { Tensor } from "../tensor";
import { Module } from "./module";
import { Parameter } from "./parameter";
import { pyRepr } from "./repr";

export type PaddingMode = "zeros" | "reflect" | "replicate" | "circular";

export interface ConvModuleOptions {
  stride?: IntOrTuple;
  /** A number, one per spatial dim, "valid" or "same". */
  padding?: IntOrTuple | "same" | "valid";
  dilation?: IntOrTuple;
  groups?: number;
  bias?: boolean;
  /** How the padding is filled: zeros (the convolution's own), or reflect / replicate / circular (F.pad first). */
  paddingMode?: PaddingMode;
  dtype?: "float32" | "float64";
}

export interface ConvTransposeModuleOptions {
  stride?: IntOrTuple;
  padding?: IntOrTuple;
  outputPadding?: IntOrTuple;
  groups?: number;
  bias?: boolean;
  dilation?: IntOrTuple;
  paddingMode?: "zeros";
  dtype?: "float32" | "float64";
}

const PADDING_MODES: readonly string[] = ["zeros", "reflect", "replicate", "circular"];

/** PyTorch's _ConvNd: the parameters, their initialisation and the repr shared by every convolution module. */
abstract class ConvNd extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[] | "same" | "valid";
  readonly dilation: number[];
  readonly outputPadding: number[];
  readonly groups: number;
  readonly paddingMode: PaddingMode;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: IntOrTuple,
    options: ConvModuleOptions & { outputPadding?: IntOrTuple },
    readonly transposed: boolean,
    dims: number,
  ) {
    super();
    const name = this.constructor.name;
    this.groups = options.groups ?? 1;
    if (!Number.isInteger(this.groups) || this.groups <= 0) throw new ValueError("groups must be a positive integer");
    if (inChannels % this.groups !== 0) throw new ValueError("in_channels must be divisible by groups");
    if (outChannels % this.groups !== 0) throw new ValueError("out_channels must be divisible by groups");
    this.kernelSize = expandInts(kernelSize, dims, "kernel_size", name);
    this.stride = expandInts(options.stride ?? 1, dims, "stride", name);
    this.dilation = expandInts(options.dilation ?? 1, dims, "dilation", name);
    this.outputPadding = expandInts(options.outputPadding ?? 0, dims, "output_padding", name);
    const padding = options.padding ?? 0;
    if (typeof padding === "string") {
      if (padding !== "same" && padding !== "valid") throw new ValueError(`Invalid padding string '${String(padding)}', should be one of {'same', 'valid'}`);
      if (padding === "same" && this.stride.some((s) => s !== 1)) throw new ValueError("padding='same' is not supported for strided convolutions");
      this.padding = padding;
    } else this.padding = expandInts(padding, dims, "padding", name);
    this.paddingMode = options.paddingMode ?? "zeros";
    if (!PADDING_MODES.includes(this.paddingMode)) {
      throw new ValueError(`padding_mode must be one of {'replicate', 'zeros', 'reflect', 'circular'}, but got padding_mode='${String(this.paddingMode)}'`);
    }
    const dtype = options.dtype ?? "float32";
    const shape = transposed
      ? [inChannels, outChannels / this.groups, ...this.kernelSize]
      : [outChannels, inChannels / this.groups, ...this.kernelSize];
    const w = empty(shape, dtype);
    const fanIn = shape[1] * this.kernelSize.reduce((a, b) => a * b, 1);
    fillUniform(w._data as Float32Array | Float64Array, -kaimingUniformBound(fanIn), kaimingUniformBound(fanIn));
    this.weight = new Parameter(w);
    if (options.bias ?? true) {
      const b = empty([outChannels], dtype);
      if (fanIn !== 0) fillUniform(b._data as Float32Array | Float64Array, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn));
      this.bias = new Parameter(b);
    } else this.bias = null;
  }

  /** F.pad's amounts for a non-zero padding mode: each dim's (left, right), last dim first. */
  protected reversedPadding(): number[] {
    const pads: number[] = [];
    for (let i = this.kernelSize.length - 1; i >= 0; i--) {
      if (this.padding === "same") {
        const total = this.dilation[i] * (this.kernelSize[i] - 1);
        const left = Math.floor(total / 2);
        pads.push(left, total - left);
      } else if (this.padding === "valid") pads.push(0, 0);
      else pads.push(this.padding[i], this.padding[i]);
    }
    return pads;
  }

  override extraRepr(): string {
    const zeros = (v: number[]) => v.every((x) => x === 0);
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyRepr(this.kernelSize)}, stride=${pyRepr(this.stride)}`;
    if (typeof this.padding === "string") s += `, padding=${this.padding}`;
    else if (!zeros(this.padding)) s += `, padding=${pyRepr(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyRepr(this.dilation)}`;
    if (!zeros(this.outputPadding)) s += `, output_padding=${pyRepr(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ", bias=False";
    if (this.paddingMode !== "zeros") s += `, padding_mode=${this.paddingMode}`;
    return s;
  }
}

type ConvFn = typeof conv2d;

abstract class Conv extends ConvNd {
  protected abstract readonly fn: ConvFn;

  forward(input: Tensor): Tensor {
    const options = { stride: this.stride, dilation: this.dilation, groups: this.groups };
    if (this.paddingMode !== "zeros") {
      const padded = pad(input, this.reversedPadding(), this.paddingMode);
      return this.fn(padded, this.weight, this.bias, { ...options, padding: 0 });
    }
    return this.fn(input, this.weight, this.bias, { ...options, padding: this.padding });
  }
}

/** nn.Conv1d: [N, inChannels, L] → [N, outChannels, L']. */
export class Conv1d extends Conv {
  protected readonly fn: ConvFn = conv1d;

  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, options: ConvModuleOptions = {}) {
    super(inChannels, outChannels, kernelSize, options, false, 1);
  }
}

/** nn.Conv2d: [N, inChannels, H, W] → [N, outChannels, H', W']. */
export class Conv2d extends Conv {
  protected readonly fn: ConvFn = conv2d;

  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, options: ConvModuleOptions = {}) {
    super(inChannels, outChannels, kernelSize, options, false, 2);
  }
}

/** nn.Conv3d: [N, inChannels, D, H, W] → [N, outChannels, D', H', W']. */
export class Conv3d extends Conv {
  protected readonly fn: ConvFn = conv3d;

  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, options: ConvModuleOptions = {}) {
    super(inChannels, outChannels, kernelSize, options, false, 3);
  }
}

abstract class ConvTranspose extends ConvNd {
  protected abstract readonly fn: typeof convTranspose2d;

  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, options: ConvTransposeModuleOptions, dims: number) {
    if ((options.paddingMode ?? "zeros") !== "zeros") throw new ValueError(`Only "zeros" padding mode is supported for ${new.target.name}`);
    super(inChannels, outChannels, kernelSize, options, true, dims);
  }

  /** With `outputSize`, the output padding that gives that size (PyTorch's _output_padding). */
  forward(input: Tensor, outputSize?: readonly number[]): Tensor {
    const padding = this.padding as number[];
    return this.fn(input, this.weight, this.bias, {
      stride: this.stride,
      padding,
      outputPadding: outputSize ? this.outputPaddingFor(input, outputSize) : this.outputPadding,
      groups: this.groups,
      dilation: this.dilation,
    });
  }

  private outputPaddingFor(input: Tensor, requested: readonly number[]): number[] {
    const dims = this.kernelSize.length;
    const nonSpatial = input.ndim === dims + 2 ? 2 : 1;
    const size = requested.length === nonSpatial + dims ? requested.slice(nonSpatial) : requested.slice();
    if (size.length !== dims) {
      throw new ValueError(`ConvTranspose${dims}D: for ${input.ndim}D input, output_size must have ${dims} or ${nonSpatial + dims} elements (got ${requested.length})`);
    }
    const padding = this.padding as number[];
    const min = size.map((_, d) => (input.shape[d + nonSpatial] - 1) * this.stride[d] - 2 * padding[d] + this.dilation[d] * (this.kernelSize[d] - 1) + 1);
    const max = min.map((m, d) => m + this.stride[d] - 1);
    if (size.some((s, i) => s < min[i] || s > max[i])) {
      throw new ValueError(`requested an output size of [${size.join(", ")}], but valid sizes range from [${min.join(", ")}] to [${max.join(", ")}] (for an input of torch.Size([${input.shape.slice(nonSpatial).join(", ")}]))`);
    }
    return size.map((s, d) => s - min[d]);
  }
}

/** nn.ConvTranspose1d; weight [inChannels, outChannels/groups, k]. */
export class ConvTranspose1d extends ConvTranspose {
  protected readonly fn = convTranspose1d;

  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, options: ConvTransposeModuleOptions = {}) {
    super(inChannels, outChannels, kernelSize, options, 1);
  }
}

/** nn.ConvTranspose2d; weight [inChannels, outChannels/groups, kH, kW]. */
export class ConvTranspose2d extends ConvTranspose {
  protected readonly fn = convTranspose2d;

  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, options: ConvTransposeModuleOptions = {}) {
    super(inChannels, outChannels, kernelSize, options, 2);
  }
}

/** nn.ConvTranspose3d; weight [inChannels, outChannels/groups, kD, kH, kW]. */
export class ConvTranspose3d extends ConvTranspose {
  protected readonly fn = convTranspose3d;

  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, options: ConvTransposeModuleOptions = {}) {
    super(inChannels, outChannels, kernelSize, options, 3);
  }
}

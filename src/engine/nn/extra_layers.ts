/** nn.PReLU, nn.Bilinear, nn.Unfold and nn.Fold: modules over F.prelu, F.bilinear, F.unfold and F.fold. */
import { bilinear } from "../functional/bilinear";
import type { IntOrTuple } from "../functional/layer_args";
import { prelu } from "../functional/prelu";
import { fold, unfold } from "../functional/vision";
import { empty } from "../ops/operands";
import { fillUniform } from "../random";
import type { Tensor } from "../tensor";
import { Module } from "./module";
import { Parameter } from "./parameter";
import { pyRepr } from "./repr";

/** nn.PReLU: a learnable negative slope, one for all channels or one per channel, all starting at `init`. */
export class PReLU extends Module {
  readonly weight: Parameter;

  constructor(
    readonly numParameters = 1,
    init = 0.25,
    options: { dtype?: "float32" | "float64" } = {},
  ) {
    super();
    const w = empty([numParameters], options.dtype ?? "float32");
    w._data.fill(init);
    this.weight = new Parameter(w);
  }

  forward(x: Tensor): Tensor {
    return prelu(x, this.weight);
  }

  override extraRepr(): string {
    return `num_parameters=${this.numParameters}`;
  }
}

/** nn.Bilinear: y = x1ᵀ·W·x2 + b; W [out, in1, in2] then b drawn uniform in ±1/√in1, as PyTorch. */
export class Bilinear extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;

  constructor(
    readonly in1Features: number,
    readonly in2Features: number,
    readonly outFeatures: number,
    options: { bias?: boolean; dtype?: "float32" | "float64" } = {},
  ) {
    super();
    const dtype = options.dtype ?? "float32";
    const bound = 1 / Math.sqrt(in1Features);
    const w = empty([outFeatures, in1Features, in2Features], dtype);
    fillUniform(w._data as Float32Array | Float64Array, -bound, bound);
    this.weight = new Parameter(w);
    if (options.bias ?? true) {
      const b = empty([outFeatures], dtype);
      fillUniform(b._data as Float32Array | Float64Array, -bound, bound);
      this.bias = new Parameter(b);
    } else this.bias = null;
  }

  forward(input1: Tensor, input2: Tensor): Tensor {
    return bilinear(input1, input2, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in1_features=${this.in1Features}, in2_features=${this.in2Features}, out_features=${this.outFeatures}, bias=${pyRepr(this.bias !== null)}`;
  }
}

export interface FoldModuleOptions {
  dilation?: IntOrTuple;
  padding?: IntOrTuple;
  stride?: IntOrTuple;
}

/** nn.Unfold: the sliding blocks of [N, C, H, W] as the columns of [N, C·kH·kW, L]. */
export class Unfold extends Module {
  readonly dilation: IntOrTuple;
  readonly padding: IntOrTuple;
  readonly stride: IntOrTuple;

  constructor(
    readonly kernelSize: IntOrTuple,
    options: FoldModuleOptions = {},
  ) {
    super();
    this.dilation = options.dilation ?? 1;
    this.padding = options.padding ?? 0;
    this.stride = options.stride ?? 1;
  }

  forward(input: Tensor): Tensor {
    return unfold(input, this.kernelSize, { dilation: this.dilation, padding: this.padding, stride: this.stride });
  }

  override extraRepr(): string {
    return `kernel_size=${pyRepr(this.kernelSize)}, dilation=${pyRepr(this.dilation)}, padding=${pyRepr(this.padding)}, stride=${pyRepr(this.stride)}`;
  }
}

/** nn.Fold: Unfold's columns summed back into an image of `outputSize`. */
export class Fold extends Module {
  readonly dilation: IntOrTuple;
  readonly padding: IntOrTuple;
  readonly stride: IntOrTuple;

  constructor(
    readonly outputSize: IntOrTuple,
    readonly kernelSize: IntOrTuple,
    options: FoldModuleOptions = {},
  ) {
    super();
    this.dilation = options.dilation ?? 1;
    this.padding = options.padding ?? 0;
    this.stride = options.stride ?? 1;
  }

  forward(input: Tensor): Tensor {
    return fold(input, this.outputSize, this.kernelSize, { dilation: this.dilation, padding: this.padding, stride: this.stride });
  }

  override extraRepr(): string {
    return `output_size=${pyRepr(this.outputSize)}, kernel_size=${pyRepr(this.kernelSize)}, dilation=${pyRepr(this.dilation)}, padding=${pyRepr(this.padding)}, stride=${pyRepr(this.stride)}`;
  }
}

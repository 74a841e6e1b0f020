/** Dropout modules: nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.AlphaDropout; active in training mode only. */
import { ValueError } from "../errors";
import { alphaDropout, dropout, dropout1d, dropout2d } from "../functional/dropout";
import type { Generator } from "../random";
import type { Tensor } from "../tensor";
import { Module } from "./module";
import { pyFloat, pyRepr } from "./repr";

export interface DropoutModuleOptions {
  inplace?: boolean;
  /** Draw the masks from this generator instead of the default one. */
  generator?: Generator;
}

type DropoutFn = typeof dropout;

/** PyTorch's _DropoutNd. */
abstract class DropoutNd extends Module {
  readonly inplace: boolean;
  private readonly generator: Generator | undefined;
  protected abstract readonly fn: DropoutFn;

  constructor(
    readonly p = 0.5,
    options: DropoutModuleOptions = {},
  ) {
    super();
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new ValueError(`dropout probability has to be between 0 and 1, but got ${p}`);
    this.inplace = options.inplace ?? false;
    this.generator = options.generator;
  }

  forward(input: Tensor): Tensor {
    return this.fn(input, this.p, { training: this.training, inplace: this.inplace, generator: this.generator });
  }

  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyRepr(this.inplace)}`;
  }
}

/** nn.Dropout: in training, each element zeroed with probability p and the rest scaled by 1/(1 − p). */
export class Dropout extends DropoutNd {
  protected readonly fn: DropoutFn = dropout;
}

/** nn.Dropout1d: whole channels of [N, C, L] zeroed. */
export class Dropout1d extends DropoutNd {
  protected readonly fn: DropoutFn = dropout1d;
}

/** nn.Dropout2d: whole channels of [N, C, H, W] zeroed. */
export class Dropout2d extends DropoutNd {
  protected readonly fn: DropoutFn = dropout2d;
}

/** nn.AlphaDropout, for SELU networks. */
export class AlphaDropout extends DropoutNd {
  protected readonly fn: DropoutFn = alphaDropout;
}

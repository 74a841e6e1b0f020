/** nn.LocalResponseNorm: F.localResponseNorm with its size, alpha, beta and k kept, and PyTorch's repr. */
import { type LocalResponseNormOptions, localResponseNorm } from "../functional/local_response_norm";
import type { Tensor } from "../tensor";
import { Module } from "./module";
import { pyFloat } from "./repr";

export class LocalResponseNorm extends Module {
  readonly alpha: number;
  readonly beta: number;
  readonly k: number;

  constructor(
    readonly size: number,
    options: LocalResponseNormOptions = {},
  ) {
    super();
    this.alpha = options.alpha ?? 1e-4;
    this.beta = options.beta ?? 0.75;
    this.k = options.k ?? 1.0;
  }

  forward(input: Tensor): Tensor {
    return localResponseNorm(input, this.size, { alpha: this.alpha, beta: this.beta, k: this.k });
  }

  override extraRepr(): string {
    return `${this.size}, alpha=${pyFloat(this.alpha)}, beta=${pyFloat(this.beta)}, k=${pyFloat(this.k)}`;
  }
}

/** The layers: Linear and the activations as modules (the losses are in losses.ts). */
import { RuntimeError } from "../errors";
import * as F from "../functional";
import { empty } from "../ops/operands";
import { fillUniform, linearInitBounds } from "../random";
import type { Tensor } from "../tensor";
import { Module } from "./module";
import { Parameter } from "./parameter";

export interface LinearOptions {
  bias?: boolean;
  dtype?: "float32" | "float64";
}

/** y = x·Wᵀ + b, initialised as PyTorch: W then b uniform in ±1/√in, drawn in that order from the generator. */
export class Linear extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    super();
    for (const [name, v] of [["in_features", inFeatures], ["out_features", outFeatures]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new RuntimeError(`Linear(): ${name} must be a non-negative integer, but got ${v}`);
    }
    const dtype = options.dtype ?? "float32";
    const bounds = linearInitBounds(inFeatures);
    const w = empty([outFeatures, inFeatures], dtype);
    fillUniform(w._data as Float32Array | Float64Array, -bounds.weight, bounds.weight);
    this.weight = new Parameter(w);
    if (options.bias ?? true) {
      const b = empty([outFeatures], dtype);
      fillUniform(b._data as Float32Array | Float64Array, -bounds.bias, bounds.bias);
      this.bias = new Parameter(b);
    } else this.bias = null;
  }

  forward(x: Tensor): Tensor {
    return F.linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias ? "True" : "False"}`;
  }
}

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return F.relu(x);
  }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return F.tanh(x);
  }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return F.sigmoid(x);
  }
}

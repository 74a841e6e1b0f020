/** Activation modules, each printed as PyTorch prints it (`LeakyReLU(negative_slope=0.01)`, `GELU(approximate='none')`). */
import * as A from "../functional/activation_more";
import { logSoftmax, softmax } from "../functional/activation";
import { pythonFloatRepr } from "../print";
import { warn } from "../recorder";
import type { Tensor } from "../tensor";
import { Module } from "./module";

/** A float parameter as Python prints the float (1.0, 0.01). */
const float = pythonFloatRepr;
const inplaceSuffix = (inplace: boolean) => (inplace ? ", inplace=True" : "");

export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01, readonly inplace = false) {
    super();
  }

  forward(x: Tensor): Tensor {
    return A.leakyRelu(x, this.negativeSlope, this.inplace);
  }

  override extraRepr(): string {
    return `negative_slope=${float(this.negativeSlope)}${inplaceSuffix(this.inplace)}`;
  }
}

export class ELU extends Module {
  constructor(readonly alpha = 1, readonly inplace = false) {
    super();
  }

  forward(x: Tensor): Tensor {
    return A.elu(x, this.alpha, this.inplace);
  }

  override extraRepr(): string {
    return `alpha=${float(this.alpha)}${inplaceSuffix(this.inplace)}`;
  }
}

export class SELU extends Module {
  constructor(readonly inplace = false) {
    super();
  }

  forward(x: Tensor): Tensor {
    return A.selu(x, this.inplace);
  }

  override extraRepr(): string {
    return this.inplace ? "inplace=True" : "";
  }
}

export class CELU extends Module {
  constructor(readonly alpha = 1, readonly inplace = false) {
    super();
  }

  forward(x: Tensor): Tensor {
    return A.celu(x, this.alpha, this.inplace);
  }

  override extraRepr(): string {
    return `alpha=${float(this.alpha)}${inplaceSuffix(this.inplace)}`;
  }
}

export class GELU extends Module {
  constructor(readonly approximate: "none" | "tanh" = "none") {
    super();
  }

  forward(x: Tensor): Tensor {
    return A.gelu(x, this.approximate);
  }

  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** Modules with an `inplace` flag and no other parameter, printed with it when set. */
abstract class InplaceActivation extends Module {
  constructor(readonly inplace = false) {
    super();
  }

  override extraRepr(): string {
    return this.inplace ? "inplace=True" : "";
  }
}

export class SiLU extends InplaceActivation {
  forward(x: Tensor): Tensor {
    return A.silu(x, this.inplace);
  }
}

export class Mish extends InplaceActivation {
  forward(x: Tensor): Tensor {
    return A.mish(x, this.inplace);
  }
}

export class ReLU6 extends InplaceActivation {
  forward(x: Tensor): Tensor {
    return A.relu6(x, this.inplace);
  }
}

/** Hardsigmoid and Hardswish take `inplace` but PyTorch never prints it. */
export class Hardsigmoid extends Module {
  constructor(readonly inplace = false) {
    super();
  }

  forward(x: Tensor): Tensor {
    return A.hardsigmoid(x, this.inplace);
  }
}

export class Hardswish extends Module {
  constructor(readonly inplace = false) {
    super();
  }

  forward(x: Tensor): Tensor {
    return A.hardswish(x, this.inplace);
  }
}

export class Softsign extends Module {
  forward(x: Tensor): Tensor {
    return A.softsign(x);
  }
}

export class LogSigmoid extends Module {
  forward(x: Tensor): Tensor {
    return A.logsigmoid(x);
  }
}

export class Softplus extends Module {
  constructor(readonly beta = 1, readonly threshold = 20) {
    super();
  }

  forward(x: Tensor): Tensor {
    return A.softplus(x, this.beta, this.threshold);
  }

  override extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}

export class Hardtanh extends Module {
  constructor(readonly minVal = -1, readonly maxVal = 1, readonly inplace = false) {
    super();
  }

  forward(x: Tensor): Tensor {
    return A.hardtanh(x, this.minVal, this.maxVal, this.inplace);
  }

  override extraRepr(): string {
    return `min_val=${float(this.minVal)}, max_val=${float(this.maxVal)}${inplaceSuffix(this.inplace)}`;
  }
}

export class Threshold extends Module {
  constructor(readonly threshold: number, readonly value: number, readonly inplace = false) {
    super();
  }

  forward(x: Tensor): Tensor {
    return A.threshold(x, this.threshold, this.value, this.inplace);
  }

  override extraRepr(): string {
    return `threshold=${this.threshold}, value=${this.value}${inplaceSuffix(this.inplace)}`;
  }
}

export class GLU extends Module {
  constructor(readonly dim = -1) {
    super();
  }

  forward(x: Tensor): Tensor {
    return A.glu(x, this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** Softmax, LogSoftmax and Softmin over `dim` (PyTorch prints dim=None when none was given). */
abstract class SoftmaxLike extends Module {
  constructor(readonly dim: number | null = null) {
    super();
  }

  protected abstract activate(x: Tensor, dim: number): Tensor;
  protected abstract readonly pythonName: string;

  forward(x: Tensor): Tensor {
    // PyTorch's legacy choice of dim when none is given (_get_softmax_dim), with its warning.
    if (this.dim === null) warn(`Implicit dimension choice for ${this.pythonName} has been deprecated. Change the call to include dim=X as an argument.`);
    const dim = this.dim ?? (x.ndim === 0 || x.ndim === 1 || x.ndim === 3 ? 0 : 1);
    return this.activate(x, dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim === null ? "None" : this.dim}`;
  }
}

export class Softmax extends SoftmaxLike {
  protected readonly pythonName = "softmax";

  protected activate(x: Tensor, dim: number): Tensor {
    return softmax(x, dim);
  }
}

export class LogSoftmax extends SoftmaxLike {
  protected readonly pythonName = "log_softmax";

  protected activate(x: Tensor, dim: number): Tensor {
    return logSoftmax(x, dim);
  }
}

export class Softmin extends SoftmaxLike {
  protected readonly pythonName = "softmin";

  protected activate(x: Tensor, dim: number): Tensor {
    return A.softmin(x, dim);
  }
}

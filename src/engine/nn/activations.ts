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

  protected override extraRepr(): string {
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

  protected override extraRepr(): string {
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

  protected override extraRepr(): string {
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

  protected override extraRepr(): string {
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

  protected override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** Modules with an `inplace` flag and no other parameter. */
function inplaceActivation(name: string, f: (x: Tensor, inplace: boolean) => Tensor) {
  const cls = class extends Module {
    constructor(readonly inplace = false) {
      super();
    }

    forward(x: Tensor): Tensor {
      return f(x, this.inplace);
    }

    protected override extraRepr(): string {
      return this.inplace ? "inplace=True" : "";
    }
  };
  Object.defineProperty(cls, "name", { value: name });
  return cls;
}

export const SiLU = inplaceActivation("SiLU", A.silu);
export const Mish = inplaceActivation("Mish", A.mish);
export const ReLU6 = inplaceActivation("ReLU6", A.relu6);

/** Modules PyTorch prints without arguments (Hardsigmoid and Hardswish take `inplace` but never print it). */
function plainActivation(name: string, f: (x: Tensor, inplace: boolean) => Tensor) {
  const cls = class extends Module {
    constructor(readonly inplace = false) {
      super();
    }

    forward(x: Tensor): Tensor {
      return f(x, this.inplace);
    }
  };
  Object.defineProperty(cls, "name", { value: name });
  return cls;
}

export const Hardsigmoid = plainActivation("Hardsigmoid", A.hardsigmoid);
export const Hardswish = plainActivation("Hardswish", A.hardswish);
export const Softsign = plainActivation("Softsign", (x) => A.softsign(x));
export const LogSigmoid = plainActivation("LogSigmoid", (x) => A.logsigmoid(x));

export class Softplus extends Module {
  constructor(readonly beta = 1, readonly threshold = 20) {
    super();
  }

  forward(x: Tensor): Tensor {
    return A.softplus(x, this.beta, this.threshold);
  }

  protected override extraRepr(): string {
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

  protected override extraRepr(): string {
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

  protected override extraRepr(): string {
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

  protected override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** Softmax, LogSoftmax and Softmin over `dim` (PyTorch prints dim=None when none was given). */
function softmaxModule(name: string, f: (x: Tensor, dim: number) => Tensor, pythonName: string) {
  const cls = class extends Module {
    constructor(readonly dim: number | null = null) {
      super();
    }

    forward(x: Tensor): Tensor {
      // PyTorch's legacy choice of dim when none is given (_get_softmax_dim), with its warning.
      if (this.dim === null) warn(`Implicit dimension choice for ${pythonName} has been deprecated. Change the call to include dim=X as an argument.`);
      const dim = this.dim ?? (x.ndim === 0 || x.ndim === 1 || x.ndim === 3 ? 0 : 1);
      return f(x, dim);
    }

    protected override extraRepr(): string {
      return `dim=${this.dim === null ? "None" : this.dim}`;
    }
  };
  Object.defineProperty(cls, "name", { value: name });
  return cls;
}

export const Softmax = softmaxModule("Softmax", softmax, "softmax");
export const LogSoftmax = softmaxModule("LogSoftmax", logSoftmax, "log_softmax");
export const Softmin = softmaxModule("Softmin", A.softmin, "softmin");

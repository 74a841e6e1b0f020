/**
 * The scalars of PyTorch's LBFGS are of two kinds: Python floats (the loss, lr, tolerances) and 0-dim tensors of
 * the parameters' dtype (dot products, `H_diag`, often the step `t`). Mixed arithmetic follows PyTorch: a tensor
 * and a Python float give a tensor, the float first rounded to the tensor's dtype; `float / tensor` is
 * `tensor.reciprocal() * float`; a comparison with a tensor compares in the tensor's dtype. Those roundings decide
 * which branch the line search takes, so they are kept here rather than computing everything in double.
 */

/** A Python float (`tensor: false`) or a 0-dim tensor's value. */
export interface Num {
  readonly v: number;
  readonly tensor: boolean;
}

export class NumOps {
  constructor(private readonly r: (x: number) => number) {}

  py(v: number): Num {
    return { v, tensor: false };
  }

  ten(v: number): Num {
    return { v: this.r(v), tensor: true };
  }

  add(a: Num, b: Num): Num {
    return this.binary(a, b, (x, y) => x + y);
  }

  sub(a: Num, b: Num): Num {
    return this.binary(a, b, (x, y) => x - y);
  }

  mul(a: Num, b: Num): Num {
    return this.binary(a, b, (x, y) => x * y);
  }

  div(a: Num, b: Num): Num {
    if (!a.tensor && b.tensor) return this.ten(this.r(1 / b.v) * this.r(a.v)); // Tensor.__rtruediv__
    return this.binary(a, b, (x, y) => x / y);
  }

  neg(a: Num): Num {
    return { v: -a.v, tensor: a.tensor };
  }

  abs(a: Num): Num {
    return { v: Math.abs(a.v), tensor: a.tensor };
  }

  sqrt(a: Num): Num {
    return a.tensor ? this.ten(Math.sqrt(a.v)) : this.py(Math.sqrt(a.v));
  }

  /** `x ** 2`: a tensor squares by one product (ATen's pow special case), as does glibc's pow for a double. */
  square(a: Num): Num {
    return this.mul(a, a);
  }

  lt(a: Num, b: Num): boolean {
    const [x, y] = this.compared(a, b);
    return x < y;
  }

  le(a: Num, b: Num): boolean {
    const [x, y] = this.compared(a, b);
    return x <= y;
  }

  /** Python's builtin min(a, b): b only if b < a. */
  min(a: Num, b: Num): Num {
    return this.lt(b, a) ? b : a;
  }

  /** Python's builtin max(a, b): b only if b > a. */
  max(a: Num, b: Num): Num {
    return this.lt(a, b) ? b : a;
  }

  private binary(a: Num, b: Num, op: (x: number, y: number) => number): Num {
    if (!a.tensor && !b.tensor) return this.py(op(a.v, b.v));
    return this.ten(op(this.r(a.v), this.r(b.v)));
  }

  private compared(a: Num, b: Num): [number, number] {
    return a.tensor || b.tensor ? [this.r(a.v), this.r(b.v)] : [a.v, b.v];
  }
}

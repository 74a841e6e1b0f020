/** torch.optim.SGD, as PyTorch 1.13's single-tensor implementation computes it. */
import { RuntimeError } from "../errors";
import type { Tensor } from "../tensor";
import { Optimizer, rounder } from "./optimizer";

export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  maximize?: boolean;
}

export class SGD extends Optimizer {
  private readonly momentumBuffers = new Map<number, Float32Array | Float64Array>();
  readonly options: Required<SGDOptions>;

  constructor(params: Iterable<Tensor>, options: SGDOptions) {
    super(params, options?.lr);
    this.options = { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, ...options };
    const { momentum, dampening, weightDecay, nesterov } = this.options;
    if (momentum < 0) throw new RuntimeError(`Invalid momentum value: ${momentum}`);
    if (weightDecay < 0) throw new RuntimeError(`Invalid weight_decay value: ${weightDecay}`);
    if (nesterov && (momentum <= 0 || dampening !== 0)) throw new RuntimeError("Nesterov momentum requires a momentum and zero dampening");
  }

  protected update(p: Tensor, grad: Tensor, index: number): void {
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = this.options;
    const r = rounder(p);
    const w = p._data as Float32Array | Float64Array;
    const g = grad._data;
    const n = w.length;
    const d = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let di = maximize ? -g[i] : g[i];
      if (weightDecay !== 0) di = r(di + r(weightDecay) * w[i]);
      d[i] = di;
    }
    if (momentum !== 0) {
      let buf = this.momentumBuffers.get(index);
      if (!buf) {
        buf = p.dtype === "float32" ? Float32Array.from(d) : Float64Array.from(d);
        this.momentumBuffers.set(index, buf);
      } else {
        const m = r(momentum);
        const a = r(1 - dampening);
        for (let i = 0; i < n; i++) buf[i] = r(r(buf[i] * m) + a * d[i]);
      }
      for (let i = 0; i < n; i++) d[i] = nesterov ? r(d[i] + r(momentum) * buf[i]) : buf[i];
    }
    const alpha = r(-lr);
    for (let i = 0; i < n; i++) w[i] = r(w[i] + alpha * d[i]);
  }
}

/** torch.optim.Adam, as PyTorch 1.13's single-tensor implementation computes it. */
import { RuntimeError } from "../errors";
import type { Tensor } from "../tensor";
import { Optimizer, rounder } from "./optimizer";

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
}

interface AdamState {
  step: number;
  expAvg: Float64Array;
  expAvgSq: Float64Array;
  maxExpAvgSq: Float64Array | null;
}

export class Adam extends Optimizer {
  private readonly state = new Map<number, AdamState>();
  readonly options: Required<AdamOptions>;

  constructor(params: Iterable<Tensor>, options: AdamOptions = {}) {
    super(params, options.lr ?? 1e-3);
    this.options = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, ...options };
    const [b1, b2] = this.options.betas;
    if (!(b1 >= 0 && b1 < 1)) throw new RuntimeError(`Invalid beta parameter at index 0: ${b1}`);
    if (!(b2 >= 0 && b2 < 1)) throw new RuntimeError(`Invalid beta parameter at index 1: ${b2}`);
    if (!(this.options.eps >= 0)) throw new RuntimeError(`Invalid epsilon value: ${this.options.eps}`);
  }

  protected update(p: Tensor, grad: Tensor, index: number): void {
    const { lr, betas: [beta1, beta2], eps, weightDecay, amsgrad, maximize } = this.options;
    const r = rounder(p);
    const w = p._data as Float32Array | Float64Array;
    const n = w.length;
    let s = this.state.get(index);
    if (!s) {
      s = { step: 0, expAvg: new Float64Array(n), expAvgSq: new Float64Array(n), maxExpAvgSq: amsgrad ? new Float64Array(n) : null };
      this.state.set(index, s);
    }
    s.step += 1;
    const bias1 = 1 - beta1 ** s.step;
    const bias2 = 1 - beta2 ** s.step;
    const stepSize = lr / bias1;
    const bias2Sqrt = Math.sqrt(bias2);
    const b1 = r(beta1);
    const oneMinusB1 = r(1 - beta1);
    const b2 = r(beta2);
    const oneMinusB2 = r(1 - beta2);
    for (let i = 0; i < n; i++) {
      let g = maximize ? -grad._data[i] : grad._data[i];
      if (weightDecay !== 0) g = r(g + r(weightDecay) * w[i]);
      // exp_avg.mul_(beta1).add_(grad, alpha=1-beta1); exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1-beta2)
      s.expAvg[i] = r(r(s.expAvg[i] * b1) + oneMinusB1 * g);
      s.expAvgSq[i] = r(r(s.expAvgSq[i] * b2) + r(r(oneMinusB2 * g) * g));
      let v = s.expAvgSq[i];
      if (s.maxExpAvgSq) v = s.maxExpAvgSq[i] = Math.max(s.maxExpAvgSq[i], v);
      // denom = (sqrt(v) / sqrt(bias_correction2)) + eps; param.addcdiv_(exp_avg, denom, value=-step_size)
      const denom = r(r(r(Math.sqrt(v)) / r(bias2Sqrt)) + r(eps));
      w[i] = r(w[i] + r(r(r(-stepSize) * s.expAvg[i]) / denom));
    }
  }
}

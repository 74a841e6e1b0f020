/** torch.optim.RAdam, as PyTorch 1.13's single-tensor implementation computes it (`_single_tensor_radam`). */
import { pyPow } from "../random/libm_pow";
import type { Tensor } from "../tensor";
import { checkBetas, checkNonNegative, checkOptions } from "./checks";
import { floatOps } from "./float_ops";
import { Optimizer, type ParamGroup, type ParamState, type Params } from "./optimizer";
import { floats, scalarTensor, stateTensor, zerosLike, writable, writeBack } from "./state";

export interface RAdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

export type RAdamParamGroup = ParamGroup & Required<RAdamOptions>;

const OPTIONS = ["lr", "betas", "eps", "weightDecay"];

export class RAdam extends Optimizer<RAdamParamGroup> {
  protected override readonly pythonOnlyOptions = { foreach: null };
  protected override readonly intOptions = new Set(["weightDecay"]);

  constructor(params: Params<RAdamParamGroup>, options: RAdamOptions = {}) {
    const o = checkOptions(options, OPTIONS, "RAdam") as RAdamOptions;
    const d = { lr: 1e-3, betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 0, ...o };
    checkNonNegative(d.lr, "Invalid learning rate");
    checkNonNegative(d.eps, "Invalid epsilon value");
    checkBetas(d.betas);
    checkNonNegative(d.weightDecay, "Invalid weight_decay value");
    super(params, d);
  }

  protected updateGroup(group: RAdamParamGroup): void {
    for (const p of group.params) {
      if (!p.grad) continue;
      const state = this.stateOf(p);
      if (Object.keys(state).length === 0) {
        state.step = scalarTensor(0);
        state.expAvg = zerosLike(p);
        state.expAvgSq = zerosLike(p);
      }
      radamUpdate(p, p.grad, state, group);
      this.modified(p);
    }
  }
}

function radamUpdate(p: Tensor, grad: Tensor, state: ParamState, group: RAdamParamGroup): void {
  const { lr, betas: [beta1, beta2], eps, weightDecay } = group;
  const { r, fma, sqrt } = floatOps(p.dtype);
  const stepT = stateTensor(state, "step");
  stepT._data[0] = Math.fround(stepT._data[0] + 1);
  const step = stepT._data[0];
  const bias1 = 1 - pyPow(beta1, step);
  const beta2Step = pyPow(beta2, step);
  const bias2 = 1 - beta2Step;
  // the maximum length of the approximated simple moving average, and its length at this step
  const rhoInf = 2 / (1 - beta2) - 1;
  const rhoT = rhoInf - (2 * step * beta2Step) / bias2;
  const rectified = rhoT > 5;
  const rect = rectified ? Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0;
  const w = writable(p);
  const g = floats(grad, "gradient");
  const m = floats(stateTensor(state, "expAvg"));
  const v = floats(stateTensor(state, "expAvgSq"));
  const b1 = r(beta1);
  const oneMinusB1 = r(1 - beta1);
  const b2 = r(beta2);
  const oneMinusB2 = r(1 - beta2);
  const wd = r(weightDecay);
  const epsR = r(eps);
  const bias1R = r(bias1);
  const lrR = r(lr);
  const bias2SqrtR = r(Math.sqrt(bias2));
  const rectR = r(rect);
  for (let i = 0; i < w.length; i++) {
    let gi = g[i];
    if (weightDecay !== 0) gi = fma(w[i], wd, gi); // grad = grad.add(param, alpha=weight_decay)
    m[i] = fma(gi, oneMinusB1, r(m[i] * b1)); // exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
    v[i] = fma(r(oneMinusB2 * gi), gi, r(v[i] * b2)); // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    const corrected = r(m[i] / bias1R); // exp_avg / bias_correction1
    if (rectified) {
      // adaptive_lr = math.sqrt(bias_correction2) / exp_avg_sq.sqrt().add_(eps)  (a reciprocal, then a product)
      const adaptiveLr = r(r(1 / r(sqrt(v[i]) + epsR)) * bias2SqrtR);
      // param.add_(bias_corrected_exp_avg * lr * adaptive_lr * rect, alpha=-1.0)
      w[i] = r(w[i] - r(r(r(corrected * lrR) * adaptiveLr) * rectR));
    } else {
      w[i] = r(w[i] - r(corrected * lrR)); // param.add_(bias_corrected_exp_avg * lr, alpha=-1.0)
    }
  }
  writeBack(p, w);
}

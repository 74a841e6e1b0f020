/** torch.optim.RAdam, as PyTorch 1.13's single-tensor implementation computes it (`_single_tensor_radam`). */
import { pyPow } from "../random/libm_pow";
import type { Tensor } from "../tensor";
import { checkAdamOptions, withDefaults } from "./checks";
import { floatOps } from "./float_ops";
import type { ParamGroup, ParamState, Params } from "./optimizer";
import { SingleTensorOptimizer, decayedGradient } from "./single_tensor";
import { countStep, floats, scalarTensor, stateTensor, zerosLike, writable, writeBack } from "./state";

export interface RAdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

export type RAdamParamGroup = ParamGroup & Required<RAdamOptions>;

export class RAdam extends SingleTensorOptimizer<RAdamParamGroup> {
  protected override readonly pythonOnlyOptions = { foreach: null };
  protected override readonly intOptions = new Set(["weightDecay"]);

  constructor(params: Params<RAdamParamGroup>, options: RAdamOptions = {}) {
    const d = withDefaults(options, { lr: 1e-3, betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 0 }, "RAdam");
    checkAdamOptions(d);
    super(params, d);
  }

  protected override initState(p: Tensor, state: ParamState): void {
    state.step = scalarTensor(0);
    state.expAvg = zerosLike(p);
    state.expAvgSq = zerosLike(p);
  }

  protected updateParam(p: Tensor, grad: Tensor, state: ParamState, group: RAdamParamGroup): void {
    const { lr, betas: [beta1, beta2], eps, weightDecay } = group;
    const { r, fma, sqrt } = floatOps(p.dtype);
    const step = countStep(state);
    const bias1 = 1 - pyPow(beta1, step);
    const beta2Step = pyPow(beta2, step);
    const bias2 = 1 - beta2Step;
    // the maximum length of the approximated simple moving average, and its length at this step
    const rhoInf = 2 / (1 - beta2) - 1;
    const rhoT = rhoInf - (2 * step * beta2Step) / bias2;
    const rectified = rhoT > 5;
    const rect = rectified ? Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0;
    const w = writable(p);
    const g = decayedGradient(p, w, grad, weightDecay, false);
    const m = floats(stateTensor(state, "expAvg"));
    const v = floats(stateTensor(state, "expAvgSq"));
    const b1 = r(beta1);
    const oneMinusB1 = r(1 - beta1);
    const b2 = r(beta2);
    const oneMinusB2 = r(1 - beta2);
    const epsR = r(eps);
    const bias1R = r(bias1);
    const lrR = r(lr);
    const bias2SqrtR = r(Math.sqrt(bias2));
    const rectR = r(rect);
    for (let i = 0; i < w.length; i++) {
      const gi = g[i];
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
}

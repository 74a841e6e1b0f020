/** torch.optim.NAdam, as PyTorch 1.13's single-tensor implementation computes it (`_single_tensor_nadam`). Its
 * running product of momentum coefficients, `mu_product`, is a float32 tensor in PyTorch, whatever the parameters'
 * dtype, and is kept as one here. */
import { pyPow } from "../random/libm_pow";
import type { Tensor } from "../tensor";
import { checkAdamOptions, checkNonNegative, withDefaults } from "./checks";
import { floatOps } from "./float_ops";
import type { ParamGroup, ParamState, Params } from "./optimizer";
import { SingleTensorOptimizer, decayedGradient } from "./single_tensor";
import { countStep, floats, scalarTensor, stateTensor, zerosLike, writable, writeBack } from "./state";

export interface NAdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  momentumDecay?: number;
}

export type NAdamParamGroup = ParamGroup & Required<NAdamOptions>;

const f = Math.fround;

export class NAdam extends SingleTensorOptimizer<NAdamParamGroup> {
  protected override readonly pythonOnlyOptions = { foreach: null };
  protected override readonly intOptions = new Set(["weightDecay"]);

  constructor(params: Params<NAdamParamGroup>, options: NAdamOptions = {}) {
    const d = withDefaults(options, { lr: 2e-3, betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3 }, "NAdam");
    checkAdamOptions(d);
    checkNonNegative(d.momentumDecay, "Invalid momentum_decay value");
    super(params, d);
  }

  protected override initState(p: Tensor, state: ParamState): void {
    state.step = scalarTensor(0);
    state.muProduct = scalarTensor(1);
    state.expAvg = zerosLike(p);
    state.expAvgSq = zerosLike(p);
  }

  protected updateParam(p: Tensor, grad: Tensor, state: ParamState, group: NAdamParamGroup): void {
    const { lr, betas: [beta1, beta2], eps, weightDecay, momentumDecay } = group;
    const { r, fma, sqrt } = floatOps(p.dtype);
    const step = countStep(state);
    const bias2 = 1 - pyPow(beta2, step);
    const mu = beta1 * (1 - 0.5 * pyPow(0.96, step * momentumDecay));
    const muNext = beta1 * (1 - 0.5 * pyPow(0.96, (step + 1) * momentumDecay));
    // mu_product *= mu; mu_product_next = mu_product * mu * mu_next (float32 tensor arithmetic)
    const muProductT = stateTensor(state, "muProduct");
    const muProduct = (muProductT._data[0] = f(muProductT._data[0] * f(mu)));
    const muProductNext = f(f(muProduct * f(mu)) * f(muNext));
    const w = writable(p);
    const g = decayedGradient(p, w, grad, weightDecay, false);
    const m = floats(stateTensor(state, "expAvg"));
    const v = floats(stateTensor(state, "expAvgSq"));
    const b1 = r(beta1);
    const oneMinusB1 = r(1 - beta1);
    const b2 = r(beta2);
    const oneMinusB2 = r(1 - beta2);
    const epsR = r(eps);
    const bias2R = r(bias2);
    const gradCoef = r((-lr * (1 - mu)) / (1 - muProduct));
    const avgCoef = r((-lr * muNext) / (1 - muProductNext));
    for (let i = 0; i < w.length; i++) {
      const gi = g[i];
      m[i] = fma(gi, oneMinusB1, r(m[i] * b1)); // exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
      v[i] = fma(r(oneMinusB2 * gi), gi, r(v[i] * b2)); // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
      const denom = r(sqrt(r(v[i] / bias2R)) + epsR); // exp_avg_sq.div(bias_correction2).sqrt().add_(eps)
      w[i] = r(w[i] + r(r(gradCoef * gi) / denom)); // param.addcdiv_(grad, denom, value=-lr * (1 - mu) / (1 - mu_product))
      w[i] = r(w[i] + r(r(avgCoef * m[i]) / denom)); // param.addcdiv_(exp_avg, denom, value=-lr * mu_next / (1 - mu_product_next))
    }
    writeBack(p, w);
  }
}

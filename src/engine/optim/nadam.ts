/** torch.optim.NAdam, as PyTorch 1.13's single-tensor implementation computes it (`_single_tensor_nadam`). Its
 * running product of momentum coefficients, `mu_product`, is a float32 tensor in PyTorch, whatever the parameters'
 * dtype, and is kept as one here. */
import { pyPow } from "../random/libm_pow";
import type { Tensor } from "../tensor";
import { checkBetas, checkNonNegative, checkOptions } from "./checks";
import { floatOps } from "./float_ops";
import { Optimizer, type ParamGroup, type ParamState, type Params } from "./optimizer";
import { floats, scalarTensor, stateTensor, zerosLike, writable, writeBack } from "./state";

export interface NAdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  momentumDecay?: number;
}

export type NAdamParamGroup = ParamGroup & Required<NAdamOptions>;

const OPTIONS = ["lr", "betas", "eps", "weightDecay", "momentumDecay"];
const f = Math.fround;

export class NAdam extends Optimizer<NAdamParamGroup> {
  protected override readonly pythonOnlyOptions = { foreach: null };
  protected override readonly intOptions = new Set(["weightDecay"]);

  constructor(params: Params<NAdamParamGroup>, options: NAdamOptions = {}) {
    const o = checkOptions(options, OPTIONS, "NAdam") as NAdamOptions;
    const d = { lr: 2e-3, betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3, ...o };
    checkNonNegative(d.lr, "Invalid learning rate");
    checkNonNegative(d.eps, "Invalid epsilon value");
    checkBetas(d.betas);
    checkNonNegative(d.weightDecay, "Invalid weight_decay value");
    checkNonNegative(d.momentumDecay, "Invalid momentum_decay value");
    super(params, d);
  }

  protected updateGroup(group: NAdamParamGroup): void {
    for (const p of group.params) {
      if (!p.grad) continue;
      const state = this.stateOf(p);
      if (Object.keys(state).length === 0) {
        state.step = scalarTensor(0);
        state.muProduct = scalarTensor(1);
        state.expAvg = zerosLike(p);
        state.expAvgSq = zerosLike(p);
      }
      nadamUpdate(p, p.grad, state, group);
      this.modified(p);
    }
  }
}

function nadamUpdate(p: Tensor, grad: Tensor, state: ParamState, group: NAdamParamGroup): void {
  const { lr, betas: [beta1, beta2], eps, weightDecay, momentumDecay } = group;
  const { r, fma, sqrt } = floatOps(p.dtype);
  const stepT = stateTensor(state, "step");
  stepT._data[0] = f(stepT._data[0] + 1);
  const step = stepT._data[0];
  const bias2 = 1 - pyPow(beta2, step);
  const mu = beta1 * (1 - 0.5 * pyPow(0.96, step * momentumDecay));
  const muNext = beta1 * (1 - 0.5 * pyPow(0.96, (step + 1) * momentumDecay));
  // mu_product *= mu; mu_product_next = mu_product * mu * mu_next (float32 tensor arithmetic)
  const muProductT = stateTensor(state, "muProduct");
  const muProduct = (muProductT._data[0] = f(muProductT._data[0] * f(mu)));
  const muProductNext = f(f(muProduct * f(mu)) * f(muNext));
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
  const bias2R = r(bias2);
  const gradCoef = r((-lr * (1 - mu)) / (1 - muProduct));
  const avgCoef = r((-lr * muNext) / (1 - muProductNext));
  for (let i = 0; i < w.length; i++) {
    let gi = g[i];
    if (weightDecay !== 0) gi = fma(w[i], wd, gi); // grad = grad.add(param, alpha=weight_decay)
    m[i] = fma(gi, oneMinusB1, r(m[i] * b1)); // exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
    v[i] = fma(r(oneMinusB2 * gi), gi, r(v[i] * b2)); // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    const denom = r(sqrt(r(v[i] / bias2R)) + epsR); // exp_avg_sq.div(bias_correction2).sqrt().add_(eps)
    w[i] = r(w[i] + r(r(gradCoef * gi) / denom)); // param.addcdiv_(grad, denom, value=-lr * (1 - mu) / (1 - mu_product))
    w[i] = r(w[i] + r(r(avgCoef * m[i]) / denom)); // param.addcdiv_(exp_avg, denom, value=-lr * mu_next / (1 - mu_product_next))
  }
  writeBack(p, w);
}

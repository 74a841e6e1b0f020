/** torch.optim.Adamax, as PyTorch 1.13's single-tensor implementation computes it (`_single_tensor_adamax`). */
import { pyPow } from "../random/libm_pow";
import type { Tensor } from "../tensor";
import { checkBetas, checkNonNegative, checkOptions } from "./checks";
import { floatOps, maxPropagatingNaN } from "./float_ops";
import { Optimizer, type ParamGroup, type ParamState, type Params } from "./optimizer";
import { floats, scalarTensor, stateTensor, zerosLike, writable, writeBack } from "./state";

export interface AdamaxOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  maximize?: boolean;
}

export type AdamaxParamGroup = ParamGroup & Required<AdamaxOptions>;

const OPTIONS = ["lr", "betas", "eps", "weightDecay", "maximize"];

export class Adamax extends Optimizer<AdamaxParamGroup> {
  protected override readonly pythonOnlyOptions = { foreach: null };
  protected override readonly intOptions = new Set(["weightDecay"]);

  constructor(params: Params<AdamaxParamGroup>, options: AdamaxOptions = {}) {
    const o = checkOptions(options, OPTIONS, "Adamax") as AdamaxOptions;
    const d = { lr: 2e-3, betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 0, maximize: false, ...o };
    checkNonNegative(d.lr, "Invalid learning rate");
    checkNonNegative(d.eps, "Invalid epsilon value");
    checkBetas(d.betas);
    checkNonNegative(d.weightDecay, "Invalid weight_decay value");
    super(params, d);
  }

  protected updateGroup(group: AdamaxParamGroup): void {
    for (const p of group.params) {
      if (!p.grad) continue;
      const state = this.stateOf(p);
      if (Object.keys(state).length === 0) {
        state.step = scalarTensor(0);
        state.expAvg = zerosLike(p);
        state.expInf = zerosLike(p);
      }
      adamaxUpdate(p, p.grad, state, group);
      this.modified(p);
    }
  }
}

function adamaxUpdate(p: Tensor, grad: Tensor, state: ParamState, group: AdamaxParamGroup): void {
  const { lr, betas: [beta1, beta2], eps, weightDecay, maximize } = group;
  const { r, fma } = floatOps(p.dtype);
  const stepT = stateTensor(state, "step");
  stepT._data[0] = Math.fround(stepT._data[0] + 1);
  const step = stepT._data[0];
  const w = writable(p);
  const g = floats(grad, "gradient");
  const m = floats(stateTensor(state, "expAvg"));
  const u = floats(stateTensor(state, "expInf"));
  const b1 = r(beta1);
  const oneMinusB1 = r(1 - beta1);
  const b2 = r(beta2);
  const wd = r(weightDecay);
  const epsR = r(eps);
  const negClr = r(-(lr / (1 - pyPow(beta1, step))));
  for (let i = 0; i < w.length; i++) {
    let gi = maximize ? -g[i] : g[i];
    if (weightDecay !== 0) gi = fma(w[i], wd, gi); // grad = grad.add(param, alpha=weight_decay)
    m[i] = fma(gi, oneMinusB1, r(m[i] * b1)); // exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
    // torch.amax(torch.cat([exp_inf.mul_(beta2), grad.abs().add_(eps)]), 0)
    u[i] = maxPropagatingNaN(r(u[i] * b2), r(Math.abs(gi) + epsR));
    w[i] = r(w[i] + r(r(negClr * m[i]) / u[i])); // param.addcdiv_(exp_avg, exp_inf, value=-clr)
  }
  writeBack(p, w);
}

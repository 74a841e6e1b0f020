/** torch.optim.Adamax, as PyTorch 1.13's single-tensor implementation computes it (`_single_tensor_adamax`). */
import { pyPow } from "../random/libm_pow";
import type { Tensor } from "../tensor";
import { checkAdamOptions, withDefaults } from "./checks";
import { floatOps, maxPropagatingNaN } from "./float_ops";
import type { ParamGroup, ParamState, Params } from "./optimizer";
import { SingleTensorOptimizer, decayedGradient } from "./single_tensor";
import { countStep, floats, scalarTensor, stateTensor, zerosLike, writable, writeBack } from "./state";

export interface AdamaxOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  maximize?: boolean;
}

export type AdamaxParamGroup = ParamGroup & Required<AdamaxOptions>;

export class Adamax extends SingleTensorOptimizer<AdamaxParamGroup> {
  protected override readonly pythonOnlyOptions = { foreach: null };
  protected override readonly intOptions = new Set(["weightDecay"]);

  constructor(params: Params<AdamaxParamGroup>, options: AdamaxOptions = {}) {
    const d = withDefaults(options, { lr: 2e-3, betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 0, maximize: false }, "Adamax");
    checkAdamOptions(d);
    super(params, d);
  }

  protected override initState(p: Tensor, state: ParamState): void {
    state.step = scalarTensor(0);
    state.expAvg = zerosLike(p);
    state.expInf = zerosLike(p);
  }

  protected updateParam(p: Tensor, grad: Tensor, state: ParamState, group: AdamaxParamGroup): void {
    const { lr, betas: [beta1, beta2], eps, weightDecay, maximize } = group;
    const { r, fma } = floatOps(p.dtype);
    const step = countStep(state);
    const w = writable(p);
    const g = decayedGradient(p, w, grad, weightDecay, maximize);
    const m = floats(stateTensor(state, "expAvg"));
    const u = floats(stateTensor(state, "expInf"));
    const b1 = r(beta1);
    const oneMinusB1 = r(1 - beta1);
    const b2 = r(beta2);
    const epsR = r(eps);
    const negClr = r(-(lr / (1 - pyPow(beta1, step))));
    for (let i = 0; i < w.length; i++) {
      m[i] = fma(g[i], oneMinusB1, r(m[i] * b1)); // exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
      // torch.amax(torch.cat([exp_inf.mul_(beta2), grad.abs().add_(eps)]), 0)
      u[i] = maxPropagatingNaN(r(u[i] * b2), r(Math.abs(g[i]) + epsR));
      w[i] = r(w[i] + r(r(negClr * m[i]) / u[i])); // param.addcdiv_(exp_avg, exp_inf, value=-clr)
    }
    writeBack(p, w);
  }
}

/** torch.optim.Adadelta, as PyTorch 1.13's single-tensor implementation computes it (`_single_tensor_adadelta`). */
import { ValueError } from "../errors";
import type { Tensor } from "../tensor";
import { checkNonNegative, formatArg, withDefaults } from "./checks";
import { floatOps } from "./float_ops";
import type { ParamGroup, ParamState, Params } from "./optimizer";
import { SingleTensorOptimizer, decayedGradient } from "./single_tensor";
import { countIntStep, floats, stateTensor, zerosLike, writable, writeBack } from "./state";

export interface AdadeltaOptions {
  lr?: number;
  rho?: number;
  eps?: number;
  weightDecay?: number;
  maximize?: boolean;
}

export type AdadeltaParamGroup = ParamGroup & Required<AdadeltaOptions>;

export class Adadelta extends SingleTensorOptimizer<AdadeltaParamGroup> {
  protected override readonly pythonOnlyOptions = { foreach: null };
  protected override readonly intOptions = new Set(["weightDecay"]);

  constructor(params: Params<AdadeltaParamGroup>, options: AdadeltaOptions = {}) {
    const d = withDefaults(options, { lr: 1.0, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false }, "Adadelta");
    checkNonNegative(d.lr, "Invalid learning rate");
    if (!(d.rho >= 0 && d.rho <= 1)) throw new ValueError(`Invalid rho value: ${formatArg(d.rho)}`);
    checkNonNegative(d.eps, "Invalid epsilon value");
    checkNonNegative(d.weightDecay, "Invalid weight_decay value");
    super(params, d);
  }

  protected override initState(p: Tensor, state: ParamState): void {
    state.step = 0;
    state.squareAvg = zerosLike(p);
    state.accDelta = zerosLike(p);
  }

  protected updateParam(p: Tensor, grad: Tensor, state: ParamState, group: AdadeltaParamGroup): void {
    countIntStep(state);
    const { lr, rho, eps, weightDecay, maximize } = group;
    const { r, fma, sqrt } = floatOps(p.dtype);
    const w = writable(p);
    const g = decayedGradient(p, w, grad, weightDecay, maximize);
    const sq = floats(stateTensor(state, "squareAvg"));
    const acc = floats(stateTensor(state, "accDelta"));
    const rhoR = r(rho);
    const oneMinusRho = r(1 - rho);
    const epsR = r(eps);
    const negLr = r(-lr);
    for (let i = 0; i < w.length; i++) {
      const gi = g[i];
      sq[i] = fma(r(oneMinusRho * gi), gi, r(sq[i] * rhoR)); // square_avg.mul_(rho).addcmul_(grad, grad, value=1 - rho)
      const std = sqrt(r(sq[i] + epsR)); // square_avg.add(eps).sqrt_()
      const delta = r(r(sqrt(r(acc[i] + epsR)) / std) * gi); // acc_delta.add(eps).sqrt_().div_(std).mul_(grad)
      acc[i] = fma(r(oneMinusRho * delta), delta, r(acc[i] * rhoR)); // acc_delta.mul_(rho).addcmul_(delta, delta, value=1 - rho)
      w[i] = fma(delta, negLr, w[i]); // param.add_(delta, alpha=-lr)
    }
    writeBack(p, w);
  }
}

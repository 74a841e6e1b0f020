/** torch.optim.Adadelta, as PyTorch 1.13's single-tensor implementation computes it (`_single_tensor_adadelta`). */
import { ValueError } from "../errors";
import type { Tensor } from "../tensor";
import { checkNonNegative, checkOptions, formatArg } from "./checks";
import { floatOps } from "./float_ops";
import { Optimizer, type ParamGroup, type ParamState, type Params } from "./optimizer";
import { floats, stateTensor, zerosLike, writable, writeBack } from "./state";

export interface AdadeltaOptions {
  lr?: number;
  rho?: number;
  eps?: number;
  weightDecay?: number;
  maximize?: boolean;
}

export type AdadeltaParamGroup = ParamGroup & Required<AdadeltaOptions>;

const OPTIONS = ["lr", "rho", "eps", "weightDecay", "maximize"];

export class Adadelta extends Optimizer<AdadeltaParamGroup> {
  protected override readonly pythonOnlyOptions = { foreach: null };
  protected override readonly intOptions = new Set(["weightDecay"]);

  constructor(params: Params<AdadeltaParamGroup>, options: AdadeltaOptions = {}) {
    const o = checkOptions(options, OPTIONS, "Adadelta") as AdadeltaOptions;
    const d = { lr: 1.0, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false, ...o };
    checkNonNegative(d.lr, "Invalid learning rate");
    if (!(d.rho >= 0 && d.rho <= 1)) throw new ValueError(`Invalid rho value: ${formatArg(d.rho)}`);
    checkNonNegative(d.eps, "Invalid epsilon value");
    checkNonNegative(d.weightDecay, "Invalid weight_decay value");
    super(params, d);
  }

  protected updateGroup(group: AdadeltaParamGroup): void {
    for (const p of group.params) {
      if (!p.grad) continue;
      const state = this.stateOf(p);
      if (Object.keys(state).length === 0) {
        state.step = 0;
        state.squareAvg = zerosLike(p);
        state.accDelta = zerosLike(p);
      }
      state.step = (state.step as number) + 1;
      adadeltaUpdate(p, p.grad, state, group);
      this.modified(p);
    }
  }
}

function adadeltaUpdate(p: Tensor, grad: Tensor, state: ParamState, group: AdadeltaParamGroup): void {
  const { lr, rho, eps, weightDecay, maximize } = group;
  const { r, fma, sqrt } = floatOps(p.dtype);
  const w = writable(p);
  const g = floats(grad, "gradient");
  const sq = floats(stateTensor(state, "squareAvg"));
  const acc = floats(stateTensor(state, "accDelta"));
  const rhoR = r(rho);
  const oneMinusRho = r(1 - rho);
  const wd = r(weightDecay);
  const epsR = r(eps);
  const negLr = r(-lr);
  for (let i = 0; i < w.length; i++) {
    let gi = maximize ? -g[i] : g[i];
    if (weightDecay !== 0) gi = fma(w[i], wd, gi); // grad = grad.add(param, alpha=weight_decay)
    sq[i] = fma(r(oneMinusRho * gi), gi, r(sq[i] * rhoR)); // square_avg.mul_(rho).addcmul_(grad, grad, value=1 - rho)
    const std = sqrt(r(sq[i] + epsR)); // square_avg.add(eps).sqrt_()
    const delta = r(r(sqrt(r(acc[i] + epsR)) / std) * gi); // acc_delta.add(eps).sqrt_().div_(std).mul_(grad)
    acc[i] = fma(r(oneMinusRho * delta), delta, r(acc[i] * rhoR)); // acc_delta.mul_(rho).addcmul_(delta, delta, value=1 - rho)
    w[i] = fma(delta, negLr, w[i]); // param.add_(delta, alpha=-lr)
  }
  writeBack(p, w);
}

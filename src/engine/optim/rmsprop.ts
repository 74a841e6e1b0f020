/** torch.optim.RMSprop, as PyTorch 1.13's single-tensor implementation computes it (`_single_tensor_rmsprop`). */
import type { Tensor } from "../tensor";
import { checkNonNegative, checkOptions } from "./checks";
import { floatOps } from "./float_ops";
import { Optimizer, type ParamGroup, type ParamState, type Params } from "./optimizer";
import { floats, stateTensor, zerosLike, writable, writeBack } from "./state";

export interface RMSpropOptions {
  lr?: number;
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  centered?: boolean;
  maximize?: boolean;
}

export type RMSpropParamGroup = ParamGroup & Required<RMSpropOptions>;

const OPTIONS = ["lr", "alpha", "eps", "weightDecay", "momentum", "centered", "maximize"];

export class RMSprop extends Optimizer<RMSpropParamGroup> {
  protected override readonly pythonOnlyOptions = { foreach: null, differentiable: false };
  protected override readonly intOptions = new Set(["weightDecay", "momentum"]);

  constructor(params: Params<RMSpropParamGroup>, options: RMSpropOptions = {}) {
    const o = checkOptions(options, OPTIONS, "RMSprop") as RMSpropOptions;
    const d = { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false, ...o };
    checkNonNegative(d.lr, "Invalid learning rate");
    checkNonNegative(d.eps, "Invalid epsilon value");
    checkNonNegative(d.momentum, "Invalid momentum value");
    checkNonNegative(d.weightDecay, "Invalid weight_decay value");
    checkNonNegative(d.alpha, "Invalid alpha value");
    super(params, d);
  }

  protected updateGroup(group: RMSpropParamGroup): void {
    for (const p of group.params) {
      if (!p.grad) continue;
      const state = this.stateOf(p);
      if (Object.keys(state).length === 0) {
        state.step = 0;
        state.squareAvg = zerosLike(p);
        if (group.momentum > 0) state.momentumBuffer = zerosLike(p);
        if (group.centered) state.gradAvg = zerosLike(p);
      }
      state.step = (state.step as number) + 1;
      rmspropUpdate(p, p.grad, state, group);
      this.modified(p);
    }
  }
}

function rmspropUpdate(p: Tensor, grad: Tensor, state: ParamState, group: RMSpropParamGroup): void {
  const { lr, alpha, eps, weightDecay, momentum, centered, maximize } = group;
  const { r, fma, sqrt } = floatOps(p.dtype);
  const w = writable(p);
  const g = floats(grad, "gradient");
  const sq = floats(stateTensor(state, "squareAvg"));
  const ga = centered ? floats(stateTensor(state, "gradAvg")) : null;
  const buf = momentum > 0 ? floats(stateTensor(state, "momentumBuffer")) : null;
  const a = r(alpha);
  const oneMinusA = r(1 - alpha);
  const wd = r(weightDecay);
  const epsR = r(eps);
  const mom = r(momentum);
  const negLr = r(-lr);
  for (let i = 0; i < w.length; i++) {
    let gi = maximize ? -g[i] : g[i];
    if (weightDecay !== 0) gi = fma(w[i], wd, gi); // grad = grad.add(param, alpha=weight_decay)
    sq[i] = fma(r(oneMinusA * gi), gi, r(sq[i] * a)); // square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
    let avg: number;
    if (ga) {
      ga[i] = fma(gi, oneMinusA, r(ga[i] * a)); // grad_avg.mul_(alpha).add_(grad, alpha=1 - alpha)
      avg = sqrt(fma(-ga[i], ga[i], sq[i])); // square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
    } else avg = sqrt(sq[i]);
    avg = r(avg + epsR); // avg.add_(eps)
    if (buf) {
      buf[i] = r(r(buf[i] * mom) + r(gi / avg)); // buf.mul_(momentum).addcdiv_(grad, avg)
      w[i] = fma(buf[i], negLr, w[i]); // param.add_(buf, alpha=-lr)
    } else {
      w[i] = r(w[i] + r(r(negLr * gi) / avg)); // param.addcdiv_(grad, avg, value=-lr)
    }
  }
  writeBack(p, w);
}

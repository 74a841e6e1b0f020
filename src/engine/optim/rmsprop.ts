/** torch.optim.RMSprop, as PyTorch 1.13's single-tensor implementation computes it (`_single_tensor_rmsprop`). */
import type { Tensor } from "../tensor";
import { checkNonNegative, withDefaults } from "./checks";
import { floatOps } from "./float_ops";
import type { ParamGroup, ParamState, Params } from "./optimizer";
import { SingleTensorOptimizer, decayedGradient } from "./single_tensor";
import { countIntStep, floats, stateTensor, zerosLike, writable, writeBack } from "./state";

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

export class RMSprop extends SingleTensorOptimizer<RMSpropParamGroup> {
  protected override readonly pythonOnlyOptions = { foreach: null, differentiable: false };
  protected override readonly intOptions = new Set(["weightDecay", "momentum"]);

  constructor(params: Params<RMSpropParamGroup>, options: RMSpropOptions = {}) {
    const d = withDefaults(options, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false }, "RMSprop");
    checkNonNegative(d.lr, "Invalid learning rate");
    checkNonNegative(d.eps, "Invalid epsilon value");
    checkNonNegative(d.momentum, "Invalid momentum value");
    checkNonNegative(d.weightDecay, "Invalid weight_decay value");
    checkNonNegative(d.alpha, "Invalid alpha value");
    super(params, d);
  }

  protected override initState(p: Tensor, state: ParamState, group: RMSpropParamGroup): void {
    state.step = 0;
    state.squareAvg = zerosLike(p);
    if (group.momentum > 0) state.momentumBuffer = zerosLike(p);
    if (group.centered) state.gradAvg = zerosLike(p);
  }

  protected updateParam(p: Tensor, grad: Tensor, state: ParamState, group: RMSpropParamGroup): void {
    countIntStep(state);
    const { lr, alpha, eps, weightDecay, momentum, centered, maximize } = group;
    const { r, fma, sqrt } = floatOps(p.dtype);
    const w = writable(p);
    const g = decayedGradient(p, w, grad, weightDecay, maximize);
    const sq = floats(stateTensor(state, "squareAvg"));
    const ga = centered ? floats(stateTensor(state, "gradAvg")) : null;
    const buf = momentum > 0 ? floats(stateTensor(state, "momentumBuffer")) : null;
    const a = r(alpha);
    const oneMinusA = r(1 - alpha);
    const epsR = r(eps);
    const mom = r(momentum);
    const negLr = r(-lr);
    for (let i = 0; i < w.length; i++) {
      const gi = g[i];
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
}

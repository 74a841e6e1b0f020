/**
 * torch.optim.Adam and torch.optim.AdamW, as PyTorch 1.13's single-tensor implementations compute them
 * (`_single_tensor_adam`, `_single_tensor_adamw`): the same moments; Adam adds the L2 penalty to the gradient,
 * AdamW first shrinks the parameter by `1 - lr * weight_decay`.
 */
import type { Tensor } from "../tensor";
import { pyPow } from "../random/libm_pow";
import { checkAdamOptions, withDefaults } from "./checks";
import { floatOps, maxPropagatingNaN } from "./float_ops";
import type { ParamGroup, ParamState, Params } from "./optimizer";
import { SingleTensorOptimizer, decayedGradient } from "./single_tensor";
import { countStep, floats, scalarTensor, stateTensor, zerosLike, writable, writeBack } from "./state";

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
}

export type AdamParamGroup = ParamGroup & Required<AdamOptions>;

function adamDefaults(options: AdamOptions, where: string, weightDecay: number): Omit<AdamParamGroup, "params"> {
  const d = withDefaults(options, { lr: 1e-3, betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay, amsgrad: false, maximize: false }, where);
  checkAdamOptions(d);
  return d;
}

abstract class AdamFamily extends SingleTensorOptimizer<AdamParamGroup> {
  protected abstract readonly decoupled: boolean;

  protected override initState(p: Tensor, state: ParamState, group: AdamParamGroup): void {
    state.step = scalarTensor(0);
    state.expAvg = zerosLike(p);
    state.expAvgSq = zerosLike(p);
    if (group.amsgrad) state.maxExpAvgSq = zerosLike(p);
  }

  protected updateParam(p: Tensor, grad: Tensor, state: ParamState, group: AdamParamGroup): void {
    adamUpdate(p, grad, state, group, this.decoupled);
  }
}

export class Adam extends AdamFamily {
  protected readonly decoupled = false;
  protected override readonly pythonOnlyOptions = { foreach: null, capturable: false, differentiable: false, fused: false };
  protected override readonly intOptions = new Set(["weightDecay"]);

  constructor(params: Params<AdamParamGroup>, options: AdamOptions = {}) {
    super(params, adamDefaults(options, "Adam", 0));
  }
}

export class AdamW extends AdamFamily {
  protected readonly decoupled = true;
  protected override readonly pythonOnlyOptions = { foreach: null, capturable: false };

  constructor(params: Params<AdamParamGroup>, options: AdamOptions = {}) {
    super(params, adamDefaults(options, "AdamW", 1e-2));
  }
}

function adamUpdate(p: Tensor, grad: Tensor, state: ParamState, group: AdamParamGroup, decoupled: boolean): void {
  const { lr, betas: [beta1, beta2], eps, weightDecay, amsgrad, maximize } = group;
  const { r, fma, sqrt } = floatOps(p.dtype);
  const w = writable(p);
  // AdamW's weight decay shrinks the parameter instead of adding to the gradient
  const g = decayedGradient(p, w, grad, decoupled ? 0 : weightDecay, maximize);
  const m = floats(stateTensor(state, "expAvg"));
  const v = floats(stateTensor(state, "expAvgSq"));
  const vMax = amsgrad ? floats(stateTensor(state, "maxExpAvgSq")) : null;
  const step = countStep(state);

  const b1 = r(beta1);
  const oneMinusB1 = r(1 - beta1);
  const b2 = r(beta2);
  const oneMinusB2 = r(1 - beta2);
  const shrink = r(1 - lr * weightDecay);
  // bias corrections in double (Python floats), then rounded to the dtype where they meet a tensor
  const stepSize = lr / (1 - pyPow(beta1, step));
  const bias2Sqrt = r(Math.sqrt(1 - pyPow(beta2, step)));
  const negStepSize = r(-stepSize);
  const epsR = r(eps);
  for (let i = 0; i < w.length; i++) {
    const gi = g[i];
    if (decoupled) w[i] = r(w[i] * shrink); // param.mul_(1 - lr * weight_decay)
    m[i] = fma(gi, oneMinusB1, r(m[i] * b1)); // exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
    v[i] = fma(r(oneMinusB2 * gi), gi, r(v[i] * b2)); // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    let second = v[i];
    if (vMax) second = vMax[i] = maxPropagatingNaN(vMax[i], v[i]); // torch.maximum(max_exp_avg_sq, exp_avg_sq, out=...)
    const denom = r(r(sqrt(second) / bias2Sqrt) + epsR); // (sqrt / bias_correction2_sqrt).add_(eps)
    w[i] = r(w[i] + r(r(negStepSize * m[i]) / denom)); // param.addcdiv_(exp_avg, denom, value=-step_size)
  }
  writeBack(p, w);
}

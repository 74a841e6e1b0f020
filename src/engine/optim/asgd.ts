/** torch.optim.ASGD, as PyTorch 1.13's single-tensor implementation computes it (`_single_tensor_asgd`). */
import { pyPow } from "../random/libm_pow";
import type { Tensor } from "../tensor";
import { checkNonNegative, withDefaults } from "./checks";
import { floatOps } from "./float_ops";
import type { ParamGroup, ParamState, Params } from "./optimizer";
import { SingleTensorOptimizer, decayedGradient } from "./single_tensor";
import { countStep, floats, scalarTensor, stateTensor, writable, writeBack, zerosLike } from "./state";

export interface ASGDOptions {
  lr?: number;
  /** The decay term (default 1e-4). */
  lambd?: number;
  /** The power of the eta update (default 0.75). */
  alpha?: number;
  /** The step at which averaging starts (default 1e6). */
  t0?: number;
  weightDecay?: number;
  maximize?: boolean;
}

export type ASGDParamGroup = ParamGroup & Required<ASGDOptions>;

export class ASGD extends SingleTensorOptimizer<ASGDParamGroup> {
  protected override readonly pythonOnlyOptions = { foreach: null };
  protected override readonly intOptions = new Set(["weightDecay"]);

  constructor(params: Params<ASGDParamGroup>, options: ASGDOptions = {}) {
    const d = withDefaults(options, { lr: 1e-2, lambd: 1e-4, alpha: 0.75, t0: 1e6, weightDecay: 0, maximize: false }, "ASGD");
    checkNonNegative(d.lr, "Invalid learning rate");
    checkNonNegative(d.weightDecay, "Invalid weight_decay value");
    super(params, d);
  }

  protected override initState(p: Tensor, state: ParamState, group: ASGDParamGroup): void {
    // PyTorch keeps step, eta and mu as float32 0-dim tensors (torch.tensor of a Python float), whatever p's dtype.
    state.step = scalarTensor(0);
    state.eta = scalarTensor(group.lr);
    state.mu = scalarTensor(1);
    state.ax = zerosLike(p);
  }

  protected updateParam(p: Tensor, grad: Tensor, state: ParamState, group: ASGDParamGroup): void {
    const { lr, lambd, alpha, t0, weightDecay, maximize } = group;
    const { r, fma } = floatOps(p.dtype);
    const step = countStep(state);
    const w = writable(p);
    const g = decayedGradient(p, w, grad, weightDecay, maximize);
    const ax = floats(stateTensor(state, "ax"));
    const etaT = stateTensor(state, "eta");
    const muT = stateTensor(state, "mu");
    const eta = etaT._data[0];
    const mu = muT._data[0];
    const decay = r(1 - lambd * eta);
    const negEta = r(-eta);
    for (let i = 0; i < w.length; i++) {
      w[i] = r(w[i] * decay); // param.mul_(1 - lambd * eta.item())
      w[i] = fma(g[i], negEta, w[i]); // param.add_(grad, alpha=-eta.item())
      ax[i] = mu !== 1 ? r(ax[i] + r(r(w[i] - ax[i]) * mu)) : w[i]; // ax.add_(param.sub(ax).mul(mu)), or ax.copy_(param)
    }
    writeBack(p, w);
    // torch.tensor(...) of a Python float: computed in doubles, stored as float32.
    etaT._data[0] = Math.fround(lr / pyPow(1 + lambd * lr * step, alpha));
    muT._data[0] = Math.fround(step - t0 > 1 ? 1 / (step - t0) : 1);
  }
}

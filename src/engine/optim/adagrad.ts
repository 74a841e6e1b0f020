/** torch.optim.Adagrad, as PyTorch 1.13's single-tensor implementation computes it (`_single_tensor_adagrad`). */
import type { Tensor } from "../tensor";
import { checkNonNegative, withDefaults } from "./checks";
import { floatOps } from "./float_ops";
import type { ParamGroup, ParamState, Params } from "./optimizer";
import { SingleTensorOptimizer, decayedGradient } from "./single_tensor";
import { countStep, floats, fullLike, scalarTensor, stateTensor, writable, writeBack } from "./state";

export interface AdagradOptions {
  lr?: number;
  lrDecay?: number;
  weightDecay?: number;
  initialAccumulatorValue?: number;
  eps?: number;
  maximize?: boolean;
}

export type AdagradParamGroup = ParamGroup & Required<AdagradOptions>;

export class Adagrad extends SingleTensorOptimizer<AdagradParamGroup> {
  protected override readonly pythonOnlyOptions = { foreach: null };
  protected override readonly intOptions = new Set(["lrDecay", "weightDecay", "initialAccumulatorValue"]);

  constructor(params: Params<AdagradParamGroup>, options: AdagradOptions = {}) {
    const d = withDefaults(options, { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false }, "Adagrad");
    checkNonNegative(d.lr, "Invalid learning rate");
    checkNonNegative(d.lrDecay, "Invalid lr_decay value");
    checkNonNegative(d.weightDecay, "Invalid weight_decay value");
    checkNonNegative(d.initialAccumulatorValue, "Invalid initial_accumulator_value value");
    checkNonNegative(d.eps, "Invalid epsilon value");
    super(params, d);
    // PyTorch makes Adagrad's state in the constructor, for every parameter, with the group's initial value.
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const state = this.stateOf(p);
        state.step = scalarTensor(0);
        state.sum = fullLike(p, group.initialAccumulatorValue);
      }
    }
  }

  protected updateParam(p: Tensor, grad: Tensor, state: ParamState, group: AdagradParamGroup): void {
    const { lr, lrDecay, weightDecay, eps, maximize } = group;
    const { r, fma, sqrt } = floatOps(p.dtype);
    const step = countStep(state);
    const w = writable(p);
    const g = decayedGradient(p, w, grad, weightDecay, maximize);
    const sum = floats(stateTensor(state, "sum"));
    const epsR = r(eps);
    const negClr = r(-(lr / (1 + (step - 1) * lrDecay)));
    for (let i = 0; i < w.length; i++) {
      const gi = g[i];
      sum[i] = fma(gi, gi, sum[i]); // state_sum.addcmul_(grad, grad, value=1)
      const std = r(sqrt(sum[i]) + epsR); // state_sum.sqrt().add_(eps)
      w[i] = r(w[i] + r(r(negClr * gi) / std)); // param.addcdiv_(grad, std, value=-clr)
    }
    writeBack(p, w);
  }
}

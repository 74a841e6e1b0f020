/** torch.optim.Rprop, as PyTorch 1.13's single-tensor implementation computes it (`_single_tensor_rprop`). */
import { ValueError } from "../errors";
import type { Tensor } from "../tensor";
import { checkNonNegative, formatArg, withDefaults } from "./checks";
import { floatOps } from "./float_ops";
import type { ParamGroup, ParamState, Params } from "./optimizer";
import { SingleTensorOptimizer } from "./single_tensor";
import { countIntStep, floats, fullLike, stateTensor, writable, writeBack, zerosLike } from "./state";

export interface RpropOptions {
  lr?: number;
  /** (etaminus, etaplus): the factors a step size is multiplied by when the gradient's sign flips / stays. */
  etas?: [number, number];
  /** (min, max): the bounds of each step size. */
  stepSizes?: [number, number];
  maximize?: boolean;
}

export type RpropParamGroup = ParamGroup & Required<RpropOptions>;

export class Rprop extends SingleTensorOptimizer<RpropParamGroup> {
  protected override readonly pythonOnlyOptions = { foreach: null };
  // PyTorch's default step_sizes is (1e-6, 50): its 50 is an int and prints so.
  protected override readonly intOptions = new Set(["stepSizes"]);

  constructor(params: Params<RpropParamGroup>, options: RpropOptions = {}) {
    const d = withDefaults(options, { lr: 1e-2, etas: [0.5, 1.2] as [number, number], stepSizes: [1e-6, 50] as [number, number], maximize: false }, "Rprop");
    checkNonNegative(d.lr, "Invalid learning rate");
    checkPair(d.etas, "etas");
    checkPair(d.stepSizes, "stepSizes");
    const [minus, plus] = d.etas;
    if (!(minus > 0 && minus < 1 && plus > 1)) throw new ValueError(`Invalid eta values: ${formatArg(minus)}, ${formatArg(plus)}`);
    super(params, d);
  }

  protected override initState(p: Tensor, state: ParamState, group: RpropParamGroup): void {
    state.step = 0;
    state.prev = zerosLike(p);
    state.stepSize = fullLike(p, group.lr);
  }

  protected updateParam(p: Tensor, grad: Tensor, state: ParamState, group: RpropParamGroup): void {
    countIntStep(state);
    const { r, fma } = floatOps(p.dtype);
    const w = writable(p);
    const g = floats(grad, "gradient");
    const prev = floats(stateTensor(state, "prev"));
    const size = floats(stateTensor(state, "stepSize"));
    const etaMinus = r(group.etas[0]);
    const etaPlus = r(group.etas[1]);
    const sizeMin = r(group.stepSizes[0]);
    const sizeMax = r(group.stepSizes[1]);
    for (let i = 0; i < w.length; i++) {
      let gi = group.maximize ? -g[i] : g[i];
      const product = r(gi * prev[i]);
      // sign = grad.mul(prev).sign() (0 for NaN), then the three masked fills in PyTorch's order.
      let factor = product > 0 ? 1 : product < 0 ? -1 : 0;
      if (factor > 0) factor = etaPlus;
      if (factor < 0) factor = etaMinus;
      if (factor === 0) factor = 1;
      size[i] = clamp(r(size[i] * factor), sizeMin, sizeMax); // step_size.mul_(sign).clamp_(min, max)
      if (factor === etaMinus) gi = 0; // grad[sign.eq(etaminus)] = 0
      const s = gi > 0 ? 1 : gi < 0 ? -1 : 0;
      w[i] = fma(-s, size[i], w[i]); // param.addcmul_(grad.sign(), step_size, value=-1)
      prev[i] = gi;
    }
    writeBack(p, w);
  }
}

/** std::min(std::max(x, lo), hi), as clamp's kernel computes it (NaN stays NaN). */
function clamp(x: number, lo: number, hi: number): number {
  const low = x < lo ? lo : x;
  return hi < low ? hi : low;
}

function checkPair(v: unknown, name: string): void {
  if (!Array.isArray(v) || v.length !== 2 || v.some((x) => typeof x !== "number")) throw new ValueError(`${name} must be a pair of numbers, but got ${formatArg(v)}`);
}


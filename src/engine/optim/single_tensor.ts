/**
 * What PyTorch 1.13's single-tensor (foreach=False) optimizers share: they walk each group's parameters that have
 * a gradient, make a parameter's state on its first update, apply their own rule to it, and read the gradient
 * negated for `maximize` and with the L2 penalty added. Each optimizer keeps only its state layout and its rule.
 */
import type { Tensor } from "../tensor";
import { floatOps } from "./float_ops";
import { Optimizer, type ParamGroup, type ParamState } from "./optimizer";
import { type FloatArray, floats } from "./state";

export abstract class SingleTensorOptimizer<G extends ParamGroup> extends Optimizer<G> {
  protected updateGroup(group: G): void {
    for (const p of group.params) {
      if (!p.grad) continue;
      const state = this.stateOf(p);
      if (Object.keys(state).length === 0) this.initState(p, state, group);
      this.updateParam(p, p.grad, state, group);
      this.modified(p);
    }
  }

  /** Fills a parameter's empty state before its first update (PyTorch's `if len(state) == 0:` block). Optimizers
   * that make their state elsewhere (Adagrad, in its constructor) or as they go (SGD) leave it empty. */
  protected initState(_p: Tensor, _state: ParamState, _group: G): void {}

  /** The optimizer's rule: writes `p`'s new values (through `writable` / `writeBack`) and its state. */
  protected abstract updateParam(p: Tensor, grad: Tensor, state: ParamState, group: G): void;
}

/**
 * The gradient an update rule reads, from `w`, the parameter's values before this update: `-grad` when maximizing,
 * then `grad.add(param, alpha=weight_decay)` — one fused multiply-add, weight_decay rounded to the dtype. The
 * gradient's own values when there is nothing to change, else a new array in the parameter's dtype.
 */
export function decayedGradient(p: Tensor, w: FloatArray, grad: Tensor, weightDecay: number, maximize: boolean): FloatArray {
  const g = floats(grad, "gradient");
  if (weightDecay === 0 && !maximize) return g;
  const { r, fma } = floatOps(p.dtype);
  const wd = r(weightDecay);
  const n = g.length;
  const d = p.dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const gi = maximize ? -g[i] : g[i];
    d[i] = weightDecay !== 0 ? fma(w[i], wd, gi) : gi;
  }
  return d;
}

/** What SGD and Adam share: the parameters they update, checked as PyTorch checks them, and zeroGrad. */
import { noGrad } from "../autograd/grad_mode";
import { RuntimeError } from "../errors";
import { zeroGradOf } from "../nn/module";
import { recorder } from "../recorder";
import type { Tensor } from "../tensor";
import { writeValues } from "../ops/write";

export abstract class Optimizer {
  readonly params: Tensor[];

  constructor(params: Iterable<Tensor>, lr: number) {
    if (typeof lr !== "number" || !(lr >= 0)) throw new RuntimeError(`Invalid learning rate: ${lr}`);
    this.params = [...params];
    if (!this.params.length) throw new RuntimeError("optimizer got an empty parameter list");
    for (const p of this.params) {
      if (!p.isLeaf) throw new RuntimeError("can't optimize a non-leaf Tensor");
    }
  }

  /** PyTorch 1.13's default zero_grad(set_to_none=False): grads are zeroed in place. */
  zeroGrad(setToNone = false): void {
    for (const p of this.params) zeroGradOf(p, setToNone);
  }

  step(): void {
    recorder.current?.onOptimizerStep?.(this, false);
    noGrad(() => {
      this.params.forEach((p, i) => {
        if (!p.grad) return;
        this.update(p, p.grad, i);
        // update() wrote into p._data, which for a parameter that is not contiguous is a row-major copy.
        if (!p._contiguous) writeValues(p, p._data);
        p._bumpVersion();
        if (recorder.current) recorder.current.onModified(p);
      });
    });
    recorder.current?.onOptimizerStep?.(this, true);
  }

  /** Updates one parameter's values in place, given its gradient. */
  protected abstract update(p: Tensor, grad: Tensor, index: number): void;
}

/** Rounds to the parameter's precision after each arithmetic step, as PyTorch's float32 kernels do. */
export function rounder(p: Tensor): (x: number) => number {
  return p.dtype === "float32" ? Math.fround : (x: number) => x;
}

/** PolynomialLR (PyTorch 1.13): the lr decays as (1 - epoch / totalIters) ** power, reaching 0 at totalIters. */
import { pyPow } from "../../random/libm_pow";
import { type AnyOptimizer, LRScheduler, type SchedulerOptions } from "./scheduler";

export interface PolynomialLROptions extends SchedulerOptions {
  /** How many epochs the decay takes (default 5). */
  totalIters?: number;
  /** The power of the polynomial (default 1). */
  power?: number;
}

export class PolynomialLR extends LRScheduler {
  readonly totalIters: number;
  readonly power: number;

  constructor(optimizer: AnyOptimizer, options: PolynomialLROptions = {}) {
    super(optimizer, options);
    this.totalIters = options.totalIters ?? 5;
    this.power = options.power ?? 1.0;
    this._initialStep();
  }

  protected computeLr(): number[] {
    const { lastEpoch: e, totalIters: n } = this;
    const lrs = this.groupLrs();
    if (e === 0 || e > n) return lrs;
    const decay = pyPow((1.0 - e / n) / (1.0 - (e - 1) / n), this.power);
    return lrs.map((lr) => lr * decay);
  }

  protected override closedFormLr(): number[] {
    const { lastEpoch: e, totalIters: n } = this;
    return this.baseLrs.map((base) => base * pyPow(1.0 - Math.min(n, e) / n, this.power));
  }
}

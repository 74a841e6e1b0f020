/** CosineAnnealingLR (PyTorch 1.13): the lr follows a cosine from the base lr down to etaMin over tMax epochs
 * (and back up after, as the recursive form does). */
import { libmCos } from "../../random/libm";
import { type AnyOptimizer, LRScheduler, pyMod, type SchedulerOptions } from "./scheduler";

export interface CosineAnnealingOptions extends SchedulerOptions {
  /** The lowest lr (default 0). */
  etaMin?: number;
}

export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: AnyOptimizer, tMax: number, options: CosineAnnealingOptions = {}) {
    super(optimizer, options);
    this.tMax = tMax;
    this.etaMin = options.etaMin ?? 0;
    this._initialStep();
  }

  protected computeLr(): number[] {
    const { lastEpoch: e, tMax: T, etaMin: eta } = this;
    const lrs = this.groupLrs();
    if (e === 0) return lrs;
    if (this._stepCount === 1 && e > 0) {
      return this.baseLrs.map((base) => eta + ((base - eta) * (1 + libmCos((e * Math.PI) / T))) / 2);
    }
    if (pyMod(e - 1 - T, 2 * T) === 0) {
      return lrs.map((lr, i) => lr + ((this.baseLrs[i] - eta) * (1 - libmCos(Math.PI / T))) / 2);
    }
    const ratio = (1 + libmCos((Math.PI * e) / T)) / (1 + libmCos((Math.PI * (e - 1)) / T));
    return lrs.map((lr) => ratio * (lr - eta) + eta);
  }

  protected override closedFormLr(): number[] {
    const { lastEpoch: e, tMax: T, etaMin: eta } = this;
    return this.baseLrs.map((base) => eta + ((base - eta) * (1 + libmCos((Math.PI * e) / T))) / 2);
  }
}

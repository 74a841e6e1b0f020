/** LambdaLR and MultiplicativeLR (PyTorch 1.13): the lr factor comes from the user's function of the epoch. */
import { ValueError } from "../../errors";
import { type AnyOptimizer, checkOptimizer, LRScheduler, type SchedulerOptions } from "./scheduler";

export type LrLambda = (epoch: number) => number;

function lambdasFor(optimizer: AnyOptimizer, lrLambda: LrLambda | readonly LrLambda[]): LrLambda[] {
  checkOptimizer(optimizer);
  const n = optimizer.paramGroups.length;
  if (!Array.isArray(lrLambda)) return new Array<LrLambda>(n).fill(lrLambda as LrLambda);
  if (lrLambda.length !== n) throw new ValueError(`Expected ${n} lr_lambdas, but got ${lrLambda.length}`);
  return lrLambda.slice();
}

/** lr = base lr * lrLambda(epoch), one function for all groups or one per group. */
export class LambdaLR extends LRScheduler {
  readonly lrLambdas: LrLambda[];

  constructor(optimizer: AnyOptimizer, lrLambda: LrLambda | readonly LrLambda[], options: SchedulerOptions = {}) {
    const lambdas = lambdasFor(optimizer, lrLambda);
    super(optimizer, options);
    this.lrLambdas = lambdas;
    this._initialStep();
  }

  protected computeLr(): number[] {
    return this.baseLrs.map((base, i) => base * this.lrLambdas[i](this.lastEpoch));
  }
}

/** lr = current lr * lrLambda(epoch) from the first epoch on. */
export class MultiplicativeLR extends LRScheduler {
  readonly lrLambdas: LrLambda[];

  constructor(optimizer: AnyOptimizer, lrLambda: LrLambda | readonly LrLambda[], options: SchedulerOptions = {}) {
    const lambdas = lambdasFor(optimizer, lrLambda);
    super(optimizer, options);
    this.lrLambdas = lambdas;
    this._initialStep();
  }

  protected computeLr(): number[] {
    const lrs = this.groupLrs();
    if (this.lastEpoch <= 0) return lrs;
    return lrs.map((lr, i) => lr * this.lrLambdas[i](this.lastEpoch));
  }
}

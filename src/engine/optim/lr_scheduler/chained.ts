/** ChainedScheduler (PyTorch 1.13): steps several schedulers of one optimizer together, each from the lrs the one
 * before it set, so their factors multiply. */
import { ValueError } from "../../errors";
import type { AnyOptimizer, LRScheduler } from "./scheduler";

export class ChainedScheduler {
  readonly optimizer: AnyOptimizer;
  readonly schedulers: LRScheduler[];
  /** @internal */ _lastLr: number[];

  constructor(schedulers: LRScheduler[]) {
    if (!Array.isArray(schedulers) || schedulers.length === 0) throw new ValueError("ChainedScheduler expects a non-empty list of schedulers");
    for (let i = 1; i < schedulers.length; i++) {
      if (schedulers[i].optimizer !== schedulers[0].optimizer) {
        throw new ValueError(`ChainedScheduler expects all schedulers to belong to the same optimizer, but got schedulers at index 0 and ${i} to be different`);
      }
    }
    this.schedulers = schedulers.slice();
    this.optimizer = schedulers[0].optimizer;
    this._lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  step(): void {
    for (const s of this.schedulers) s.step();
    this._lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  getLastLr(): number[] {
    return this._lastLr.slice();
  }

  stateDict(): Record<string, unknown> {
    return { _lastLr: this._lastLr.slice(), schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  loadStateDict(stateDict: Record<string, unknown>): void {
    this._lastLr = (stateDict._lastLr as number[]).slice();
    (stateDict.schedulers as Array<Record<string, unknown>>).forEach((s, i) => this.schedulers[i].loadStateDict(s));
  }
}

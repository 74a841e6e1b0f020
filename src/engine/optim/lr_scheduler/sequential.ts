/** SequentialLR (PyTorch 1.13): runs one scheduler after another, switching at the milestones. At a switch the
 * next scheduler is stepped with epoch 0, i.e. by its closed form (with PyTorch's deprecation warning). */
import { ValueError } from "../../errors";
import { type AnyOptimizer, checkOptimizer, LRScheduler } from "./scheduler";

export class SequentialLR {
  readonly optimizer: AnyOptimizer;
  readonly schedulers: LRScheduler[];
  readonly milestones: number[];
  lastEpoch: number;
  /** @internal */ _lastLr: number[];

  constructor(optimizer: AnyOptimizer, schedulers: LRScheduler[], milestones: number[], options: { lastEpoch?: number } = {}) {
    checkOptimizer(optimizer);
    schedulers.forEach((s, i) => {
      if (s.optimizer !== optimizer) {
        throw new ValueError(`Sequential Schedulers expects all schedulers to belong to the same optimizer, but got schedulers at index ${i} to be different than the optimizer passed in.`);
      }
      if (s.optimizer !== schedulers[0].optimizer) {
        throw new ValueError(`Sequential Schedulers expects all schedulers to belong to the same optimizer, but got schedulers at index 0 and ${i} to be different.`);
      }
    });
    if (milestones.length !== schedulers.length - 1) {
      throw new ValueError(
        `Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers ${schedulers.length} and the number of milestones to be equal to ${milestones.length}`,
      );
    }
    this.optimizer = optimizer;
    this.schedulers = schedulers;
    this.milestones = milestones.slice();
    this.lastEpoch = (options.lastEpoch ?? -1) + 1;
    // Undo the first step each scheduler took when it was made, and start the first one again.
    for (const g of optimizer.paramGroups) g.lr = g.initialLr as number;
    for (const s of schedulers) s.lastEpoch -= 1;
    schedulers[0]._initialStep();
    this._lastLr = schedulers[0].getLastLr();
  }

  step(): void {
    this.lastEpoch++;
    const idx = this.milestones.filter((m) => m <= this.lastEpoch).length; // bisect_right
    const scheduler = this.schedulers[idx];
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) scheduler.step(0);
    else scheduler.step();
    this._lastLr = scheduler.getLastLr();
  }

  getLastLr(): number[] {
    return this._lastLr.slice();
  }

  stateDict(): Record<string, unknown> {
    return { lastEpoch: this.lastEpoch, milestones: this.milestones.slice(), _lastLr: this._lastLr.slice(), schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  loadStateDict(stateDict: Record<string, unknown>): void {
    this.lastEpoch = stateDict.lastEpoch as number;
    this._lastLr = (stateDict._lastLr as number[]).slice();
    (stateDict.schedulers as Array<Record<string, unknown>>).forEach((s, i) => this.schedulers[i].loadStateDict(s));
  }
}

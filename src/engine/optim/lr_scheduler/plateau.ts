/** ReduceLROnPlateau (PyTorch 1.13): multiplies the lr by `factor` when a metric has stopped improving for
 * `patience` epochs. Not an LRScheduler in PyTorch either: step() takes the metric. */
import { ValueError } from "../../errors";
import { sprintf } from "../../print/sprintf";
import { warn } from "../../recorder";
import type { Tensor } from "../../tensor";
import { type AnyOptimizer, checkOptimizer, EPOCH_DEPRECATION_WARNING } from "./scheduler";

export interface ReduceLROnPlateauOptions {
  mode?: "min" | "max";
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: "rel" | "abs";
  cooldown?: number;
  minLr?: number | number[];
  eps?: number;
  verbose?: boolean;
}

export class ReduceLROnPlateau {
  readonly optimizer: AnyOptimizer;
  readonly factor: number;
  readonly minLrs: number[];
  patience: number;
  verbose: boolean;
  cooldown: number;
  cooldownCounter = 0;
  mode: "min" | "max";
  threshold: number;
  thresholdMode: "rel" | "abs";
  best = Infinity;
  numBadEpochs = 0;
  modeWorse = Infinity;
  eps: number;
  lastEpoch = 0;
  /** @internal */ _lastLr: number[] | null = null;

  constructor(optimizer: AnyOptimizer, options: ReduceLROnPlateauOptions = {}) {
    const factor = options.factor ?? 0.1;
    if (factor >= 1.0) throw new ValueError("Factor should be < 1.0.");
    checkOptimizer(optimizer);
    this.factor = factor;
    this.optimizer = optimizer;
    const minLr = options.minLr ?? 0;
    if (Array.isArray(minLr)) {
      if (minLr.length !== optimizer.paramGroups.length) throw new ValueError(`expected ${optimizer.paramGroups.length} min_lrs, got ${minLr.length}`);
      this.minLrs = minLr.slice();
    } else this.minLrs = new Array<number>(optimizer.paramGroups.length).fill(minLr);
    this.patience = options.patience ?? 10;
    this.verbose = options.verbose ?? false;
    this.cooldown = options.cooldown ?? 0;
    this.mode = options.mode ?? "min";
    this.threshold = options.threshold ?? 1e-4;
    this.thresholdMode = options.thresholdMode ?? "rel";
    this.eps = options.eps ?? 1e-8;
    this.initIsBetter();
    this.reset();
  }

  private reset(): void {
    this.best = this.modeWorse;
    this.cooldownCounter = 0;
    this.numBadEpochs = 0;
  }

  private initIsBetter(): void {
    if (this.mode !== "min" && this.mode !== "max") throw new ValueError(`mode ${String(this.mode)} is unknown!`);
    if (this.thresholdMode !== "rel" && this.thresholdMode !== "abs") throw new ValueError(`threshold mode ${String(this.thresholdMode)} is unknown!`);
    this.modeWorse = this.mode === "min" ? Infinity : -Infinity;
  }

  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  isBetter(a: number, best: number): boolean {
    if (this.mode === "min" && this.thresholdMode === "rel") return a < best * (1 - this.threshold);
    if (this.mode === "min") return a < best - this.threshold;
    if (this.thresholdMode === "rel") return a > best * (this.threshold + 1);
    return a > best + this.threshold;
  }

  /** Records the epoch's metric (a number or a one-element tensor) and lowers the lr after `patience` bad epochs. */
  step(metrics: number | Tensor, epoch?: number): void {
    const current = Number(metrics);
    if (epoch === undefined) epoch = this.lastEpoch + 1;
    else warn(EPOCH_DEPRECATION_WARNING);
    this.lastEpoch = epoch;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else this.numBadEpochs++;
    if (this.inCooldown) {
      this.cooldownCounter--;
      this.numBadEpochs = 0; // bad epochs in cooldown do not count
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr(epoch);
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this._lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  private reduceLr(epoch: number): void {
    this.optimizer.paramGroups.forEach((g, i) => {
      const oldLr = g.lr;
      const newLr = Math.max(oldLr * this.factor, this.minLrs[i]);
      if (oldLr - newLr > this.eps) {
        g.lr = newLr;
        if (this.verbose) {
          const epochStr = Number.isInteger(epoch) ? sprintf("%.5d", epoch) : sprintf("%.2f", epoch);
          console.log(`Epoch ${epochStr}: reducing learning rate of group ${i} to ${sprintf("%.4e", newLr)}.`);
        }
      }
    });
  }

  /** The lrs after the last step() (PyTorch 1.13 keeps them in `_last_lr`; before any step, the current lrs). */
  getLastLr(): number[] {
    return this._lastLr ? this._lastLr.slice() : this.optimizer.paramGroups.map((g) => g.lr);
  }

  stateDict(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this)) if (k !== "optimizer") out[k] = Array.isArray(v) ? v.slice() : v;
    return out;
  }

  loadStateDict(stateDict: Record<string, unknown>): void {
    for (const [k, v] of Object.entries(stateDict)) if (k !== "optimizer") (this as Record<string, unknown>)[k] = v;
    this.initIsBetter();
  }
}

/** StepLR, MultiStepLR, ExponentialLR, ConstantLR and LinearLR (PyTorch 1.13): lr multiplied by a factor at some
 * epochs. The chainable rules multiply the current lr; the closed forms (used by step(epoch) and SequentialLR)
 * start from the base lr. */
import { ValueError } from "../../errors";
import { pyPow } from "../../random/libm_pow";
import { type AnyOptimizer, LRScheduler, type SchedulerOptions } from "./scheduler";

export interface GammaOptions extends SchedulerOptions {
  /** The factor applied at each decay (default 0.1). */
  gamma?: number;
}

/** Decays each group's lr by gamma every `stepSize` epochs. */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: AnyOptimizer, stepSize: number, options: GammaOptions = {}) {
    super(optimizer, options);
    this.stepSize = stepSize;
    this.gamma = options.gamma ?? 0.1;
    this._initialStep();
  }

  protected computeLr(): number[] {
    const lrs = this.groupLrs();
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return lrs;
    return lrs.map((lr) => lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * pyPow(this.gamma, Math.floor(this.lastEpoch / this.stepSize)));
  }
}

/** Decays each group's lr by gamma at each milestone (a milestone listed twice decays twice). */
export class MultiStepLR extends LRScheduler {
  /** How many times each milestone was listed (PyTorch's Counter). */
  readonly milestones: Map<number, number>;
  readonly gamma: number;

  constructor(optimizer: AnyOptimizer, milestones: Iterable<number>, options: GammaOptions = {}) {
    super(optimizer, options);
    this.milestones = new Map();
    for (const m of milestones) this.milestones.set(m, (this.milestones.get(m) ?? 0) + 1);
    this.gamma = options.gamma ?? 0.1;
    this._initialStep();
  }

  protected computeLr(): number[] {
    const count = this.milestones.get(this.lastEpoch);
    const lrs = this.groupLrs();
    if (count === undefined) return lrs;
    return lrs.map((lr) => lr * pyPow(this.gamma, count));
  }

  protected override closedFormLr(): number[] {
    const sorted = [...this.milestones].flatMap(([m, c]) => new Array<number>(c).fill(m)).sort((a, b) => a - b);
    const passed = sorted.filter((m) => m <= this.lastEpoch).length; // bisect_right
    return this.baseLrs.map((base) => base * pyPow(this.gamma, passed));
  }
}

/** Decays each group's lr by gamma every epoch. */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;

  constructor(optimizer: AnyOptimizer, gamma: number, options: SchedulerOptions = {}) {
    super(optimizer, options);
    this.gamma = gamma;
    this._initialStep();
  }

  protected computeLr(): number[] {
    const lrs = this.groupLrs();
    return this.lastEpoch === 0 ? lrs : lrs.map((lr) => lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * pyPow(this.gamma, this.lastEpoch));
  }
}

export interface ConstantLROptions extends SchedulerOptions {
  /** The factor for the first totalIters epochs (default 1/3). */
  factor?: number;
  /** How many epochs (default 5). */
  totalIters?: number;
}

/** Multiplies each group's lr by a constant factor until `totalIters` epochs have passed. */
export class ConstantLR extends LRScheduler {
  readonly factor: number;
  readonly totalIters: number;

  constructor(optimizer: AnyOptimizer, options: ConstantLROptions = {}) {
    const factor = options.factor ?? 1.0 / 3;
    if (factor > 1.0 || factor < 0) throw new ValueError("Constant multiplicative factor expected to be between 0 and 1.");
    super(optimizer, options);
    this.factor = factor;
    this.totalIters = options.totalIters ?? 5;
    this._initialStep();
  }

  protected computeLr(): number[] {
    const lrs = this.groupLrs();
    if (this.lastEpoch === 0) return lrs.map((lr) => lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return lrs;
    return lrs.map((lr) => lr * (1.0 / this.factor));
  }

  protected override closedFormLr(): number[] {
    const done = this.lastEpoch >= this.totalIters ? 1 : 0;
    return this.baseLrs.map((base) => base * (this.factor + done * (1 - this.factor)));
  }
}

export interface LinearLROptions extends SchedulerOptions {
  /** The factor at the first epoch (default 1/3). */
  startFactor?: number;
  /** The factor from `totalIters` on (default 1). */
  endFactor?: number;
  /** How many epochs the factor takes to go from start to end (default 5). */
  totalIters?: number;
}

/** Multiplies each group's lr by a factor that goes linearly from startFactor to endFactor over totalIters epochs. */
export class LinearLR extends LRScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;

  constructor(optimizer: AnyOptimizer, options: LinearLROptions = {}) {
    const startFactor = options.startFactor ?? 1.0 / 3;
    const endFactor = options.endFactor ?? 1.0;
    if (startFactor > 1.0 || startFactor < 0) throw new ValueError("Starting multiplicative factor expected to be between 0 and 1.");
    if (endFactor > 1.0 || endFactor < 0) throw new ValueError("Ending multiplicative factor expected to be between 0 and 1.");
    super(optimizer, options);
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = options.totalIters ?? 5;
    this._initialStep();
  }

  protected computeLr(): number[] {
    const lrs = this.groupLrs();
    if (this.lastEpoch === 0) return lrs.map((lr) => lr * this.startFactor);
    if (this.lastEpoch > this.totalIters) return lrs;
    const { startFactor: s, endFactor: e, totalIters: n } = this;
    return lrs.map((lr) => lr * (1 + (e - s) / (n * s + (this.lastEpoch - 1) * (e - s))));
  }

  protected override closedFormLr(): number[] {
    const { startFactor: s, endFactor: e, totalIters: n } = this;
    return this.baseLrs.map((base) => base * (s + ((e - s) * Math.min(n, this.lastEpoch)) / n));
  }
}

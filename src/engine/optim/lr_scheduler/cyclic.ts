/**
 * CyclicLR (PyTorch 1.13): the lr goes back and forth between baseLr and maxLr (stepSizeUp iterations up,
 * stepSizeDown down), the amplitude scaled per cycle or per iteration; momentum moves the other way between
 * maxMomentum and baseMomentum. Meant to be stepped after every batch.
 */
import { ValueError } from "../../errors";
import { pyPow } from "../../random/libm_pow";
import { type AnyOptimizer, checkOptimizer, LRScheduler, perGroup, type SchedulerOptions } from "./scheduler";

export type CyclicMode = "triangular" | "triangular2" | "exp_range";

export interface CyclicLROptions extends SchedulerOptions {
  /** The lower lr of the cycle, per group or for all. */
  baseLr: number | number[];
  /** The upper lr of the cycle, per group or for all. */
  maxLr: number | number[];
  /** Iterations in the increasing half of a cycle (default 2000). */
  stepSizeUp?: number;
  /** Iterations in the decreasing half (default: stepSizeUp). */
  stepSizeDown?: number;
  /** How the amplitude shrinks: not at all, halved each cycle, or by gamma ** iteration (default "triangular"). */
  mode?: CyclicMode;
  /** The base of "exp_range" (default 1). */
  gamma?: number;
  /** A custom amplitude scale, in [0, 1], of the cycle number or the iteration (replaces mode). */
  scaleFn?: (x: number) => number;
  /** What scaleFn is given: the cycle number or the iteration (default "cycle"). */
  scaleMode?: "cycle" | "iterations";
  /** Move momentum inversely to the lr (default true; the optimizer must have a momentum option). */
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
}

export class CyclicLR extends LRScheduler {
  readonly maxLrs: number[];
  readonly totalSize: number;
  readonly stepRatio: number;
  readonly mode: CyclicMode;
  readonly gamma: number;
  readonly scaleMode: "cycle" | "iterations";
  readonly cycleMomentum: boolean;
  readonly baseMomentums: number[];
  readonly maxMomentums: number[];
  private readonly customScaleFn: ((x: number) => number) | null;

  constructor(optimizer: AnyOptimizer, options: CyclicLROptions) {
    checkOptimizer(optimizer);
    if (!options || options.baseLr === undefined || options.maxLr === undefined) throw new TypeError("CyclicLR needs the options baseLr and maxLr");
    const lastEpoch = options.lastEpoch ?? -1;
    const baseLrs = perGroup("base_lr", optimizer, options.baseLr);
    if (lastEpoch === -1) optimizer.paramGroups.forEach((g, i) => (g.lr = baseLrs[i]));
    const maxLrs = perGroup("max_lr", optimizer, options.maxLr);
    const up = options.stepSizeUp ?? 2000;
    const down = options.stepSizeDown ?? up;
    const mode = options.mode ?? "triangular";
    const scaleFn = options.scaleFn ?? null;
    if (!["triangular", "triangular2", "exp_range"].includes(mode) && scaleFn === null) throw new ValueError("mode is invalid and scale_fn is None");
    const cycleMomentum = options.cycleMomentum ?? true;
    let baseMomentums: number[] = [];
    let maxMomentums: number[] = [];
    if (cycleMomentum) {
      if (!("momentum" in optimizer.defaults)) throw new ValueError("optimizer must support momentum with `cycle_momentum` option enabled");
      const bases = perGroup("base_momentum", optimizer, options.baseMomentum ?? 0.8);
      if (lastEpoch === -1) optimizer.paramGroups.forEach((g, i) => (g.momentum = bases[i]));
      baseMomentums = optimizer.paramGroups.map((g) => g.momentum as number);
      maxMomentums = perGroup("max_momentum", optimizer, options.maxMomentum ?? 0.9);
    }
    super(optimizer, options);
    this.maxLrs = maxLrs;
    this.totalSize = up + down;
    this.stepRatio = up / this.totalSize;
    this.mode = mode;
    this.gamma = options.gamma ?? 1.0;
    this.customScaleFn = scaleFn;
    this.scaleMode = scaleFn ? options.scaleMode ?? "cycle" : mode === "exp_range" ? "iterations" : "cycle";
    this.cycleMomentum = cycleMomentum;
    this.baseMomentums = baseMomentums;
    this.maxMomentums = maxMomentums;
    this._initialStep();
    // As in PyTorch: the first step used the groups' initial lrs, later ones use baseLr.
    this.baseLrs = baseLrs;
  }

  private scale(x: number): number {
    if (this.customScaleFn) return this.customScaleFn(x);
    if (this.mode === "triangular2") return 1 / pyPow(2.0, x - 1);
    if (this.mode === "exp_range") return pyPow(this.gamma, x);
    return 1.0;
  }

  protected computeLr(): number[] {
    const e = this.lastEpoch;
    const cycle = Math.floor(1 + e / this.totalSize);
    const x = 1.0 + e / this.totalSize - cycle;
    const scaleFactor = x <= this.stepRatio ? x / this.stepRatio : (x - 1) / (this.stepRatio - 1);
    const scale = this.scale(this.scaleMode === "cycle" ? cycle : e);
    const lrs = this.baseLrs.map((base, i) => base + (this.maxLrs[i] - base) * scaleFactor * scale);
    if (this.cycleMomentum) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const top = this.maxMomentums[i];
        g.momentum = top - (top - this.baseMomentums[i]) * scaleFactor * scale;
      });
    }
    return lrs;
  }
}

/**
 * OneCycleLR (PyTorch 1.13): the lr rises from maxLr / divFactor to maxLr over the first pctStart of the steps,
 * then anneals to initial / finalDivFactor (three phases with threePhase); momentum (or Adam's beta1) moves the
 * other way between maxMomentum and baseMomentum.
 */
import { ValueError } from "../../errors";
import { libmCos } from "../../random/libm";
import { formatArg } from "../checks";
import { type AnyOptimizer, checkOptimizer, LRScheduler, perGroup, type SchedulerOptions } from "./scheduler";

export interface OneCycleLROptions extends SchedulerOptions {
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** The fraction of the steps spent increasing the lr (default 0.3). */
  pctStart?: number;
  annealStrategy?: "cos" | "linear";
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  /** initial lr = maxLr / divFactor (default 25). */
  divFactor?: number;
  /** min lr = initial lr / finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  threePhase?: boolean;
}

type GroupKey = "initialLr" | "maxLr" | "minLr" | "maxMomentum" | "baseMomentum";

interface Phase {
  endStep: number;
  startLr: GroupKey;
  endLr: GroupKey;
  startMomentum: GroupKey;
  endMomentum: GroupKey;
}

function positiveInteger(value: number | undefined, name: string): number {
  if (value === undefined || !Number.isInteger(value) || value <= 0) throw new ValueError(`Expected positive integer ${name}, but got ${formatArg(value ?? null)}`);
  return value;
}

export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  readonly cycleMomentum: boolean;
  readonly useBeta1: boolean;
  readonly annealStrategy: "cos" | "linear";
  private readonly phases: Phase[];

  constructor(optimizer: AnyOptimizer, maxLr: number | number[], options: OneCycleLROptions = {}) {
    checkOptimizer(optimizer);
    const o = options;
    let totalSteps: number;
    if (o.totalSteps === undefined && o.epochs === undefined && o.stepsPerEpoch === undefined) {
      throw new ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)");
    } else if (o.totalSteps !== undefined) {
      totalSteps = positiveInteger(o.totalSteps, "total_steps");
    } else {
      totalSteps = positiveInteger(o.epochs, "epochs") * positiveInteger(o.stepsPerEpoch, "steps_per_epoch");
    }
    const pctStart = o.pctStart ?? 0.3;
    const phases: Phase[] = o.threePhase
      ? [
          { endStep: pctStart * totalSteps - 1, startLr: "initialLr", endLr: "maxLr", startMomentum: "maxMomentum", endMomentum: "baseMomentum" },
          { endStep: 2 * pctStart * totalSteps - 2, startLr: "maxLr", endLr: "initialLr", startMomentum: "baseMomentum", endMomentum: "maxMomentum" },
          { endStep: totalSteps - 1, startLr: "initialLr", endLr: "minLr", startMomentum: "maxMomentum", endMomentum: "maxMomentum" },
        ]
      : [
          { endStep: pctStart * totalSteps - 1, startLr: "initialLr", endLr: "maxLr", startMomentum: "maxMomentum", endMomentum: "baseMomentum" },
          { endStep: totalSteps - 1, startLr: "maxLr", endLr: "minLr", startMomentum: "baseMomentum", endMomentum: "maxMomentum" },
        ];
    if (typeof pctStart !== "number" || pctStart < 0 || pctStart > 1 || Number.isNaN(pctStart)) {
      throw new ValueError(`Expected float between 0 and 1 pct_start, but got ${formatArg(pctStart)}`);
    }
    const anneal = o.annealStrategy ?? "cos";
    if (anneal !== "cos" && anneal !== "linear") throw new ValueError(`anneal_strategy must by one of 'cos' or 'linear', instead got ${String(anneal)}`);
    const lastEpoch = o.lastEpoch ?? -1;
    const maxLrs = perGroup("max_lr", optimizer, maxLr);
    const divFactor = o.divFactor ?? 25;
    const finalDivFactor = o.finalDivFactor ?? 1e4;
    if (lastEpoch === -1) {
      optimizer.paramGroups.forEach((g, i) => {
        g.initialLr = maxLrs[i] / divFactor;
        g.maxLr = maxLrs[i];
        g.minLr = g.initialLr / finalDivFactor;
      });
    }
    const cycleMomentum = o.cycleMomentum ?? true;
    let useBeta1 = false;
    if (cycleMomentum) {
      const defaults = optimizer.defaults as Record<string, unknown>;
      if (!("momentum" in defaults) && !("betas" in defaults)) throw new ValueError("optimizer must support momentum with `cycle_momentum` option enabled");
      useBeta1 = "betas" in defaults;
      const maxMomentums = perGroup("max_momentum", optimizer, o.maxMomentum ?? 0.95);
      const baseMomentums = perGroup("base_momentum", optimizer, o.baseMomentum ?? 0.85);
      if (lastEpoch === -1) {
        optimizer.paramGroups.forEach((g, i) => {
          if (useBeta1) g.betas = [maxMomentums[i], ...(g.betas as number[]).slice(1)];
          else g.momentum = maxMomentums[i];
          g.maxMomentum = maxMomentums[i];
          g.baseMomentum = baseMomentums[i];
        });
      }
    }
    super(optimizer, options);
    this.totalSteps = totalSteps;
    this.phases = phases;
    this.annealStrategy = anneal;
    this.cycleMomentum = cycleMomentum;
    this.useBeta1 = useBeta1;
    this._initialStep();
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === "linear") return (end - start) * pct + start;
    const cosOut = libmCos(Math.PI * pct) + 1;
    return end + ((start - end) / 2.0) * cosOut;
  }

  protected computeLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) {
      throw new ValueError(`Tried to step ${stepNum + 1} times. The specified number of total steps is ${this.totalSteps}`);
    }
    return this.optimizer.paramGroups.map((group) => {
      let startStep = 0;
      let lr = 0;
      let momentum = 0;
      for (let i = 0; i < this.phases.length; i++) {
        const phase = this.phases[i];
        if (stepNum <= phase.endStep || i === this.phases.length - 1) {
          const pct = (stepNum - startStep) / (phase.endStep - startStep);
          lr = this.anneal(group[phase.startLr] as number, group[phase.endLr] as number, pct);
          if (this.cycleMomentum) momentum = this.anneal(group[phase.startMomentum] as number, group[phase.endMomentum] as number, pct);
          break;
        }
        startStep = phase.endStep;
      }
      if (this.cycleMomentum) {
        if (this.useBeta1) group.betas = [momentum, ...(group.betas as number[]).slice(1)];
        else group.momentum = momentum;
      }
      return lr;
    });
  }
}

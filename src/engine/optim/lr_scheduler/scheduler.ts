/**
 * torch.optim.lr_scheduler._LRScheduler (PyTorch 1.13): sets each group's lr at every step(), either by the
 * chainable rule (`computeLr`, from the current lrs) or, when step(epoch) is given an epoch, by the closed form
 * (`closedFormLr`, from the base lrs). Both compute in doubles exactly as PyTorch's Python does (glibc's cos and
 * pow where it calls them), so the lrs are PyTorch's floats to the last bit.
 */
import { KeyError, ValueError } from "../../errors";
import { sprintf } from "../../print/sprintf";
import { warn } from "../../recorder";
import type { Optimizer, ParamGroup } from "../optimizer";

export const EPOCH_DEPRECATION_WARNING =
  "The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where possible. Please use " +
  "`scheduler.step()` to step the scheduler. During the deprecation, if epoch is different from None, the closed " +
  "form is used instead of the new chainable form, where available. Please open an issue if you are unable to " +
  "replicate your use case: https://github.com/pytorch/pytorch/issues/new/choose.";

export interface SchedulerOptions {
  /** The index of the last epoch when resuming (default -1: a fresh start). */
  lastEpoch?: number;
  /** Print a line for each lr update, as PyTorch's verbose=True does. */
  verbose?: boolean;
}

/** Anything with PyTorch's `optimizer.param_groups`: the schedulers only read and write each group's lr. */
export type AnyOptimizer = Optimizer<ParamGroup>;

export abstract class LRScheduler {
  readonly optimizer: AnyOptimizer;
  baseLrs: number[];
  lastEpoch: number;
  verbose: boolean;
  /** @internal */ _stepCount = 0;
  /** @internal */ _lastLr: number[] = [];
  private getLrCalledWithinStep = false;

  /** Subclasses set their own fields, then call `this._initialStep()` (PyTorch's first step, in its __init__). */
  constructor(optimizer: AnyOptimizer, options: SchedulerOptions = {}) {
    checkOptimizer(optimizer);
    this.optimizer = optimizer;
    const lastEpoch = options.lastEpoch ?? -1;
    if (lastEpoch === -1) {
      for (const g of optimizer.paramGroups) g.initialLr ??= g.lr;
    } else {
      optimizer.paramGroups.forEach((g, i) => {
        if (g.initialLr === undefined) throw new KeyError(`param 'initial_lr' is not specified in param_groups[${i}] when resuming an optimizer`);
      });
    }
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
    this.verbose = options.verbose ?? false;
  }

  /** @internal The first step: at the end of each constructor, and when SequentialLR starts its first scheduler. */
  _initialStep(): void {
    this.optimizer._stepCount = 0;
    this._stepCount = 0;
    this.step();
  }

  /** The lrs set by the last step(), one per group. */
  getLastLr(): number[] {
    return this._lastLr.slice();
  }

  /** The lrs of the chainable rule at the current epoch (PyTorch warns when this is called outside step()). */
  getLr(): number[] {
    if (!this.getLrCalledWithinStep) warn("To get the last learning rate computed by the scheduler, please use `get_last_lr()`.");
    return this.computeLr();
  }

  protected abstract computeLr(): number[];

  /** The lrs at `lastEpoch` computed from the base lrs; schedulers without one use the chainable rule. */
  protected closedFormLr?(): number[];

  /** Advances one epoch (or jumps to `epoch`, deprecated in PyTorch) and sets each group's lr. */
  step(epoch?: number): void {
    if (this._stepCount === 1 && this.optimizer._stepCount < 1) {
      warn(
        "Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 and later, you should " +
          "call them in the opposite order: `optimizer.step()` before `lr_scheduler.step()`.  Failure to do this will " +
          "result in PyTorch skipping the first value of the learning rate schedule. See more details at " +
          "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate",
      );
    }
    this._stepCount++;
    let values: number[];
    this.getLrCalledWithinStep = true;
    try {
      if (epoch === undefined || epoch === null) {
        this.lastEpoch++;
        values = this.computeLr();
      } else {
        warn(EPOCH_DEPRECATION_WARNING);
        this.lastEpoch = epoch;
        values = this.closedFormLr ? this.closedFormLr() : this.computeLr();
      }
    } finally {
      this.getLrCalledWithinStep = false;
    }
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = values[i];
      this.printLr(i, values[i], epoch);
    });
    this._lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  protected printLr(group: number, lr: number, epoch?: number): void {
    if (!this.verbose) return;
    if (epoch === undefined || epoch === null) console.log(`Adjusting learning rate of group ${group} to ${sprintf("%.4e", lr)}.`);
    else {
      const epochStr = Number.isInteger(epoch) ? sprintf("%.5d", epoch) : sprintf("%.2f", epoch);
      console.log(`Epoch ${epochStr}: adjusting learning rate of group ${group} to ${sprintf("%.4e", lr)}.`);
    }
  }

  /** Every field except the optimizer (and functions, which PyTorch cannot pickle either). */
  stateDict(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this)) {
      if (k === "optimizer" || typeof v === "function") continue;
      out[k] = Array.isArray(v) ? v.slice() : v;
    }
    return out;
  }

  loadStateDict(stateDict: Record<string, unknown>): void {
    for (const [k, v] of Object.entries(stateDict)) {
      if (k !== "optimizer") (this as Record<string, unknown>)[k] = Array.isArray(v) ? v.slice() : v;
    }
  }

  /** The groups' current lrs. */
  protected groupLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }
}

export function checkOptimizer(optimizer: unknown): asserts optimizer is AnyOptimizer {
  const o = optimizer as { paramGroups?: unknown } | null;
  if (!o || typeof o !== "object" || !Array.isArray(o.paramGroups)) {
    const name = o === null || o === undefined ? "NoneType" : typeof o === "object" ? (o as object).constructor?.name ?? "object" : typeof o;
    throw new TypeError(`${name} is not an Optimizer`);
  }
}

/** One value per group: a list must have one entry per group, a single value is used for all. */
export function perGroup<T>(name: string, optimizer: AnyOptimizer, value: T | readonly T[]): T[] {
  const n = optimizer.paramGroups.length;
  if (Array.isArray(value)) {
    if (value.length !== n) throw new ValueError(`expected ${n} values for ${name}, got ${value.length}`);
    return value.slice();
  }
  return new Array<T>(n).fill(value as T);
}

/** Python's `%` for a positive divisor: the result has the divisor's sign. */
export function pyMod(a: number, b: number): number {
  const m = a % b;
  return m !== 0 && m < 0 !== b < 0 ? m + b : m;
}


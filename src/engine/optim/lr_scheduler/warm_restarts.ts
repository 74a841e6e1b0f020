/** CosineAnnealingWarmRestarts (PyTorch 1.13, SGDR): a cosine from the base lr down to etaMin over tI epochs, then
 * a restart at the base lr, with tI growing by tMult at each restart. step(epoch) takes fractional epochs
 * (`epoch + i / iters` within an epoch), and sets the schedule from the epoch without a warning. */
import { ValueError } from "../../errors";
import { libmCos, libmLog } from "../../random/libm";
import { formatArg } from "../checks";
import { type AnyOptimizer, LRScheduler, pyMod, type SchedulerOptions } from "./scheduler";

export interface CosineAnnealingWarmRestartsOptions extends SchedulerOptions {
  /** The factor tI grows by after each restart (an integer >= 1, default 1). */
  tMult?: number;
  /** The lowest lr (default 0). */
  etaMin?: number;
}

export class CosineAnnealingWarmRestarts extends LRScheduler {
  /** Epochs until the first restart (PyTorch's T_0). */
  readonly t0: number;
  readonly tMult: number;
  readonly etaMin: number;
  /** Epochs between the current restart and the next (T_i). */
  tI: number;
  /** Epochs since the last restart (T_cur), fractional after step(epoch) with a fractional epoch. */
  tCur: number;

  constructor(optimizer: AnyOptimizer, t0: number, options: CosineAnnealingWarmRestartsOptions = {}) {
    const tMult = options.tMult ?? 1;
    if (!Number.isInteger(t0) || t0 <= 0) throw new ValueError(`Expected positive integer T_0, but got ${formatArg(t0)}`);
    if (!Number.isInteger(tMult) || tMult < 1) throw new ValueError(`Expected integer T_mult >= 1, but got ${formatArg(tMult)}`);
    super(optimizer, options);
    this.t0 = t0;
    this.tI = t0;
    this.tMult = tMult;
    this.etaMin = options.etaMin ?? 0;
    this.tCur = this.lastEpoch;
    this._initialStep();
  }

  protected computeLr(): number[] {
    const { etaMin: eta, tCur, tI } = this;
    return this.baseLrs.map((base) => eta + ((base - eta) * (1 + libmCos((Math.PI * tCur) / tI))) / 2);
  }

  /** Advances one epoch, or sets the schedule at `epoch` (any non-negative number, fractions included). */
  override step(epoch?: number): void {
    if ((epoch === undefined || epoch === null) && this.lastEpoch < 0) epoch = 0;
    if (epoch === undefined || epoch === null) {
      epoch = this.lastEpoch + 1;
      this.tCur = this.tCur + 1;
      if (this.tCur >= this.tI) {
        this.tCur = this.tCur - this.tI;
        this.tI = this.tI * this.tMult;
      }
    } else {
      if (epoch < 0) throw new ValueError(`Expected non-negative epoch, but got ${formatArg(epoch)}`);
      if (epoch >= this.t0) {
        if (this.tMult === 1) this.tCur = pyMod(epoch, this.t0);
        else {
          // Python's int(math.log(x, base)): log(x) / log(base), truncated.
          const n = Math.trunc(libmLog((epoch / this.t0) * (this.tMult - 1) + 1) / libmLog(this.tMult));
          this.tCur = epoch - (this.t0 * (this.tMult ** n - 1)) / (this.tMult - 1);
          this.tI = this.t0 * this.tMult ** n;
        }
      } else {
        this.tI = this.t0;
        this.tCur = epoch;
      }
    }
    this.lastEpoch = Math.floor(epoch);
    const values = this.computeLr();
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = values[i];
      this.printLr(i, values[i], epoch);
    });
    this._lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }
}

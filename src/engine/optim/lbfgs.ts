/**
 * torch.optim.LBFGS (PyTorch 1.13): limited-memory BFGS with a closure that re-evaluates the loss and its
 * gradient, and an optional strong-Wolfe line search. Directions and dot products are computed on one flat
 * vector of all the parameters, with PyTorch's dot and sum (reductions.ts) and its float/tensor scalars
 * (lbfgs_numbers.ts), so each decision it takes is PyTorch's.
 */
import { enableGrad, noGrad } from "../autograd/grad_mode";
import { RuntimeError, ValueError } from "../errors";
import type { Tensor } from "../tensor";
import { checkOptions } from "./checks";
import { floatOps } from "./float_ops";
import { type Num, NumOps } from "./lbfgs_numbers";
import { strongWolfe } from "./line_search";
import { type Closure, Optimizer, type ParamGroup, type Params } from "./optimizer";
import { absMax, blasDot, torchSum } from "./reductions";
import { type FloatArray, floats, writable, writeBack } from "./state";

export interface LBFGSOptions {
  lr?: number;
  maxIter?: number;
  /** Default: maxIter * 5 / 4, rounded down. */
  maxEval?: number;
  toleranceGrad?: number;
  toleranceChange?: number;
  historySize?: number;
  lineSearchFn?: "strong_wolfe" | null;
}

export type LBFGSParamGroup = ParamGroup & Required<LBFGSOptions>;

const OPTIONS = ["lr", "maxIter", "maxEval", "toleranceGrad", "toleranceChange", "historySize", "lineSearchFn"];

/** What LBFGS keeps between steps (on its first parameter's state, as PyTorch does). */
interface LBFGSState {
  funcEvals: number;
  nIter: number;
  d?: FloatArray;
  t?: Num;
  oldDirs?: FloatArray[];
  oldStps?: FloatArray[];
  ro?: Num[];
  hDiag?: Num;
  prevFlatGrad?: FloatArray;
  prevLoss?: number;
  al?: Array<Num | null>;
}

export class LBFGS extends Optimizer<LBFGSParamGroup> {
  protected override readonly intOptions = new Set(["lr", "maxIter", "maxEval", "historySize"]);
  private readonly flatParams: Tensor[];

  constructor(params: Params<LBFGSParamGroup>, options: LBFGSOptions = {}) {
    const o = checkOptions(options, OPTIONS, "LBFGS") as LBFGSOptions;
    const maxIter = o.maxIter ?? 20;
    super(params, {
      lr: 1, maxIter, maxEval: Math.floor((maxIter * 5) / 4), toleranceGrad: 1e-7, toleranceChange: 1e-9, historySize: 100,
      lineSearchFn: null, ...o,
    });
    if (this.paramGroups.length !== 1) throw new ValueError("LBFGS doesn't support per-parameter options (parameter groups)");
    this.flatParams = this.paramGroups[0].params;
    const dtypes = new Set(this.flatParams.map((p) => p.dtype));
    if (dtypes.size > 1) throw new RuntimeError("LBFGS: all parameters must have the same dtype (torch.cat of their gradients needs one)");
  }

  protected updateGroup(): void {
    throw new RuntimeError("LBFGS.step() needs a closure that re-evaluates the model and returns the loss");
  }

  /** Runs up to maxIter iterations, calling the closure as often as they need; returns the first loss. */
  override step(closure?: Closure): Tensor | number {
    if (typeof closure !== "function") {
      throw new TypeError("LBFGS.step() missing 1 required positional argument: 'closure' (a function that re-evaluates the model and returns the loss)");
    }
    this._stepCount++;
    return noGrad(() => this.run(closure));
  }

  private run(closure: Closure): Tensor | number {
    const group = this.paramGroups[0];
    const { lr, maxIter, maxEval, toleranceGrad, toleranceChange, historySize, lineSearchFn } = group;
    const dtype = this.flatParams[0].dtype;
    const { r, fma } = floatOps(dtype);
    const o = new NumOps(r);
    const state = this.lbfgsState();
    const evaluate = (): number => Number(enableGrad(closure));

    const origLoss = enableGrad(closure);
    let loss = Number(origLoss);
    let currentEvals = 1;
    state.funcEvals++;
    let flatGrad = this.gatherFlatGrad();
    const gradSmall = (g: FloatArray) => o.le(o.ten(absMax(g)), o.py(toleranceGrad));
    let optCond = gradSmall(flatGrad);
    if (optCond) return origLoss;

    let { d, t, oldDirs, oldStps, ro, hDiag, prevFlatGrad, prevLoss } = state;
    let nIter = 0;
    while (nIter < maxIter) {
      nIter++;
      state.nIter++;
      // the direction: -H g, H from the last historySize curvature pairs (two-loop recursion)
      if (state.nIter === 1) {
        d = flatGrad.map((v) => -v);
        oldDirs = [];
        oldStps = [];
        ro = [];
        hDiag = o.py(1);
      } else {
        const y = flatGrad.map((v, i) => r(v - prevFlatGrad![i]));
        const tr = r(t!.v);
        const s = d!.map((v) => r(v * tr));
        const ys = o.ten(blasDot(y, s));
        if (o.lt(o.py(1e-10), ys)) {
          if (oldDirs!.length === historySize) {
            oldDirs!.shift();
            oldStps!.shift();
            ro!.shift();
          }
          oldDirs!.push(y);
          oldStps!.push(s);
          ro!.push(o.div(o.py(1), ys));
          hDiag = o.div(ys, o.ten(blasDot(y, y)));
        }
        const numOld = oldDirs!.length;
        if (!state.al) state.al = new Array<Num | null>(historySize).fill(null);
        const al = state.al;
        const q = flatGrad.map((v) => -v);
        for (let i = numOld - 1; i >= 0; i--) {
          al[i] = o.mul(o.ten(blasDot(oldStps![i], q)), ro![i]);
          const alpha = r(-al[i]!.v);
          for (let k = 0; k < q.length; k++) q[k] = fma(oldDirs![i][k], alpha, q[k]);
        }
        const h = r(hDiag!.v);
        d = q.map((v) => r(v * h));
        for (let i = 0; i < numOld; i++) {
          const be = o.mul(o.ten(blasDot(oldDirs![i], d)), ro![i]);
          const alpha = o.sub(al[i]!, be).v;
          for (let k = 0; k < d.length; k++) d[k] = fma(oldStps![i][k], alpha, d[k]);
        }
      }
      prevFlatGrad = flatGrad.slice();
      prevLoss = loss;
      // the step length: 1/|g|_1 (at most 1) times lr on the very first iteration, lr after
      t = state.nIter === 1 ? o.mul(o.min(o.py(1), o.div(o.py(1), o.ten(torchSum(flatGrad.map(Math.abs))))), o.py(lr)) : o.py(lr);
      const gtd = o.ten(blasDot(flatGrad, d!));
      if (o.lt(o.neg(o.py(toleranceChange)), gtd)) break; // not a descent direction
      let lsEvals = 0;
      if (lineSearchFn !== null && lineSearchFn !== undefined) {
        if (lineSearchFn !== "strong_wolfe") throw new RuntimeError("only 'strong_wolfe' is supported");
        const x = this.flatParams.map((p) => floats(p).slice());
        const direction = d!;
        const result = strongWolfe(o, (step) => {
          this.addGrad(step.v, direction, r, fma);
          const fx = o.py(evaluate());
          const gx = this.gatherFlatGrad();
          this.flatParams.forEach((p, i) => {
            const w = writable(p);
            w.set(x[i]);
            writeBack(p, w);
            this.modified(p);
          });
          return { loss: fx, grad: gx };
        }, t, direction, o.py(loss), flatGrad, gtd);
        ({ grad: flatGrad, t, evals: lsEvals } = result);
        loss = result.loss.v;
        this.addGrad(t.v, direction, r, fma);
        optCond = gradSmall(flatGrad);
      } else {
        this.addGrad(t.v, d!, r, fma);
        if (nIter !== maxIter) {
          loss = evaluate();
          flatGrad = this.gatherFlatGrad();
          optCond = gradSmall(flatGrad);
          lsEvals = 1;
        }
      }
      currentEvals += lsEvals;
      state.funcEvals += lsEvals;
      // stop on: iterations, evaluations, a small gradient, a small step, no change in the loss
      if (nIter === maxIter || currentEvals >= maxEval || optCond) break;
      const tr = r(t.v);
      if (o.le(o.ten(absMax(d!.map((v) => r(v * tr)))), o.py(toleranceChange))) break;
      if (Math.abs(loss - prevLoss) < toleranceChange) break;
    }
    Object.assign(state, { d, t, oldDirs, oldStps, ro, hDiag, prevFlatGrad, prevLoss });
    return origLoss;
  }

  /** LBFGS's state lives on its first parameter, as in PyTorch. */
  private lbfgsState(): LBFGSState {
    const s = this.stateOf(this.flatParams[0]) as unknown as LBFGSState;
    s.funcEvals ??= 0;
    s.nIter ??= 0;
    return s;
  }

  /** torch.cat of every parameter's gradient (zeros where a parameter has none). */
  private gatherFlatGrad(): FloatArray {
    const n = this.flatParams.reduce((sum, p) => sum + p.numel(), 0);
    const out = this.flatParams[0].dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
    let offset = 0;
    for (const p of this.flatParams) {
      if (p.grad) out.set(floats(p.grad, "gradient"), offset);
      offset += p.numel();
    }
    return out;
  }

  /** p.add_(update[offset:offset + numel], alpha=step) for each parameter. */
  private addGrad(step: number, update: FloatArray, r: (x: number) => number, fma: (a: number, b: number, c: number) => number): void {
    const alpha = r(step);
    let offset = 0;
    for (const p of this.flatParams) {
      const w = writable(p);
      for (let i = 0; i < w.length; i++) w[i] = fma(update[offset + i], alpha, w[i]);
      writeBack(p, w);
      offset += w.length;
      this.modified(p);
    }
  }
}

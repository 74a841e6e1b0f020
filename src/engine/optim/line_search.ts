/**
 * The strong-Wolfe line search of PyTorch 1.13's LBFGS (`_strong_wolfe`, `_cubic_interpolate`), step for step,
 * with its mix of Python floats and 0-dim tensors (see lbfgs_numbers.ts).
 */
import type { Num, NumOps } from "./lbfgs_numbers";
import { absMax, blasDot } from "./reductions";
import type { FloatArray } from "./state";

/** Evaluates the objective at x + t d: the loss and the flat gradient there. */
export type DirectionalObjective = (t: Num) => { loss: Num; grad: FloatArray };

export interface LineSearchResult {
  loss: Num;
  grad: FloatArray;
  t: Num;
  evals: number;
}

/** The minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1 and g2, kept within the bounds. */
export function cubicInterpolate(o: NumOps, x1: Num, f1: Num, g1: Num, x2: Num, f2: Num, g2: Num, bounds?: [Num, Num]): Num {
  const [lo, hi] = bounds ?? (o.le(x1, x2) ? [x1, x2] : [x2, x1]);
  // d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2); d2_square = d1**2 - g1 * g2
  const d1 = o.sub(o.add(g1, g2), o.div(o.mul(o.py(3), o.sub(f1, f2)), o.sub(x1, x2)));
  const d2Square = o.sub(o.square(d1), o.mul(g1, g2));
  if (!o.le(o.py(0), d2Square)) return o.div(o.add(lo, hi), o.py(2));
  const d2 = o.sqrt(d2Square);
  const two = o.py(2);
  const minPos = o.le(x1, x2)
    ? o.sub(x2, o.mul(o.sub(x2, x1), o.div(o.sub(o.add(g2, d2), d1), o.add(o.sub(g2, g1), o.mul(two, d2)))))
    : o.sub(x1, o.mul(o.sub(x1, x2), o.div(o.sub(o.add(g1, d2), d1), o.add(o.sub(g1, g2), o.mul(two, d2)))));
  return o.min(o.max(minPos, lo), hi);
}

export function strongWolfe(
  o: NumOps,
  evaluate: DirectionalObjective,
  t0: Num,
  d: FloatArray,
  f: Num,
  g: FloatArray,
  gtd: Num,
  c1 = 1e-4,
  c2 = 0.9,
  toleranceChange = 1e-9,
  maxLs = 25,
): LineSearchResult {
  let t = t0;
  const dNorm = o.ten(absMax(d));
  const gInit = g.slice();
  let { loss: fNew, grad: gNew } = evaluate(t);
  let evals = 1;
  let gtdNew = o.ten(blasDot(gNew, d));
  let tPrev: Num = o.py(0);
  let fPrev = f;
  let gPrev = gInit;
  let gtdPrev = gtd;
  let done = false;
  let lsIter = 0;
  // the step f + c1 * t * gtd must go below (sufficient decrease)
  const armijo = (step: Num) => o.add(f, o.mul(o.mul(o.py(c1), step), gtd));
  const curvature = o.mul(o.py(-c2), gtd);

  let bracket: Num[] = [];
  let bracketF: Num[] = [];
  let bracketG: FloatArray[] = [];
  let bracketGtd: Num[] = [];
  // bracketing phase
  while (lsIter < maxLs) {
    if (o.lt(armijo(t), fNew) || (lsIter > 1 && o.le(fPrev, fNew))) {
      [bracket, bracketF, bracketG, bracketGtd] = [[tPrev, t], [fPrev, fNew], [gPrev, gNew.slice()], [gtdPrev, gtdNew]];
      break;
    }
    if (o.le(o.abs(gtdNew), curvature)) {
      [bracket, bracketF, bracketG] = [[t], [fNew], [gNew]];
      done = true;
      break;
    }
    if (o.le(o.py(0), gtdNew)) {
      [bracket, bracketF, bracketG, bracketGtd] = [[tPrev, t], [fPrev, fNew], [gPrev, gNew.slice()], [gtdPrev, gtdNew]];
      break;
    }
    // interpolate between t_prev and t, at least a little beyond t, at most 10 t
    const minStep = o.add(t, o.mul(o.py(0.01), o.sub(t, tPrev)));
    const maxStep = o.mul(t, o.py(10));
    const tmp = t;
    t = cubicInterpolate(o, tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
    tPrev = tmp;
    fPrev = fNew;
    gPrev = gNew.slice();
    gtdPrev = gtdNew;
    ({ loss: fNew, grad: gNew } = evaluate(t));
    evals++;
    gtdNew = o.ten(blasDot(gNew, d));
    lsIter++;
  }
  if (lsIter === maxLs) {
    [bracket, bracketF, bracketG] = [[o.py(0), t], [f, fNew], [gInit, gNew]];
  }

  // zoom phase: shrink the bracket until a point satisfies the strong Wolfe conditions
  let insufficientProgress = false;
  let [lowPos, highPos] = o.le(bracketF[0], bracketF[bracketF.length - 1]) ? [0, 1] : [1, 0];
  while (!done && lsIter < maxLs) {
    if (o.lt(o.mul(o.abs(o.sub(bracket[1], bracket[0])), dNorm), o.py(toleranceChange))) break;
    t = cubicInterpolate(o, bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1]);
    const bMax = o.max(bracket[0], bracket[1]);
    const bMin = o.min(bracket[0], bracket[1]);
    const eps = o.mul(o.py(0.1), o.sub(bMax, bMin));
    if (o.lt(o.min(o.sub(bMax, t), o.sub(t, bMin)), eps)) {
      // t is too close to a boundary: move it in, unless the last step made progress
      if (insufficientProgress || o.le(bMax, t) || o.le(t, bMin)) {
        t = o.lt(o.abs(o.sub(t, bMax)), o.abs(o.sub(t, bMin))) ? o.sub(bMax, eps) : o.add(bMin, eps);
        insufficientProgress = false;
      } else insufficientProgress = true;
    } else insufficientProgress = false;
    ({ loss: fNew, grad: gNew } = evaluate(t));
    evals++;
    gtdNew = o.ten(blasDot(gNew, d));
    lsIter++;
    if (o.lt(armijo(t), fNew) || o.le(bracketF[lowPos], fNew)) {
      // Armijo condition not satisfied, or not lower than the lowest point
      bracket[highPos] = t;
      bracketF[highPos] = fNew;
      bracketG[highPos] = gNew.slice();
      bracketGtd[highPos] = gtdNew;
      [lowPos, highPos] = o.le(bracketF[0], bracketF[1]) ? [0, 1] : [1, 0];
    } else {
      if (o.le(o.abs(gtdNew), curvature)) done = true;
      else if (o.le(o.py(0), o.mul(gtdNew, o.sub(bracket[highPos], bracket[lowPos])))) {
        // the old high becomes the new low
        bracket[highPos] = bracket[lowPos];
        bracketF[highPos] = bracketF[lowPos];
        bracketG[highPos] = bracketG[lowPos];
        bracketGtd[highPos] = bracketGtd[lowPos];
      }
      bracket[lowPos] = t;
      bracketF[lowPos] = fNew;
      bracketG[lowPos] = gNew.slice();
      bracketGtd[lowPos] = gtdNew;
    }
  }
  return { loss: bracketF[lowPos], grad: bracketG[lowPos], t: bracket[lowPos], evals };
}

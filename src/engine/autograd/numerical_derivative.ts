/**
 * The numerical derivative the checks compare a gradient with, and how sure it is.
 *
 * A central difference with a tiny step is exact enough until the objective is large: a loss of 1e12 carries
 * rounding noise of about 1e-4 in float64, and over a step of 1e-6 that noise becomes a derivative error of ~100,
 * which would fail a correct gradient. So a disagreement is never taken on the word of one small step: Ridders'
 * method (Numerical Recipes' `dfridr`: central differences over shrinking steps, extrapolated to step 0, with an
 * error estimate from the extrapolation table) computes the derivative again, and the gradient fails only if it
 * is off by more than the tolerance plus that estimate.
 */
import type { Tolerance } from "./tolerance";

export interface NumericalDerivative {
  value: number;
  /** How far `value` may be from the true derivative (0 when one central difference already agreed). */
  error: number;
  /** Whether `analytical` matches within the tolerance (and, after extrapolation, its error estimate). */
  agrees: boolean;
}

const SHRINK = 1.4;
const STEPS = 10;
/** Stop once the highest-order estimate moves by more than SAFE times the best error so far (noise has taken over). */
const SAFE = 2;

export function within(a: number, n: number, tol: Tolerance, slack = 0): boolean {
  return Math.abs(a - n) <= tol.atol + tol.rtol * Math.abs(n) + slack;
}

/** g'(0) by central differences over steps h0, h0/1.4, …, extrapolated (Neville) towards step 0. Steps at which g is
 * not finite (a log stepping below 0) restart the table with the next, smaller step. */
export function riddersDerivative(g: (s: number) => number, h0: number): { value: number; error: number } {
  let best = NaN;
  let error = Infinity;
  let previous: number[] = [];
  let h = h0;
  for (let i = 0; i < STEPS; i++, h /= SHRINK) {
    const column = [(g(h) - g(-h)) / (2 * h)];
    if (!Number.isFinite(column[0])) {
      previous = [];
      continue;
    }
    let factor = SHRINK * SHRINK;
    for (let j = 1; j <= previous.length; j++) {
      column[j] = (column[j - 1] * factor - previous[j - 1]) / (factor - 1);
      factor *= SHRINK * SHRINK;
      const e = Math.max(Math.abs(column[j] - column[j - 1]), Math.abs(column[j] - previous[j - 1]));
      if (e <= error) {
        error = e;
        best = column[j];
      }
    }
    if (previous.length && Math.abs(column[previous.length] - previous[previous.length - 1]) >= SAFE * error) break;
    previous = column;
  }
  if (Number.isNaN(best) && previous.length) return { value: previous[0], error: Infinity };
  return { value: best, error };
}

/**
 * The derivative g'(0) of g(s) = objective(x + s·direction), compared with `analytical`. `scale` is the size of the
 * input (|x_i| or max |x|): steps are relative to it above 1, so that they stay above the input's own rounding.
 * `confirm: false` skips the extrapolation (a caller that already has a confirmed failure and only wants the value).
 */
export function numericalDerivative(g: (s: number) => number, analytical: number, scale: number, tol: Tolerance, confirm = true): NumericalDerivative {
  const h = tol.eps * Math.max(1, scale);
  const central = (g(h) - g(-h)) / (2 * h);
  const agrees = within(analytical, central, tol);
  if (agrees || !confirm) return { value: central, error: 0, agrees };
  // Start where the function still changes a lot: a tenth of the input's size.
  const extrapolated = riddersDerivative(g, 0.1 * Math.max(1, scale));
  const slack = Number.isFinite(extrapolated.error) ? extrapolated.error : 0;
  return { value: extrapolated.value, error: extrapolated.error, agrees: within(analytical, extrapolated.value, tol, slack) };
}

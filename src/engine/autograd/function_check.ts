/**
 * Every element of a user Function's backward, checked exactly. When the Function's forward is made of differentiable
 * Gradlens ops, the engine can differentiate that forward itself: run it again on fresh leaves with grad on, take
 * autograd.grad of its output against the gradient the real backward passed in, and compare with what the user's
 * backward returned, element by element. That costs one forward and one backward, and it sees one wrong element in
 * 400,000 (a sampled or directional numerical check cannot). A forward that is not differentiable this way (it writes
 * values by hand) is left to the numerical checks.
 */
import { isFloating } from "../dtype";
import { unrecorded } from "../recorder";
import { sumTo } from "../ops/views";
import { Tensor } from "../tensor";
import { grad as autogradGrad } from "./backward";
import { userForward } from "./function";
import { withGradMode } from "./grad_mode";
import type { GradFn } from "./node";

export interface WrongElement {
  /** Which of the Function's tensor inputs. */
  input: number;
  index: number[];
  /** What the user's backward gave, and what the engine's autograd of the forward gives. */
  analytical: number;
  expected: number;
}

export interface FunctionCheck {
  node: GradFn;
  /** null: the forward could not be differentiated this way (see `skipped`). */
  passed: boolean | null;
  skipped: string | null;
  maxAbsError: number;
  maxRelError: number;
  /** The elements that differ, the worst first (at most MAX_LISTED). */
  wrong: WrongElement[];
  wrongCount: number;
  message: string | null;
}

const MAX_LISTED = 20;

/** Rounding differences between two correct ways to compute a gradient, by dtype: far below a 0.1% error. */
function tolerance(dtype: string): { rtol: number; atol: number } {
  return dtype === "float64" ? { rtol: 1e-9, atol: 1e-12 } : { rtol: 1e-4, atol: 1e-6 };
}

function unravel(i: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return index;
}

/**
 * `fn` is a user Function's node, `grad` the gradient the backward walk gave it (one per output for a Function whose
 * forward returns several, null where none reached), `inputGrads` what the user's backward returned for it then.
 */
export function checkFunction(fn: GradFn, grad: Tensor | ReadonlyArray<Tensor | null>, inputGrads: ReadonlyArray<Tensor | null>): FunctionCheck {
  const result: FunctionCheck = { node: fn, passed: null, skipped: null, maxAbsError: 0, maxRelError: 0, wrong: [], wrongCount: 0, message: null };
  const forward = userForward(fn.op, fn.attrs);
  if (!forward) {
    result.skipped = "not a user's autograd.Function";
    return result;
  }
  const grads = grad instanceof Tensor ? [grad] : grad;
  const wanted = fn.inputs.map((x, i) => fn.next[i] !== null && isFloating(x.dtype) && inputGrads[i] !== null);
  const leaves = fn.inputs.map((x, i) => {
    const copy = Tensor.fromData(x._data.slice(), x.shape.slice(), x.dtype);
    if (wanted[i]) copy._requiresGrad = true;
    return copy;
  });
  let expected: Array<Tensor | null> | null;
  try {
    expected = unrecorded(() => withGradMode(true, () => {
      const out = forward(leaves);
      const outs = Array.isArray(out) ? (out as unknown[]) : [out];
      if (!outs.every((o): o is Tensor => o instanceof Tensor) || outs.length !== fn.outputs.length) return null;
      // The outputs a gradient reached; an output none reached adds nothing (the user's backward got zeros for it).
      const reached = outs.flatMap((o, k) => (grads[k] ? [{ out: o, grad: grads[k]! }] : []));
      if (!reached.length || reached.some((r) => !r.out._gradFn)) return null;
      if (outs.some((o, k) => !sameValues(o, fn.outputs[k]))) throw new Error("its forward gives other values when run again");
      const targets = leaves.filter((_, i) => wanted[i]);
      const computed = autogradGrad(reached.map((r) => r.out), targets, { gradOutputs: reached.map((r) => r.grad), allowUnused: true });
      let k = 0;
      return wanted.map((w) => (w ? computed[k++] : null));
    }));
  } catch (e) {
    result.skipped = `its forward could not be differentiated again: ${(e as Error).message}`;
    return result;
  }
  if (!expected) {
    result.skipped = "its forward is not made of differentiable ops";
    return result;
  }
  result.passed = true;
  const excesses: Array<{ excess: number; element: WrongElement }> = [];
  for (let i = 0; i < fn.inputs.length; i++) {
    const e = expected[i];
    const given = inputGrads[i];
    // An input the forward does not reach through differentiable ops: the numerical check speaks for it.
    if (!wanted[i] || !e || !given) continue;
    const a = given.shape.length === e.shape.length && given.shape.every((d, k) => d === e.shape[k]) ? given : unrecorded(() => sumTo(given, e.shape));
    const { rtol, atol } = tolerance(fn.inputs[i].dtype);
    const ad = a._data;
    const ed = e._data;
    let scale = 0;
    for (let k = 0; k < ed.length; k++) scale = Math.max(scale, Math.abs(ed[k]));
    const floor = atol * Math.max(scale, 1);
    for (let k = 0; k < ed.length; k++) {
      const diff = Math.abs(ad[k] - ed[k]);
      const rel = diff === 0 ? 0 : diff / Math.max(Math.abs(ed[k]), 1e-300);
      result.maxAbsError = Math.max(result.maxAbsError, Number.isNaN(diff) ? Infinity : diff);
      result.maxRelError = Math.max(result.maxRelError, Number.isNaN(rel) ? Infinity : rel);
      const excess = Number.isNaN(diff) ? Infinity : diff - (floor + rtol * Math.abs(ed[k]));
      if (excess <= 0 && !(Number.isNaN(diff) && !Number.isNaN(ed[k]))) continue;
      if (Number.isNaN(ad[k]) && Number.isNaN(ed[k])) continue;
      result.wrongCount++;
      excesses.push({ excess, element: { input: i, index: unravel(k, e.shape), analytical: ad[k], expected: ed[k] } });
      if (excesses.length > MAX_LISTED * 4) prune(excesses);
    }
  }
  prune(excesses);
  result.wrong = excesses.map((x) => x.element);
  if (result.wrongCount) {
    result.passed = false;
    const first = result.wrong[0];
    const total = fn.inputs[first.input].numel();
    result.message = `input ${first.input}: ${result.wrongCount} of ${total} elements differ from the autograd of its forward` +
      `, the worst at [${first.index.join(", ")}]: backward gives ${first.analytical.toPrecision(6)}, autograd ${first.expected.toPrecision(6)}`;
  }
  return result;
}

function prune(list: Array<{ excess: number }>): void {
  list.sort((a, b) => b.excess - a.excess);
  list.length = Math.min(list.length, MAX_LISTED);
}

function sameValues(a: Tensor, b: Tensor): boolean {
  if (a.numel() !== b.numel()) return false;
  const { rtol, atol } = tolerance(b.dtype);
  const x = a._data;
  const y = b._data;
  for (let i = 0; i < y.length; i++) {
    if (Number.isNaN(x[i]) && Number.isNaN(y[i])) continue;
    if (!(Math.abs(x[i] - y[i]) <= atol + rtol * Math.abs(y[i]))) return false;
  }
  return true;
}

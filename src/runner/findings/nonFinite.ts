/**
 * The first op of the run, forward or backward, that made NaN or ±Inf out of finite values: its line, what it got,
 * and why that op does that (log of 0, division by 0, exp overflow, sqrt of a negative) — without anomaly mode.
 */
import type { GradFn } from "../../engine/autograd/node";
import type { Tensor } from "../../engine/tensor";
import { firstNonFinite, range } from "../stats";
import type { Finding } from "../trace";
import { finding, type Names, num } from "./context";

interface Origin {
  phase: "forward" | "backward";
  op: string;
  node: GradFn | null;
  line: number;
  what: "NaN" | "inf" | "-inf";
  inputs: Array<ReturnType<typeof range>>;
}

/** Why an op makes a non-finite value, in its forward and in its backward, and the usual fix. */
const CAUSES: Record<string, { forward: string; backward: string; fix: string }> = {
  log: { forward: "the log of 0 is -inf and of a negative number NaN", backward: "log's slope 1/x is infinite at 0", fix: "Keep the argument positive (x.clamp(1e-12).log()), or give logits to logSoftmax or crossEntropy instead of taking log(softmax(x))." },
  sqrt: { forward: "the square root of a negative number is NaN", backward: "sqrt's slope 1/(2√x) is infinite at 0 (and 0 · ∞ is NaN)", fix: "Keep the argument away from 0 and negatives (x.clamp(1e-12).sqrt(), or x.add(1e-12).sqrt())." },
  div: { forward: "a division by 0 gives ±inf (0/0 NaN)", backward: "the gradient of a / b divides by b², which is 0 there", fix: "Add a small epsilon to the denominator (b.add(1e-8)) or leave out the entries where it is 0." },
  reciprocal: { forward: "1/0 is inf", backward: "the slope of 1/x is infinite at 0", fix: "Add a small epsilon before taking the reciprocal." },
  exp: { forward: "exp overflows to inf above 88.7 in float32 (709.8 in float64)", backward: "exp's slope overflows with its value", fix: "Subtract the maximum before exp (as logSoftmax does), or lower the learning rate if the values grew during training." },
  pow: { forward: "a negative number to a fractional power is NaN, and 0 to a negative power inf", backward: "the slope of x^p is infinite at 0 when p < 1", fix: "Keep the base positive (clamp it) or use an integer exponent." },
};

const GENERIC = { forward: "it made a value that is not finite", backward: "its backward made a value that is not finite", fix: "Check the range of this op's inputs and keep them where the op is defined (clamp them)." };

function what(values: ArrayLike<number>, i: number): Origin["what"] {
  const v = values[i];
  return Number.isNaN(v) ? "NaN" : v > 0 ? "inf" : "-inf";
}

export class NonFiniteWatch {
  private origin: Origin | null = null;

  get found(): boolean {
    return this.origin !== null;
  }

  forward(out: Tensor, op: string, inputs: readonly Tensor[], line: number): void {
    const bad = firstNonFinite(out._data);
    if (bad < 0) return;
    const ranges = inputs.map((t) => range(t._data));
    // Carried over from an input: it was born earlier (or came from the snippet's own numbers).
    if (ranges.some((r) => r.nonFinite > 0)) return;
    this.origin = { phase: "forward", op, node: out._gradFn, line, what: what(out._data, bad), inputs: ranges };
  }

  backward(fn: GradFn, grad: Tensor, inputGrads: ReadonlyArray<Tensor | null>, line: number): void {
    for (const g of inputGrads) {
      const bad = g ? firstNonFinite(g._data) : -1;
      if (bad < 0) continue;
      if (firstNonFinite(grad._data) >= 0) return;
      if (fn.inputs.some((t) => firstNonFinite(t._data) >= 0)) return;
      this.origin = { phase: "backward", op: fn.op.name, node: fn, line, what: what(g!._data, bad), inputs: fn.inputs.map((t) => range(t._data)) };
      return;
    }
  }

  findings(names: Names): Finding[] {
    const o = this.origin;
    if (!o) return [];
    const cause = CAUSES[o.op] ?? GENERIC;
    const ranges = o.inputs.map((r) => (r.min === null ? "no finite value" : r.min === r.max ? num(r.min) : `[${num(r.min)}, ${num(r.max)}]`));
    const got = ranges.length === 1 ? `its input ranges over ${ranges[0]}` : `its inputs range over ${ranges.join(" and ")}`;
    const who = o.phase === "forward" ? `The forward pass of ${o.op} at line ${o.line}` : `The backward of ${o.op} at line ${o.line}${o.node ? ` (${o.node.name})` : ""}`;
    const message = `${who} made the run's first ${o.what}: ${got}, and ${cause[o.phase]}.`;
    return [finding("non-finite", "warning", o.line, message, cause.fix, { nodes: o.node ? [names.node(o.node).id] : [] })];
  }
}

/**
 * autograd.forwardAd, as torch.autograd.forward_ad: dual tensors (a primal and a tangent) inside a dual level, whose
 * ops carry tangents forward, so `unpackDual(f(makeDual(x, v))).tangent` is the Jacobian-vector product J·v.
 *
 * No op has a forward-mode rule of its own. Each op's tangent is derived from its backward by the double-vjp trick:
 * the backward B(u) = Jᵀu is linear in u, so the gradient of Σᵢ ⟨B(u)ᵢ, tᵢ⟩ with respect to u is J·t. That gradient is
 * taken as each op runs (an engine-internal computation the graph and the recorder never see), for the ops the user's
 * code applies; in-place ops hand their new values' tangent to the tensor they write.
 */
import { allocate, isFloating } from "../dtype";
import { RuntimeError } from "../errors";
import { inplaceHooks } from "../ops/inplace";
import { type AnyOpDef, backwardOf, forwardAdHooks } from "../ops/op";
import { sumTo } from "../ops/views";
import { unrecorded } from "../recorder";
import { sameShape } from "../shape";
import { Tensor, formatHooks } from "../tensor";
import { grad } from "./backward";
import { withGradMode } from "./grad_mode";

interface Level {
  tangents: WeakMap<Tensor, Tensor>;
}

let level: Level | null = null;
let propagating = false;

function zerosLike(t: Tensor): Tensor {
  return Tensor.fromData(allocate(t.dtype, t.numel()), t.shape.slice(), t.dtype);
}

/** The outputs' tangents of one op from its inputs' tangents: the gradient, with respect to u, of the backward's
 * results for u dotted with the inputs' tangents. */
function propagate(op: AnyOpDef, inputs: readonly Tensor[], attrs: unknown, outputs: readonly Tensor[]): void {
  const current = level;
  if (current === null || propagating) return;
  const tangentsIn = inputs.map((t) => current.tangents.get(t) ?? null);
  if (tangentsIn.every((t) => t === null) || op.differentiable === false) return;
  propagating = true;
  try {
    const tangentsOut = unrecorded(() =>
      withGradMode(true, () => {
        const us = outputs.map((o) => (isFloating(o.dtype) ? zerosLike(o).requiresGrad_(true) : null));
        const needs = tangentsIn.map((t) => t !== null);
        const grads = backwardOf(op, { inputs, outputs, attrs, needsInputGrad: needs }, us);
        let total: Tensor | null = null;
        grads.forEach((g, i) => {
          const t = tangentsIn[i];
          if (!g || !t || !g.requiresGrad) return;
          const fitted = sameShape(g.shape, inputs[i].shape) ? g : sumTo(g, inputs[i].shape);
          const term = fitted.mul(t).sum();
          total = total ? total.add(term) : term;
        });
        const wrt = us.filter((u): u is Tensor => u !== null);
        if (total === null || !wrt.length) return outputs.map(() => null);
        const gs = grad(total, wrt, { allowUnused: true });
        let k = 0;
        return us.map((u) => (u === null ? null : (gs[k++] ?? zerosLike(u)).detach()));
      }),
    );
    outputs.forEach((o, i) => {
      const t = tangentsOut[i];
      if (t) current.tangents.set(o, t.dtype === o.dtype ? t : t.to(o.dtype));
    });
  } finally {
    propagating = false;
  }
}

/** Python's repr of a float, as PyTorch prints a 0-dim tangent (`tangent=-7.7786865234375`, `1e-05`, `2.0`). */
function pythonFloat(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (v === 0) return Object.is(v, -0) ? "-0.0" : "0.0";
  const [mantissa, e] = v.toExponential().split("e");
  const exponent = Number(e);
  if (exponent < -4 || exponent >= 16) return `${mantissa}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
  const fixed = String(v);
  return fixed.includes(".") ? fixed : `${fixed}.0`;
}

function tangentSuffix(t: Tensor): string | null {
  const tangent = level?.tangents.get(t);
  if (!tangent) return null;
  return `tangent=${tangent.ndim === 0 ? pythonFloat(tangent.item() as number) : tangent.toString()}`;
}

/** forward_ad.enter_dual_level(): opens the (only) level. */
export function enterDualLevel(): number {
  if (level !== null) throw new RuntimeError("Nested forward mode AD is not supported at the moment");
  level = { tangents: new WeakMap() };
  forwardAdHooks.propagate = propagate;
  inplaceHooks.snapshot = (copy, of) => {
    const t = level?.tangents.get(of);
    if (t) level!.tangents.set(copy, t);
  };
  inplaceHooks.written = (t, values) => {
    const tangent = level?.tangents.get(values);
    if (tangent) level!.tangents.set(t, tangent);
    else level?.tangents.delete(t);
  };
  formatHooks.extraSuffix = tangentSuffix;
  return 0;
}

/** forward_ad.exit_dual_level(): closes the level; its dual tensors become plain tensors. */
export function exitDualLevel(): void {
  level = null;
  forwardAdHooks.propagate = null;
  inplaceHooks.snapshot = null;
  inplaceHooks.written = null;
  formatHooks.extraSuffix = null;
}

/** `with forward_ad.dual_level():` as a callback. */
export function dualLevel<T>(fn: () => T): T {
  enterDualLevel();
  try {
    return fn();
  } finally {
    exitDualLevel();
  }
}

/** forward_ad.make_dual(primal, tangent): a tensor with primal's values (a view of it) carrying `tangent`. */
export function makeDual(primal: Tensor, tangent: Tensor): Tensor {
  if (level === null) throw new RuntimeError("Trying to create a dual Tensor for forward AD but no level exists, make sure to enter_dual_level() first.");
  if (!sameShape(primal.shape, tangent.shape)) {
    throw new RuntimeError(
      `Trying to set a forward gradient that has a different size than that of the original Tensor, this is not supported. Tensor is of size [${primal.shape.join(", ")}] while the given forward gradient is of size [${tangent.shape.join(", ")}].`,
    );
  }
  if (!isFloating(primal.dtype)) throw new RuntimeError("Expected primal to be floating point or complex, but got: " + primal.dtype);
  const dual = primal.requiresGrad ? primal.viewAs(primal) : primal.detach();
  level.tangents.set(dual, tangent.detach());
  return dual;
}

/** forward_ad.unpack_dual's named tuple: `primal` and `tangent` (null when the tensor carries none). */
export class UnpackedDualTensor {
  constructor(
    readonly primal: Tensor,
    readonly tangent: Tensor | null,
  ) {}

  *[Symbol.iterator](): IterableIterator<Tensor | null> {
    yield this.primal;
    yield this.tangent;
  }

  toString(): string {
    return `UnpackedDualTensor(primal=${this.primal.toString()}, tangent=${this.tangent ? this.tangent.toString() : "None"})`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** forward_ad.unpack_dual(tensor): its primal (without the tangent) and its tangent. */
export function unpackDual(t: Tensor): UnpackedDualTensor {
  const tangent = level?.tangents.get(t) ?? null;
  if (tangent === null) return new UnpackedDualTensor(t, null);
  const primal = t.requiresGrad ? t.viewAs(t) : t.detach();
  return new UnpackedDualTensor(primal, tangent);
}

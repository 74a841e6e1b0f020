/**
 * torch.nn.utils.clip_grad_norm_ and clip_grad_value_ (PyTorch 1.13). The total norm is the norm of the per-tensor
 * norms, each computed as ATen's norm kernel computes it (src/engine/optim/reductions.ts), and the scale is
 * `max_norm / (total_norm + 1e-6)` in the gradients' dtype, clamped at 1: the clipped gradients are PyTorch's,
 * bit for bit, for the 2-norm and the inf-norm.
 */
import { RuntimeError } from "../../errors";
import { absMax, torchNorm2 } from "../../optim/reductions";
import { commit, type FloatArray, floats, scalarTensor, writable } from "../../optim/state";
import { pythonFloatRepr } from "../../print/number_format";
import { recorder } from "../../recorder";
import { Tensor } from "../../tensor";

export interface ClipGradNormOptions {
  /** The p of the p-norm: a number, or Infinity / "inf" for the largest absolute value (default 2). */
  normType?: number | "inf";
  /** Throw when the total norm is NaN or infinite instead of scaling by it (default false, as in PyTorch 1.13). */
  errorIfNonfinite?: boolean;
}

function gradsOf(parameters: Iterable<Tensor> | Tensor, where: string): Tensor[] {
  const list = parameters instanceof Tensor ? [parameters] : [...parameters];
  for (const p of list) if (!(p instanceof Tensor)) throw new TypeError(`${where}: parameters must be tensors`);
  return list.filter((p) => p.grad !== null).map((p) => p.grad!);
}

/** The p-norm of a flat vector, accumulated in its dtype. p = 2 and inf are ATen's exact kernels; others sum
 * |x|^p in order, then take the 1/p power (PyTorch uses float powf there: those may differ in the last bit). */
function pNorm(x: FloatArray, p: number): number {
  const r = x instanceof Float32Array ? Math.fround : (v: number) => v;
  if (p === 2) return torchNorm2(x);
  if (p === Infinity) return absMax(x);
  if (p === -Infinity) {
    let m = Infinity;
    for (const v of x) m = Math.abs(v) < m || Number.isNaN(v) ? Math.abs(v) : m;
    return m;
  }
  let acc = 0;
  if (p === 0) {
    for (const v of x) acc = r(acc + (v !== 0 ? 1 : 0));
    return acc;
  }
  if (p === 1) {
    for (const v of x) acc = r(acc + Math.abs(v));
    return acc;
  }
  for (const v of x) acc = r(acc + r(Math.abs(v) ** p));
  return r(acc ** (1 / p));
}

/** Scales the gradients of `parameters` in place so that their total p-norm is at most maxNorm; returns the total
 * norm they had (a 0-dim tensor), as `torch.nn.utils.clip_grad_norm_`. */
export function clipGradNorm_(
  parameters: Iterable<Tensor> | Tensor,
  maxNorm: number,
  normType: number | "inf" | ClipGradNormOptions = 2,
  errorIfNonfinite = false,
): Tensor {
  const options = typeof normType === "object" ? normType : { normType, errorIfNonfinite };
  const p = options.normType === "inf" ? Infinity : Number(options.normType ?? 2);
  if (typeof maxNorm !== "number" || Number.isNaN(maxNorm)) throw new TypeError(`clipGradNorm_(): max_norm must be a number, but got ${String(maxNorm)}`);
  if (Number.isNaN(p)) throw new TypeError(`clipGradNorm_(): norm_type must be a number or "inf", but got ${String(options.normType)}`);
  const grads = gradsOf(parameters, "clipGradNorm_()");
  if (grads.length === 0) return scalarTensor(0);
  const dtype = grads[0].dtype;
  const r = dtype === "float32" ? Math.fround : (v: number) => v;
  const norms = grads.map((g) => pNorm(floats(g, "gradient"), p));
  const stacked = dtype === "float32" ? Float32Array.from(norms) : Float64Array.from(norms);
  // torch.max(torch.stack(norms)) for the inf-norm, else torch.norm(torch.stack(norms), p) (even of one norm)
  const total = p === Infinity ? absMax(stacked) : pNorm(stacked, p);
  if ((options.errorIfNonfinite ?? false) && !Number.isFinite(total)) {
    throw new RuntimeError(
      `The total norm of order ${pythonFloatRepr(p)} for gradients from \`parameters\` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set \`error_if_nonfinite=False\``,
    );
  }
  // clip_coef = max_norm / (total_norm + 1e-6): a float over a tensor is its reciprocal times the float
  const coef = r(r(1 / r(total + r(1e-6))) * r(maxNorm));
  const clamped = coef > 1 ? 1 : coef; // torch.clamp(clip_coef, max=1.0); NaN stays NaN
  for (const g of grads) {
    const d = writable(g, "gradient");
    for (let i = 0; i < d.length; i++) d[i] = r(d[i] * clamped);
    commit(g, d);
    if (recorder.current) recorder.current.onModified(g);
  }
  return scalarTensor(total, dtype);
}

/** Clamps each gradient of `parameters` to [-clipValue, clipValue] in place (`clip_grad_value_`). */
export function clipGradValue_(parameters: Iterable<Tensor> | Tensor, clipValue: number): void {
  if (typeof clipValue !== "number" || Number.isNaN(clipValue)) throw new TypeError(`clipGradValue_(): clip_value must be a number, but got ${String(clipValue)}`);
  for (const g of gradsOf(parameters, "clipGradValue_()")) {
    const d = writable(g, "gradient");
    const r = d instanceof Float32Array ? Math.fround : (v: number) => v;
    const lo = r(-clipValue);
    const hi = r(clipValue);
    for (let i = 0; i < d.length; i++) {
      const v = d[i];
      if (!Number.isNaN(v)) d[i] = Math.min(Math.max(v, lo), hi);
    }
    commit(g, d);
    if (recorder.current) recorder.current.onModified(g);
  }
}

/** The tensors an optimizer keeps per parameter, made as PyTorch makes them (zeros_like, torch.tensor(0.)), without
 * being recorded as tensors of the user's program. */
import type { DType } from "../dtype";
import { RuntimeError } from "../errors";
import { empty } from "../ops/operands";
import { writeValues } from "../ops/write";
import type { Tensor } from "../tensor";

export type FloatArray = Float32Array | Float64Array;

/** `torch.zeros_like(p)`. */
export function zerosLike(p: Tensor): Tensor {
  return empty(p.shape.slice(), p.dtype);
}

/** `torch.full_like(p, value)`. */
export function fullLike(p: Tensor, value: number): Tensor {
  const t = empty(p.shape.slice(), p.dtype);
  t._data.fill(p.dtype === "float32" ? Math.fround(value) : value);
  return t;
}

/** A 0-dim tensor, float32 unless told: the step counters (`torch.tensor(0.)`) and NAdam's `mu_product`. */
export function scalarTensor(value: number, dtype: DType = "float32"): Tensor {
  const t = empty([], dtype);
  t._data[0] = dtype === "float32" ? Math.fround(value) : value;
  return t;
}

/** A floating tensor's values (parameters and optimizer state are contiguous, so these are their storage). */
export function floats(t: Tensor, what = "parameter"): FloatArray {
  const d = t._data;
  if (!(d instanceof Float32Array || d instanceof Float64Array)) {
    throw new RuntimeError(`optimizers update floating point tensors, but a ${what} has dtype ${t.dtype}`);
  }
  return d;
}

/** Values to update in place: the tensor's own memory when it is contiguous (the usual parameter), else a
 * row-major copy that `writeBack` puts in place through the strides. */
export function writable(t: Tensor, what = "parameter"): FloatArray {
  const d = floats(t, what);
  return t._contiguous ? d : d.slice();
}

/** Makes values from `writable(t)` the tensor's (a no-op when they already are its memory). The caller bumps the
 * version with `t._bumpVersion()` once it is done writing. */
export function writeBack(t: Tensor, values: FloatArray): void {
  if (!t._contiguous) writeValues(t, values);
}

/** writeBack, then the version bump every in-place write of a tensor ends with. */
export function commit(t: Tensor, values: FloatArray): void {
  writeBack(t, values);
  t._bumpVersion();
}

/** Reads state[name] as a tensor, with a clear message when a loaded state dict lacks it. */
export function stateTensor(state: Record<string, unknown>, name: string): Tensor {
  const t = state[name];
  if (t === undefined) throw new RuntimeError(`optimizer state has no '${name}' (was it loaded from another optimizer's stateDict?)`);
  return t as Tensor;
}

/** `state_steps[i] += 1` on the float32 step tensor PyTorch keeps; returns the new count. */
export function countStep(state: Record<string, unknown>): number {
  const stepT = stateTensor(state, "step");
  stepT._data[0] = Math.fround(stepT._data[0] + 1);
  return stepT._data[0];
}

/** `state["step"] += 1` where PyTorch keeps the count as a Python int (Adadelta, RMSprop). */
export function countIntStep(state: Record<string, unknown>): number {
  return (state.step = (state.step as number) + 1);
}

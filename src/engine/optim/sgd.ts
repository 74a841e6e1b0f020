/** torch.optim.SGD, as PyTorch 1.13's single-tensor implementation computes it (`_single_tensor_sgd`). */
import { ValueError } from "../errors";
import type { Tensor } from "../tensor";
import { checkNonNegative, formatArg, withDefaults } from "./checks";
import { floatOps } from "./float_ops";
import type { ParamGroup, ParamState, Params } from "./optimizer";
import { SingleTensorOptimizer, decayedGradient } from "./single_tensor";
import { type FloatArray, floats, zerosLike, writable, writeBack } from "./state";

export interface SGDOptions {
  /** Required: SGD has no default learning rate. */
  lr?: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  maximize?: boolean;
}

export type SGDParamGroup = ParamGroup & Required<SGDOptions>;

export class SGD extends SingleTensorOptimizer<SGDParamGroup> {
  protected static override readonly requiredOptions = ["lr"];
  protected override readonly pythonOnlyOptions = { foreach: null, differentiable: false };
  protected override readonly intOptions = new Set(["momentum", "dampening", "weightDecay"]);

  constructor(params: Params<SGDParamGroup>, options: SGDOptions = {}) {
    super(params, sgdDefaults(options));
  }

  protected updateParam(p: Tensor, grad: Tensor, state: ParamState, group: SGDParamGroup): void {
    state.momentumBuffer = sgdUpdate(p, grad, (state.momentumBuffer as Tensor | null | undefined) ?? null, group);
  }
}

function sgdDefaults(options: SGDOptions): Omit<SGDParamGroup, "params"> {
  const noLr = undefined as unknown as number;
  const d = withDefaults(options, { lr: noLr, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false }, "SGD");
  if (d.lr !== undefined && !(d.lr >= 0)) throw new ValueError(`Invalid learning rate: ${formatArg(d.lr)}`);
  checkNonNegative(d.momentum, "Invalid momentum value");
  checkNonNegative(d.weightDecay, "Invalid weight_decay value");
  if (d.nesterov && (d.momentum <= 0 || d.dampening !== 0)) throw new ValueError("Nesterov momentum requires a momentum and zero dampening");
  return d;
}

/** One parameter's update; returns its momentum buffer (null without momentum, as PyTorch stores None). */
function sgdUpdate(p: Tensor, grad: Tensor, buffer: Tensor | null, o: Required<SGDOptions>): Tensor | null {
  const { r, fma } = floatOps(p.dtype);
  const w = writable(p);
  const d = decayedGradient(p, w, grad, o.weightDecay, o.maximize); // may be the gradient's own values: read only
  const n = w.length;
  let step: FloatArray = d;
  if (o.momentum !== 0) {
    if (!buffer) {
      // buf = torch.clone(d_p).detach()
      buffer = zerosLike(p);
      floats(buffer, "momentum buffer").set(d);
    } else {
      // buf.mul_(momentum).add_(d_p, alpha=1 - dampening)
      const b = floats(buffer, "momentum buffer");
      const m = r(o.momentum);
      const keep = r(1 - o.dampening);
      for (let i = 0; i < n; i++) b[i] = fma(d[i], keep, r(b[i] * m));
    }
    const b = floats(buffer, "momentum buffer");
    if (o.nesterov) {
      // d_p = d_p.add(buf, alpha=momentum), into a buffer of its own when d_p is still the gradient
      const m = r(o.momentum);
      const readsGradient = o.weightDecay === 0 && !o.maximize; // then d is the gradient's own values
      const nesterov = readsGradient ? (p.dtype === "float32" ? new Float32Array(n) : new Float64Array(n)) : d;
      for (let i = 0; i < n; i++) nesterov[i] = fma(b[i], m, d[i]);
      step = nesterov;
    } else step = b;
  }
  // param.add_(d_p, alpha=-lr)
  const alpha = r(-o.lr);
  for (let i = 0; i < n; i++) w[i] = fma(step[i], alpha, w[i]);
  writeBack(p, w);
  return buffer;
}

/** What every loss shares: the reduction argument, its application, PyTorch's size warning and broadcast_tensors. */
import { ValueError } from "../errors";
import { warn } from "../recorder";
import { broadcastShapes, formatShape, sameShape } from "../shape";
import type { Tensor } from "../tensor";

export type Reduction = "mean" | "sum" | "none";

export interface LossOptions {
  reduction?: Reduction;
}

/** PyTorch's _Reduction.get_enum: anything but none, mean and sum is a ValueError. */
export function reductionOf(options: { reduction?: string } | undefined): Reduction {
  const r = options?.reduction ?? "mean";
  if (r !== "mean" && r !== "sum" && r !== "none") throw new ValueError(`${String(r)} is not a valid value for reduction`);
  return r;
}

/** The reduction written in Python (`raise ValueError(reduction + " is not valid")`): poisson_nll_loss,
 * gaussian_nll_loss, multilabel_soft_margin_loss. */
export function pythonReductionOf(options: { reduction?: string } | undefined): Reduction {
  const r = options?.reduction ?? "mean";
  if (r !== "mean" && r !== "sum" && r !== "none") throw new ValueError(`${String(r)} is not valid`);
  return r;
}

/** ATen's apply_loss_reduction: mean() (MeanBackward0), sum() (SumBackward0) or the elementwise losses. */
export function applyReduction(t: Tensor, reduction: Reduction): Tensor {
  return reduction === "mean" ? t.mean() : reduction === "sum" ? t.sum() : t;
}

/** The UserWarning of mse_loss, l1_loss, huber_loss and smooth_l1_loss when target and input differ in shape. */
export function sizeWarning(input: Tensor, target: Tensor): void {
  if (!sameShape(input.shape, target.shape)) {
    warn(
      `Using a target size (torch.Size(${formatShape(target.shape)})) that is different to the input size (torch.Size(${formatShape(input.shape)})). ` +
        "This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.",
    );
  }
}

/** torch.broadcast_tensors: a tensor already of the common shape is passed as is, the other one expanded (so its
 * gradient goes through ExpandBackward0, as in PyTorch). */
export function broadcastPair(a: Tensor, b: Tensor): [Tensor, Tensor] {
  if (sameShape(a.shape, b.shape)) return [a, b];
  const shape = broadcastShapes(a.shape, b.shape);
  return [sameShape(a.shape, shape) ? a : a.expand(shape), sameShape(b.shape, shape) ? b : b.expand(shape)];
}

/** PyTorch's `torch.Size([2, 3])` in messages. */
export function torchSize(shape: readonly number[]): string {
  return `torch.Size(${formatShape(shape)})`;
}

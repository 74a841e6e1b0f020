/**
 * The normalisation layers of torch.nn.functional: batch_norm, layer_norm, group_norm and instance_norm. Instance
 * normalisation is, as in ATen, a batch normalisation of the input seen as one sample of N·C channels, with weight
 * and bias repeated per sample (RepeatBackward0) and the running statistics averaged back over the samples.
 */
import { RuntimeError, ValueError } from "../errors";
import { noGrad } from "../autograd/grad_mode";
import { writeValues } from "../ops/write";
import { formatShape, numelOf } from "../shape";
import type { Tensor } from "../tensor";
import { batchNormCall } from "./batch_norm";
import { recorder } from "../recorder";
import { checkFloating } from "./layer_args";

export { batchNorm } from "./batch_norm";
export type { BatchNormOptions } from "./batch_norm";
export { layerNorm, groupNorm } from "./row_norm";
export type { LayerNormOptions, GroupNormOptions } from "./row_norm";

/** Weight, bias or running statistic once per sample (RepeatBackward0 sums the copies' gradients back). */
function repeated(t: Tensor | null | undefined, times: number): Tensor | null {
  return t ? t.repeat(times) : null;
}

export interface InstanceNormOptions {
  runningMean?: Tensor | null;
  runningVar?: Tensor | null;
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Normalise by each instance's own statistics (PyTorch's default); false uses the running ones. */
  useInputStats?: boolean;
  momentum?: number;
  eps?: number;
}

/** torch.nn.functional.instance_norm over [N, C, *]: each sample's each channel normalised on its own. */
export function instanceNorm(input: Tensor, options: InstanceNormOptions = {}): Tensor {
  checkFloating(input, "instance_norm");
  const useInputStats = options.useInputStats ?? true;
  if (input.ndim < 2) throw new ValueError(`expected 2D or more input (got ${input.ndim}D input)`);
  const spatial = numelOf(input.shape.slice(2));
  if (useInputStats && spatial === 1) {
    throw new ValueError(`Expected more than 1 spatial element when training, got input size torch.Size(${formatShape(input.shape)})`);
  }
  const runningMean = options.runningMean ?? null;
  const runningVar = options.runningVar ?? null;
  if (!useInputStats && (!runningMean || !runningVar)) {
    throw new RuntimeError("Expected running_mean and running_var to be defined when use_input_stats is false");
  }
  const [b, c] = input.shape;
  const shape = [1, b * c, ...input.shape.slice(2)];
  const repeatedMean = runningMean ? noGrad(() => repeated(runningMean, b)) : null;
  const repeatedVar = runningVar ? noGrad(() => repeated(runningVar, b)) : null;
  const out = batchNormCall(input.contiguous().view(shape), repeatedMean, repeatedVar, {
    weight: repeated(options.weight, b),
    bias: repeated(options.bias, b),
    training: useInputStats,
    momentum: options.momentum ?? 0.1,
    eps: options.eps ?? 1e-5,
  });
  // The running statistics become the average of their per-sample updates.
  for (const [buffer, copies] of [[runningMean, repeatedMean], [runningVar, repeatedVar]] as const) {
    if (!buffer || !copies) continue;
    const averaged = noGrad(() => copies.view(b, c).mean(0));
    writeValues(buffer, averaged._data);
    buffer._bumpVersion();
    recorder.current?.onModified(buffer);
  }
  return out.view(input.shape);
}

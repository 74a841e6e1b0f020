/**
 * Dropout as PyTorch 1.13 runs it on the CPU (ATen's _dropout_impl): a noise tensor drawn with `bernoulli_(1 - p)`
 * (one double uniform per element, 1 where u < 1 − p, from the generator, so the mask equals PyTorch's after
 * manualSeed), scaled by 1/(1 − p), and the input multiplied by it: the graph is a MulBackward0 whose gradient is
 * the same noise. Feature dropout (dropout1d/2d) draws one number per channel; alpha dropout keeps a SELU network's
 * mean and variance (AddBackward0 over MulBackward0).
 */
import { RuntimeError, ValueError } from "../errors";
import { empty } from "../ops/operands";
import { type Generator, fillBernoulliScalar, generatorOf } from "../random";
import { warn } from "../recorder";
import type { Tensor } from "../tensor";

export interface DropoutOptions {
  /** Apply dropout (PyTorch's `training`); false returns the input. */
  training?: boolean;
  /** Write the result into the input (PyTorch's `inplace=True`). */
  inplace?: boolean;
  /** Draw the mask from this generator instead of the default one. */
  generator?: Generator;
}

function checkP(p: number): void {
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new ValueError(`dropout probability has to be between 0 and 1, but got ${p}`);
}

/** bernoulli_(1 − p) into a tensor of `shape`: 1 where the double uniform is below 1 − p. */
function bernoulliNoise(shape: number[], like: Tensor, p: number, gen: Generator): Tensor {
  const noise = empty(shape, like.dtype);
  fillBernoulliScalar(noise._data, 1 - p, gen);
  return noise;
}

/** The noise's shape: the input's, or for feature dropout [N, C, 1, ...] (one draw per channel). */
function noiseShape(input: Tensor, feature: boolean): number[] {
  if (!feature) return input.shape.slice();
  return input.shape.map((d, i) => (i < 2 ? d : 1));
}

function multiply(input: Tensor, noise: Tensor, inplace: boolean): Tensor {
  return inplace ? input.mul_(noise) : input.mul(noise);
}

function dropoutImpl(input: Tensor, p: number, options: DropoutOptions, feature: boolean, alpha: boolean, training: boolean): Tensor {
  checkP(p);
  const inplace = options.inplace ?? false;
  if (p === 0 || !training || input.numel() === 0) return input;
  if (p === 1) return multiply(input, empty([], input.dtype), inplace);
  if (feature && input.ndim < 2) throw new RuntimeError(`Feature dropout requires at least 2 dimensions in the input`);
  const gen = generatorOf(options, "dropout");
  const noise = bernoulliNoise(noiseShape(input, feature), input, p, gen);
  const round = input.dtype === "float32" ? Math.fround : (v: number) => v;
  const d = noise._data;
  if (!alpha) {
    // noise.div_(1 - p), in the input's dtype.
    const scale = round(1 / round(1 - p));
    for (let i = 0; i < d.length; i++) d[i] = d[i] === 0 ? 0 : scale;
    return multiply(input, noise, inplace);
  }
  // SELU's alpha: the dropped value is -alpha·scale, and a and b restore mean 0 and variance 1.
  const seluAlpha = 1.7580993408473766;
  const a = 1 / Math.sqrt((seluAlpha * seluAlpha * p + 1) * (1 - p));
  const b = empty(noise.shape.slice(), input.dtype);
  const bd = b._data;
  const alphaA = round(seluAlpha * a);
  const shift = round(seluAlpha * a * p);
  const aRounded = round(a);
  for (let i = 0; i < d.length; i++) {
    bd[i] = round(round(round(d[i] - 1) * alphaA) + shift);
    d[i] = round(d[i] * aRounded);
  }
  const scaled = multiply(input, noise, inplace);
  return inplace ? scaled.add_(b) : scaled.add(b);
}

/** torch.nn.functional.dropout: each element zeroed with probability p, the rest scaled by 1/(1 − p). */
export function dropout(input: Tensor, p = 0.5, options: DropoutOptions = {}): Tensor {
  return dropoutImpl(input, p, options, false, false, options.training ?? true);
}

/** torch.nn.functional.dropout1d over [N, C, L] or [C, L]: whole channels zeroed. */
export function dropout1d(input: Tensor, p = 0.5, options: DropoutOptions = {}): Tensor {
  checkP(p);
  if (input.ndim !== 2 && input.ndim !== 3) {
    throw new RuntimeError(`dropout1d: Expected 2D or 3D input, but received a ${input.ndim}D input. Note that dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).`);
  }
  const training = options.training ?? true;
  if (input.ndim === 2) return dropoutImpl(input.unsqueeze(0), p, { ...options, inplace: false }, true, false, training).squeeze(0);
  return dropoutImpl(input, p, options, true, false, training);
}

/** torch.nn.functional.dropout2d over [N, C, H, W]: whole channels zeroed. A 3-D input is taken as [N, C, L], as
 * PyTorch 1.13 does (with its warning). */
export function dropout2d(input: Tensor, p = 0.5, options: DropoutOptions = {}): Tensor {
  checkP(p);
  if (input.ndim !== 3 && input.ndim !== 4) {
    warn(`dropout2d: Received a ${input.ndim}-D input to dropout2d, which is deprecated and will result in an error in a future release. To retain the behavior and silence this warning, please use dropout instead. Note that dropout2d exists to provide channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).`);
  }
  if (input.ndim === 3) {
    warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior will change in a future release to interpret the input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using dropout1d instead.");
  }
  return dropoutImpl(input, p, options, true, false, options.training ?? true);
}

/** torch.nn.functional.alpha_dropout (for SELU networks); PyTorch's default is training=false. */
export function alphaDropout(input: Tensor, p = 0.5, options: DropoutOptions = {}): Tensor {
  return dropoutImpl(input, p, options, false, true, options.training ?? false);
}

/** torch.nn.functional.feature_alpha_dropout: alpha dropout of whole channels; training=false by default. */
export function featureAlphaDropout(input: Tensor, p = 0.5, options: DropoutOptions = {}): Tensor {
  return dropoutImpl(input, p, options, true, true, options.training ?? false);
}

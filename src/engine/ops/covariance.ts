/**
 * cov and corrcoef, composed as ATen composes them (weighted mean, centring, mm with the transpose, true division by
 * the degrees of freedom, squeeze; corrcoef divides by the standard deviations and clips to [-1, 1]). Their graphs
 * therefore hold PyTorch's nodes (SqueezeBackward0, DivBackward0, MmBackward0, ClampBackward1) and gradients.
 */
import { tensor } from "../create";
import { isFloating } from "../dtype";
import { RuntimeError } from "../errors";
import { warn } from "../recorder";
import { Tensor, addMethods } from "../tensor";
import { scalarTypeName } from "./pointwise_op";

export interface CovOptions {
  correction?: number;
  /** Integer frequency of each observation. */
  fweights?: Tensor | null;
  /** Floating weight of each observation. */
  aweights?: Tensor | null;
}

function checkWeights(kind: "fweights" | "aweights", w: Tensor, observations: number): void {
  if (w.ndim > 1) throw new RuntimeError(`cov(): expected ${kind} to have one or fewer dimensions but got ${kind} with ${w.ndim} dimensions`);
  const wanted = kind === "fweights" ? !isFloating(w.dtype) && w.dtype !== "bool" : isFloating(w.dtype);
  if (!wanted) {
    const kindText = kind === "fweights" ? "integral" : "floating point";
    throw new RuntimeError(`cov(): expected ${kind} to have ${kindText} dtype but got ${kind} with ${scalarTypeName(w.dtype)} dtype`);
  }
  if (w.numel() !== observations) {
    throw new RuntimeError(`cov(): expected ${kind} to have the same numel as there are observations in the input but got ${w.numel()} != ${observations}`);
  }
  if (observations > 0 && !w.min().ge(0).item()) throw new RuntimeError(`cov(): ${kind} cannot be negative`);
}

/** torch.cov: the covariance matrix of the rows of x (variables) over its columns (observations); a 1-d x is one
 * variable, and its covariance a 0-d tensor. */
export function cov(self: Tensor, options: CovOptions = {}): Tensor {
  const correction = options.correction ?? 1;
  const fweights = options.fweights ?? null;
  const aweights = options.aweights ?? null;
  if (self.ndim > 2) throw new RuntimeError(`cov(): expected input to have two or fewer dimensions but got an input with ${self.ndim} dimensions`);
  if (self.dtype === "bool") throw new RuntimeError("cov(): bool dtype is not supported for input");
  let input = self.ndim < 2 ? self.view([1, -1]) : self;
  const observations = input.shape[1];
  let w: Tensor | null = null;
  if (fweights !== null) {
    checkWeights("fweights", fweights, observations);
    w = fweights;
  }
  if (aweights !== null) {
    checkWeights("aweights", aweights, observations);
    w = w === null ? aweights : w.mul(aweights);
  }
  const wSum = w === null ? tensor(observations, { dtype: "int64" }) : w.sum();
  if (w !== null && !wSum.ne(0).item()) throw new RuntimeError("cov(): weights sum to zero, can't be normalized");
  const avg = (w === null ? input : input.mul(w)).sum(1).div(wSum);

  let normFactor: Tensor;
  if (w === null) normFactor = tensor(observations - correction, { dtype: "int64" });
  else if (correction === 0) normFactor = wSum;
  else if (aweights === null) normFactor = wSum.sub(correction);
  else normFactor = wSum.sub(w.mul(aweights).sum().mul(correction).div(wSum));
  if (normFactor.le(0).item()) {
    warn("cov(): degrees of freedom is <= 0. Correction should be strictly less than the number of observations.");
    normFactor = normFactor.mul(0);
  }

  input = input.sub(avg.unsqueeze(1));
  const c = input.mm((w === null ? input : input.mul(w)).t());
  return c.div(normFactor).squeeze();
}

/** torch.corrcoef: Pearson's correlation coefficients of the rows of x, clipped to [-1, 1]. */
export function corrcoef(self: Tensor): Tensor {
  if (self.ndim > 2) {
    throw new RuntimeError(`corrcoef(): expected input to have two or fewer dimensions but got an input with ${self.ndim} dimensions`);
  }
  const c = cov(self);
  // One variable: 1, or NaN where its variance is 0, NaN or infinite.
  if (c.ndim === 0) return c.div(c);
  const stddev = c.diagonal().sqrt();
  return c.div(stddev.view([-1, 1])).div(stddev.view([1, -1])).clip(-1, 1);
}

declare module "../tensor" {
  interface Tensor {
    /** PyTorch's `cov`: the covariance matrix of the rows over the columns. */
    cov(options?: CovOptions): Tensor;
    /** PyTorch's `corrcoef`: the correlation coefficients of the rows. */
    corrcoef(): Tensor;
  }
}

addMethods({
  cov(this: Tensor, options?: CovOptions) {
    return cov(this, options);
  },
  corrcoef(this: Tensor) {
    return corrcoef(this);
  },
});

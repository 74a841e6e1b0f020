/**
 * quantile and nanquantile, composed as ATen 1.13 composes them: sort, view, gather the neighbours of each rank, lerp
 * between them, and squeeze the quantile dim in place. Gradients so reach the two picked elements of each line
 * (SortBackward0, GatherBackward0, LerpBackward1), and the graph ends in SqueezeBackward3 as PyTorch's does.
 */
import { fullLike, tensor } from "../create";
import { isFloating } from "../dtype";
import { RuntimeError } from "../errors";
import { normalizeDim } from "../shape";
import { Tensor, addMethods } from "../tensor";
import { apply, defineOp } from "./op";

export type QuantileInterpolation = "linear" | "lower" | "higher" | "midpoint" | "nearest";

export interface QuantileOptions {
  dim?: number | null;
  keepdim?: boolean;
  interpolation?: QuantileInterpolation;
}

/** ATen's `values.squeeze_(-1)` on its own temporary: a node of its own (SqueezeBackward3), not a view a user holds. */
const squeezeLastInPlaceOp = defineOp({
  name: "squeezeLastInPlace",
  gradFnName: "SqueezeBackward3",
  forward: ([t]) => t.reshape(t.shape.slice(0, -1)).contiguous().clone(),
  backward: (_, g) => [g.unsqueeze(-1)],
});

const INTERPOLATIONS: readonly string[] = ["linear", "lower", "higher", "midpoint", "nearest"];

function quantileOf(self: Tensor, qIn: Tensor | number, options: QuantileOptions, ignoreNaN: boolean): Tensor {
  // nanquantile's messages say quantile() too, as PyTorch's do.
  const name = "quantile";
  const interpolation = options.interpolation ?? "linear";
  const keepdim = options.keepdim ?? false;
  if (typeof qIn === "number" && !(qIn >= 0 && qIn <= 1)) throw new RuntimeError(`${name}() q must be in the range [0, 1] but got ${qIn}`);
  const q = typeof qIn === "number" ? tensor(qIn, { dtype: self.dtype }) : qIn;
  if (self.numel() === 0) throw new RuntimeError(`${name}() input tensor must be non-empty`);
  if (q.ndim > 1) throw new RuntimeError(`${name}() q must be a scalar or 1D tensor`);
  if (!isFloating(self.dtype)) throw new RuntimeError(`${name}() input tensor must be either float or double dtype`);
  if (q.dtype !== self.dtype) throw new RuntimeError(`${name}() q tensor must be same dtype as the input tensor`);
  if (!INTERPOLATIONS.includes(interpolation)) {
    throw new RuntimeError(`${name}() interpolation must be one of linear, lower, higher, midpoint or nearest, but got ${String(interpolation)}`);
  }
  const dim = options.dim === undefined || options.dim === null ? null : normalizeDim(options.dim, self.ndim);
  if (!q.ge(0).logicalAnd(q.le(1)).all().item()) throw new RuntimeError(`${name}() q values must be in the range [0, 1]`);

  // The reduced shape (without the quantile dim), and the lines to pick from, sorted, as (reduced..., n).
  const reduced = dim === null ? (keepdim ? self.shape.map(() => 1) : []) : self.ndim === 0 ? [] : self.shape.flatMap((s, i) => (i !== dim ? [s] : keepdim ? [1] : []));
  const lines = dim === null ? self.flatten() : self.unsqueeze(-1).transpose(dim, -1);
  const sortedValues = lines.sort().values;
  const n = sortedValues.shape[sortedValues.ndim - 1];
  const sorted = sortedValues.view([...reduced, n]);

  let ranks: Tensor;
  if (ignoreNaN) {
    // The rank among the non-NaN values; a line of NaNs only gets rank 0, so its quantile is NaN.
    ranks = q.mul(sorted.isnan().logicalNot().sum(-1, true).sub(1));
    ranks = ranks.maskedFill(ranks.lt(0), 0);
  } else {
    // A line holding NaN gets the last rank, so its quantile is NaN.
    const scaled = q.mul(n - 1);
    const hasNaN = sorted.isnan().any(-1, true);
    const shape = [...hasNaN.shape.slice(0, -1), q.ndim === 0 ? 1 : q.shape[0]];
    ranks = scaled.broadcastTo(...shape).maskedFill(hasNaN.broadcastTo(...shape), n - 1);
  }
  if (interpolation === "lower") ranks = ranks.floor();
  else if (interpolation === "higher") ranks = ranks.ceil();
  else if (interpolation === "nearest") ranks = ranks.round();

  const ranksBelow = ranks.long();
  let values = sorted.gather(-1, ranksBelow);
  if (interpolation === "linear" || interpolation === "midpoint") {
    const weights = interpolation === "midpoint" ? fullLike(ranks, 0.5) : ranks.sub(ranksBelow);
    const above = sorted.gather(-1, ranks.ceil().long());
    values = values.lerp(above, weights);
  }
  // Quantiles last → first (ATen: unsqueeze_(0).transpose_(0, -1)), then the trailing 1 squeezed in place.
  if (q.ndim === 1) values = values.unsqueeze(0).transpose(0, -1);
  return apply(squeezeLastInPlaceOp, [values], undefined);
}

/** torch.quantile(x, q, dim?, keepdim, interpolation): the q-th quantiles of all elements or along dim; a line holding
 * NaN gives NaN. q is a number or a 0-d/1-d tensor of x's dtype (a 1-d q puts its quantiles first). */
export function quantile(t: Tensor, q: Tensor | number, options: QuantileOptions = {}): Tensor {
  return quantileOf(t, q, options, false);
}

/** torch.nanquantile: quantile ignoring NaNs (NaN only where a line is all NaN). */
export function nanquantile(t: Tensor, q: Tensor | number, options: QuantileOptions = {}): Tensor {
  return quantileOf(t, q, options, true);
}

declare module "../tensor" {
  interface Tensor {
    /** PyTorch's `quantile`: the q-th quantiles, of all elements or along dim. */
    quantile(q: Tensor | number, options?: QuantileOptions): Tensor;
    /** PyTorch's `nanquantile`: quantile ignoring NaNs. */
    nanquantile(q: Tensor | number, options?: QuantileOptions): Tensor;
  }
}

addMethods({
  quantile(this: Tensor, q: Tensor | number, options?: QuantileOptions) {
    return quantile(this, q, options);
  },
  nanquantile(this: Tensor, q: Tensor | number, options?: QuantileOptions) {
    return nanquantile(this, q, options);
  },
});

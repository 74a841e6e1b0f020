/**
 * F.embedding_bag as PyTorch 1.13: each bag's rows of the weight summed, averaged or maxed (EmbeddingBagBackward0),
 * optionally weighted per sample (mode "sum"). PyTorch 1.13 has no derivative for its gradients: taken with
 * createGraph they hang from a "NotImplemented" node, and differentiating them fails with PyTorch's message.
 */
import { NotImplementedError, RuntimeError, ValueError } from "../errors";
import { apply, defineOp } from "../ops/op";
import { empty } from "../ops/operands";
import { Tensor } from "../tensor";
import { renorm } from "./embedding";
import { checkFloating } from "./layer_args";

export type EmbeddingBagMode = "sum" | "mean" | "max";

export interface EmbeddingBagOptions {
  /** Where each bag starts in a 1-D input (int64); a 2-D input is one bag per row and takes none. */
  offsets?: Tensor | null;
  maxNorm?: number | null;
  normType?: number;
  scaleGradByFreq?: boolean;
  mode?: EmbeddingBagMode;
  sparse?: boolean;
  /** A weight per index (input's shape), mode "sum" only. */
  perSampleWeights?: Tensor | null;
  /** `offsets` has one more entry: the end of the last bag. */
  includeLastOffset?: boolean;
  /** Indices equal to it are left out of their bag (and of its count for "mean"). */
  paddingIdx?: number | null;
}

interface BagAttrs {
  readonly indices: Int32Array;
  /** Bag b holds index positions bounds[b] .. bounds[b + 1] - 1. */
  readonly bounds: Int32Array;
  readonly mode: EmbeddingBagMode;
  readonly paddingIdx: number;
  readonly scaleByFreq: boolean;
}

const bagsOf = (a: BagAttrs) => a.bounds.length - 1;

/** For each bag and column, the row holding the maximum (the first one on ties), or -1 for an empty bag. */
function maxRows(w: Tensor, a: BagAttrs): Int32Array {
  const dim = w.shape[1];
  const values = w._data;
  const rows = new Int32Array(bagsOf(a) * dim).fill(-1);
  for (let b = 0; b < bagsOf(a); b++) {
    for (let k = a.bounds[b]; k < a.bounds[b + 1]; k++) {
      const row = a.indices[k];
      if (row === a.paddingIdx) continue;
      for (let j = 0; j < dim; j++) {
        const at = b * dim + j;
        if (rows[at] === -1 || values[row * dim + j] > values[rows[at] * dim + j]) rows[at] = row;
      }
    }
  }
  return rows;
}

/** The number of non-padding indices in each bag. */
function counts(a: BagAttrs): Int32Array {
  const out = new Int32Array(bagsOf(a));
  for (let b = 0; b < bagsOf(a); b++) for (let k = a.bounds[b]; k < a.bounds[b + 1]; k++) if (a.indices[k] !== a.paddingIdx) out[b]++;
  return out;
}

const bagOp = defineOp<BagAttrs>({
  name: "embeddingBag",
  gradFnName: "EmbeddingBagBackward0",
  saves: { inputs: (needsGrad) => (needsGrad.length > 1 ? [0, 1] : [0]) },
  forward: ([weight, psw], a) => {
    const dim = weight.shape[1];
    const out = empty([bagsOf(a), dim], weight.dtype);
    const o = out._data;
    const w = weight._data;
    if (a.mode === "max") {
      const rows = maxRows(weight, a);
      for (let i = 0; i < rows.length; i++) o[i] = rows[i] < 0 ? 0 : w[rows[i] * dim + (i % dim)];
      return out;
    }
    const p = psw ? psw._data : null;
    const n = counts(a);
    const sums = new Float64Array(dim);
    for (let b = 0; b < bagsOf(a); b++) {
      sums.fill(0);
      for (let k = a.bounds[b]; k < a.bounds[b + 1]; k++) {
        const row = a.indices[k];
        if (row === a.paddingIdx) continue;
        const f = p ? p[k] : 1;
        for (let j = 0; j < dim; j++) sums[j] += f * w[row * dim + j];
      }
      for (let j = 0; j < dim; j++) o[b * dim + j] = a.mode === "mean" ? (n[b] ? sums[j] / n[b] : 0) : sums[j];
    }
    return out;
  },
  backward: ({ inputs: [weight, psw], attrs, needsInputGrad }, g) => [
    needsInputGrad[0] ? apply(weightGradOp, psw ? [g, weight, psw] : [g, weight], attrs) : null,
    psw && needsInputGrad[1] ? apply(sampleWeightGradOp, [g, weight], attrs) : null,
  ],
});

/** scale_grad_by_freq's divisor per row, as PyTorch 1.13's CPU kernel takes it: the rows in sorted order, the i-th
 * distinct row divided by the count of the row at sorted position i (not by its own count, unless every row before
 * it occurs once), which is what PyTorch computes. */
function frequencyDivisors(indices: Int32Array): Map<number, number> {
  const sorted = Int32Array.from(indices).sort();
  const counts = new Map<number, number>();
  for (const i of sorted) counts.set(i, (counts.get(i) ?? 0) + 1);
  const divisors = new Map<number, number>();
  let group = 0;
  for (let k = 0; k < sorted.length; k += counts.get(sorted[k])!, group++) divisors.set(sorted[k], counts.get(sorted[group])!);
  return divisors;
}

/** The weight's gradient: each bag's gradient added into the rows it read (scaled as the forward scaled them). */
const weightGradOp = defineOp<BagAttrs>({
  name: "embeddingBagBackward",
  gradFnName: "NotImplemented",
  forward: ([g, weight, psw], a) => {
    const dim = weight.shape[1];
    const sums = new Float64Array(weight.numel());
    const gs = g._data;
    if (a.mode === "max") {
      const rows = maxRows(weight, a);
      for (let i = 0; i < rows.length; i++) if (rows[i] >= 0) sums[rows[i] * dim + (i % dim)] += gs[i];
    } else {
      const n = counts(a);
      const p = psw ? psw._data : null;
      const freq = a.scaleByFreq ? frequencyDivisors(a.indices) : null;
      for (let b = 0; b < bagsOf(a); b++) {
        for (let k = a.bounds[b]; k < a.bounds[b + 1]; k++) {
          const row = a.indices[k];
          if (row === a.paddingIdx) continue;
          let f = p ? p[k] : 1;
          if (a.mode === "mean") f /= n[b];
          if (freq) f /= freq.get(row)!;
          for (let j = 0; j < dim; j++) sums[row * dim + j] += f * gs[b * dim + j];
        }
      }
    }
    return Tensor.fromData(weight.dtype === "float32" ? Float32Array.from(sums) : sums, weight.shape.slice(), weight.dtype);
  },
  backward: () => {
    throw new RuntimeError("derivative for _embedding_bag_dense_backward is not implemented");
  },
});

/** The per-sample weights' gradient: the bag's gradient · the row each weight multiplied. */
const sampleWeightGradOp = defineOp<BagAttrs>({
  name: "embeddingBagPerSampleWeightsBackward",
  gradFnName: "NotImplemented",
  forward: ([g, weight], a) => {
    const dim = weight.shape[1];
    const out = empty([a.indices.length], weight.dtype);
    const w = weight._data;
    const gs = g._data;
    for (let b = 0; b < bagsOf(a); b++) {
      for (let k = a.bounds[b]; k < a.bounds[b + 1]; k++) {
        const row = a.indices[k];
        if (row === a.paddingIdx) continue;
        let s = 0;
        for (let j = 0; j < dim; j++) s += gs[b * dim + j] * w[row * dim + j];
        out._data[k] = s;
      }
    }
    return out;
  },
  backward: () => {
    throw new RuntimeError("derivative for aten::_embedding_bag_per_sample_weights_backward is not implemented");
  },
});

function integerValues(t: Tensor, what: string): Int32Array {
  if (t.dtype === "bool" || (t.dtype !== "int64" && t._data.some((v) => !Number.isInteger(v)))) {
    const name = { float32: "torch.FloatTensor", float64: "torch.DoubleTensor", bool: "torch.BoolTensor", int64: "torch.LongTensor" }[t.dtype];
    throw new RuntimeError(`Expected tensor for argument #1 '${what}' to have one of the following scalar types: Long, Int; but got ${name} instead (while checking arguments for embedding_bag)`);
  }
  return Int32Array.from(t._data);
}

/** torch.nn.functional.embedding_bag: [bags, dim], each row the sum, mean or max of its bag's weight rows. */
export function embeddingBag(input: Tensor, weight: Tensor, options: EmbeddingBagOptions = {}): Tensor {
  checkFloating(weight, "embedding_bag");
  if (weight.ndim !== 2) throw new RuntimeError("'weight' must be 2-D");
  const rows = weight.shape[0];
  const psw = options.perSampleWeights ?? null;
  const offsets = options.offsets ?? null;
  if (psw && (psw.ndim !== input.ndim || psw.shape.some((d, i) => d !== input.shape[i]))) {
    throw new ValueError(`embedding_bag: If per_sample_weights (${`torch.Size([${psw.shape.join(", ")}])`}) is not None, then it must have the same shape as the input (${`torch.Size([${input.shape.join(", ")}])`})`);
  }
  let flat = input;
  if (input.ndim === 2) {
    if (offsets !== null) {
      throw new ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of fixed length sequences. However, found offsets of type <class 'torch.Tensor'>");
    }
    flat = input.reshape(-1);
  } else if (input.ndim === 1) {
    if (offsets === null) throw new ValueError("offsets has to be a 1D Tensor but got None");
    if (offsets.ndim !== 1) throw new ValueError("offsets has to be a 1D Tensor");
  } else throw new ValueError(`input has to be 1D or 2D Tensor, but got Tensor of dimension ${input.ndim}`);
  const mode = options.mode ?? "mean";
  if ((mode as string) !== "sum" && (mode as string) !== "mean" && (mode as string) !== "max") throw new ValueError("mode has to be one of sum, mean or max");
  let paddingIdx = options.paddingIdx ?? -1;
  if (options.paddingIdx !== undefined && options.paddingIdx !== null) {
    if (paddingIdx >= rows || paddingIdx < -rows) throw new RuntimeError(`padding_idx must be within the number of embeddings, ${-rows} through ${rows - 1}, but got ${paddingIdx}`);
    if (paddingIdx < 0) paddingIdx += rows;
  }
  if (options.maxNorm !== undefined && options.maxNorm !== null) renorm(weight, flat, options.maxNorm, options.normType ?? 2);
  if (psw && mode !== "sum") {
    throw new NotImplementedError(`embedding_bag: per_sample_weights was not None. per_sample_weights is only supported for mode='sum' (got mode='${mode}'). Please open a feature request on GitHub.`);
  }
  if (options.sparse) throw new RuntimeError("embedding_bag: sparse gradients are not supported by Gradlens (sparse=True)");
  const indices = integerValues(flat, "indices");
  for (const i of indices) if (i < 0 || i >= rows) throw new RuntimeError(`embedding_bag: index ${i} is out of range for a weight of ${rows} rows`);
  let starts: Int32Array;
  if (offsets === null) {
    const width = input.shape[1];
    starts = Int32Array.from({ length: input.shape[0] }, (_, b) => b * width);
  } else starts = integerValues(offsets, "offsets");
  if (starts.length && starts[0] !== 0) {
    throw new RuntimeError(`offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from position 0. However, got ${starts[0]}`);
  }
  if (starts.length && starts[starts.length - 1] > indices.length) {
    throw new RuntimeError(`offsets[-1] can not be greater than input's length ${indices.length} but got offsets[-1] of ${starts[starts.length - 1]}`);
  }
  const includeLast = (options.includeLastOffset ?? false) && input.ndim === 1;
  const bounds = includeLast ? Int32Array.from(starts) : Int32Array.from([...starts, indices.length]);
  const attrs: BagAttrs = { indices, bounds, mode, paddingIdx, scaleByFreq: options.scaleGradByFreq ?? false };
  return apply(bagOp, psw ? [weight, psw.ndim === 1 ? psw : psw.reshape(-1)] : [weight], attrs);
}

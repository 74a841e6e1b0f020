/**
 * F.embedding as PyTorch 1.13: rows of the weight picked by integer indices (EmbeddingBackward0). The gradient adds
 * each output row's gradient into the weight row it came from (EmbeddingDenseBackwardBackward0 when differentiated
 * again), skipping the padding index, and divided by how often an index occurs with scaleGradByFreq.
 */
import { noGrad } from "../autograd/grad_mode";
import { IndexError, RuntimeError } from "../errors";
import { type OpDef, apply, defineOp } from "../ops/op";
import { empty } from "../ops/operands";
import { writeValues } from "../ops/write";
import type { Tensor } from "../tensor";
import { recorder } from "../recorder";
import { checkFloating } from "./layer_args";

/** PyTorch raises Python's AssertionError for a padding index outside the table. */
export class AssertionError extends Error {
  override name = "AssertionError";
}

interface RowsAttrs {
  readonly indices: Tensor;
  /** Per index position, the factor its row is taken with (0 at the padding index, 1/count with scaleGradByFreq);
   * null when every factor is 1. */
  readonly factors: Float64Array | null;
  readonly numWeights: number;
}

/** out[k] = factor[k] · weight[indices[k]]. */
const gatherRowsOp: OpDef<RowsAttrs> = defineOp<RowsAttrs>({
  name: "embeddingRows",
  gradFnName: "EmbeddingBackward0",
  forward: ([weight], { indices, factors }) => {
    const dim = weight.shape[1];
    const out = empty([...indices.shape, dim], weight.dtype);
    const w = weight._data;
    const idx = indices._data;
    const o = out._data;
    for (let k = 0; k < idx.length; k++) {
      const from = idx[k] * dim;
      const f = factors ? factors[k] : 1;
      if (f === 1) o.set(w.subarray(from, from + dim), k * dim);
      else for (let j = 0; j < dim; j++) o[k * dim + j] = f * w[from + j];
    }
    return out;
  },
  backward: ({ inputs: [weight], attrs, needsInputGrad }, g) => [needsInputGrad[0] ? scatterRows(g, { ...attrs, numWeights: weight.shape[0] }) : null],
});

/** grad_weight[indices[k]] += factor[k] · g[k]. */
const scatterRowsOp: OpDef<RowsAttrs> = defineOp<RowsAttrs>({
  name: "embeddingDenseBackward",
  gradFnName: "EmbeddingDenseBackwardBackward0",
  forward: ([g], { indices, factors, numWeights }) => {
    const dim = g.shape[g.ndim - 1];
    const out = empty([numWeights, dim], g.dtype);
    const src = g._data;
    const idx = indices._data;
    const o = out._data;
    for (let k = 0; k < idx.length; k++) {
      const f = factors ? factors[k] : 1;
      if (f === 0) continue;
      const to = idx[k] * dim;
      for (let j = 0; j < dim; j++) o[to + j] += f * src[k * dim + j];
    }
    return out;
  },
  backward: ({ attrs }, gg) => [apply(gatherRowsOp, [gg], attrs)],
});

function scatterRows(g: Tensor, attrs: RowsAttrs): Tensor {
  return apply(scatterRowsOp, [g], attrs);
}

/** The factor each index position's gradient gets (null when all are 1). */
function gradientFactors(indices: Tensor, paddingIdx: number, scaleByFreq: boolean): Float64Array | null {
  const idx = indices._data;
  if (paddingIdx < 0 && !scaleByFreq) return null;
  const counts = new Map<number, number>();
  if (scaleByFreq) for (const i of idx) counts.set(i, (counts.get(i) ?? 0) + 1);
  const factors = new Float64Array(idx.length);
  for (let k = 0; k < idx.length; k++) factors[k] = idx[k] === paddingIdx ? 0 : scaleByFreq ? 1 / counts.get(idx[k])! : 1;
  return factors;
}

const embeddingOp = defineOp<{ factors: Float64Array | null; indices: Tensor }>({
  name: "embedding",
  gradFnName: "EmbeddingBackward0",
  forward: ([weight], { indices }) => gatherRowsOp.forward([weight], { indices, factors: null, numWeights: weight.shape[0] }),
  backward: ({ inputs: [weight], attrs: { indices, factors } }, g) => [scatterRows(g, { indices, factors, numWeights: weight.shape[0] })],
  notDerivative: ({ factors }) =>
    factors === null ? null : "embedding's paddingIdx or scaleGradByFreq makes its gradient differ from the derivative on purpose (PyTorch's gradcheck fails there too)",
});

/** Integer indices: int64, or a float tensor holding whole numbers (JavaScript cannot tell `arange(4)` from
 * `arange(4.0)`, as for indexing). */
export function checkIndices(indices: Tensor, numWeights: number): void {
  if (indices.dtype === "bool" || (indices.dtype !== "int64" && indices._data.some((v) => !Number.isInteger(v)))) {
    const name = { float32: "torch.FloatTensor", float64: "torch.DoubleTensor", bool: "torch.BoolTensor", int64: "torch.LongTensor" }[indices.dtype];
    throw new RuntimeError(`Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got ${name} instead (while checking arguments for embedding)`);
  }
  for (const i of indices._data) if (i < 0 || i >= numWeights) throw new IndexError("index out of range in self");
}

/** embedding_renorm_: rows the indices pick whose p-norm exceeds maxNorm are scaled down to it, in place. */
export function renorm(weight: Tensor, indices: Tensor, maxNorm: number, normType: number): void {
  noGrad(() => {
    const dim = weight.shape[1];
    const round = weight.dtype === "float32" ? Math.fround : (v: number) => v;
    const values = Float64Array.from(weight._data);
    for (const row of new Set(indices._data)) {
      let norm = 0;
      for (let j = 0; j < dim; j++) {
        const a = Math.abs(values[row * dim + j]);
        norm = normType === Infinity ? Math.max(norm, a) : norm + Math.pow(a, normType);
      }
      if (normType !== Infinity) norm = Math.pow(norm, 1 / normType);
      if (norm > maxNorm) {
        // `row *= scale`: the scale rounded to the weight's dtype, as a Scalar multiplying a float tensor is.
        const scale = round(maxNorm / (norm + 1e-7));
        for (let j = 0; j < dim; j++) values[row * dim + j] = round(values[row * dim + j] * scale);
      }
    }
    writeValues(weight, weight.dtype === "float32" ? Float32Array.from(values) : values);
    weight._bumpVersion();
    recorder.current?.onModified(weight);
  });
}

export interface EmbeddingOptions {
  /** Rows at this index get no gradient (and nn.Embedding initialises them to 0). */
  paddingIdx?: number | null;
  /** Rescale, in place, each looked-up row whose norm exceeds this. */
  maxNorm?: number | null;
  normType?: number;
  /** Divide each row's gradient by how many times its index occurs in the batch. */
  scaleGradByFreq?: boolean;
  sparse?: boolean;
}

/** torch.nn.functional.embedding: `weight[indices]` for a [numEmbeddings, dim] weight. */
export function embedding(input: Tensor, weight: Tensor, options: EmbeddingOptions = {}): Tensor {
  checkFloating(weight, "embedding");
  if (weight.ndim !== 2) throw new RuntimeError("'weight' must be 2-D");
  const rows = weight.shape[0];
  let paddingIdx = options.paddingIdx ?? -1;
  if (options.paddingIdx !== undefined && options.paddingIdx !== null) {
    if (paddingIdx > 0 && paddingIdx >= rows) throw new AssertionError("Padding_idx must be within num_embeddings");
    if (paddingIdx < 0) {
      if (paddingIdx < -rows) throw new AssertionError("Padding_idx must be within num_embeddings");
      paddingIdx = rows + paddingIdx;
    }
  }
  if (options.sparse) throw new RuntimeError("embedding: sparse gradients are not supported by Gradlens (sparse=True)");
  checkIndices(input, rows);
  if (options.maxNorm !== undefined && options.maxNorm !== null) renorm(weight, input, options.maxNorm, options.normType ?? 2);
  const factors = gradientFactors(input, paddingIdx, options.scaleGradByFreq ?? false);
  return apply(embeddingOp, [weight], { indices: input, factors });
}

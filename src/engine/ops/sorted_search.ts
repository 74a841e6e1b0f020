/**
 * Binary search into sorted sequences: searchsorted and bucketize. Their int64 (or int32-in-PyTorch, here int64)
 * results never require grad. PyTorch has no Tensor methods for them, so neither does Gradlens. The comparisons are ATen's own, so NaN lands where PyTorch puts it.
 */
import { RuntimeError } from "../errors";
import type { Tensor, TensorOrScalar } from "../tensor";
import { apply, defineOp } from "./op";
import { empty, operand } from "./operands";
import { refuse, scalarTypeName } from "./pointwise_op";

/** First index whose element is not below `v` (right: first above `v`), written as ATen's cus_lower/upper_bound. */
function bound(seq: ArrayLike<number>, start: number, end: number, v: number, right: boolean, sorter: ArrayLike<number> | null): number {
  const base = start;
  while (start < end) {
    const mid = start + ((end - start) >> 1);
    const m = seq[sorter === null ? mid : base + sorter[mid]];
    const goRight = right ? !(m > v) : !(m >= v);
    if (goRight) start = mid + 1;
    else end = mid;
  }
  return start - base;
}

interface SearchAttrs {
  right: boolean;
}

const searchsortedOp = defineOp<SearchAttrs>({
  name: "searchsorted",
  gradFnName: "SearchsortedBackward0",
  differentiable: false,
  forward: ([seq, values, sorter], { right }) => {
    const out = empty(values.shape.slice(), "int64");
    const s = seq._data;
    const v = values._data;
    const inner = seq.ndim === 0 ? 1 : seq.shape[seq.ndim - 1];
    // 1-d boundaries serve every value; otherwise each row of values has its own row of boundaries.
    const perRow = seq.ndim <= 1 ? v.length : values.ndim === 0 ? 1 : values.shape[values.ndim - 1];
    const order = sorter === undefined ? null : sorter._data;
    for (let i = 0; i < v.length; i++) {
      const start = seq.ndim <= 1 ? 0 : Math.floor(i / perRow) * inner;
      const rowSorter = order === null ? null : order.subarray(start, start + inner);
      out._data[i] = bound(s, start, start + inner, v[i], right, rowSorter);
    }
    return out;
  },
  backward: () => {
    throw new RuntimeError("derivative for aten::searchsorted is not implemented");
  },
});

export interface SearchsortedOptions {
  right?: boolean;
  side?: "left" | "right" | null;
  /** Indices that sort each row of the sequence (as argsort gives). */
  sorter?: Tensor | null;
}

const shapeText = (shape: readonly number[]) => `[${shape.join(", ")}]`;

/** torch.searchsorted: for each value, the index in the sorted innermost rows of `sortedSequence` where it would be
 * inserted keeping them sorted (the first such index, or the last with `right` / side "right"). */
export function searchsorted(sortedSequence: Tensor, values: TensorOrScalar, options: SearchsortedOptions = {}): Tensor {
  const { side = null, sorter = null } = options;
  const right = options.right ?? false;
  if (side !== null && side !== "left" && side !== "right") {
    throw new RuntimeError(`torch.searchsorted(): side can only be 'left' or 'right' but got ${String(side)}`);
  }
  if (side === "left" && right) {
    throw new RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of left while right was True");
  }
  const v = operand(values);
  for (const t of [sortedSequence, v]) if (t.dtype === "bool") refuse("searchsorted_out_cpu", t.dtype);
  if (sortedSequence.ndim === 0) throw new RuntimeError("torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 dimension");
  if (sortedSequence.ndim > 1) {
    const lead = sortedSequence.shape.slice(0, -1);
    if (v.ndim !== sortedSequence.ndim || lead.some((s, i) => s !== v.shape[i])) {
      throw new RuntimeError(
        "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries tensor and input " +
          `value tensor must match, but we got boundaries tensor ${shapeText(sortedSequence.shape)} and input value tensor ${shapeText(v.shape)}`,
      );
    }
  }
  if (sorter !== null) {
    if (sorter.dtype !== "int64") throw new RuntimeError("torch.searchsorted(): sorter must be a tensor of long dtype but got dtype " + scalarTypeName(sorter.dtype));
    if (sorter.shape.join() !== sortedSequence.shape.join()) {
      throw new RuntimeError(`torch.searchsorted(): boundary and sorter must have the same size, but got boundary tensor ${shapeText(sortedSequence.shape)}and got sorter tensor ${shapeText(sorter.shape)}`);
    }
  }
  const inputs = sorter === null ? [sortedSequence, v] : [sortedSequence, v, sorter];
  return apply(searchsortedOp, inputs, { right: right || side === "right" });
}

/** torch.bucketize: for each element of `input`, the index of its bucket among 1-d sorted `boundaries`
 * (boundaries[i-1] < x <= boundaries[i], or boundaries[i-1] <= x < boundaries[i] with `right`). */
export function bucketize(input: TensorOrScalar, boundaries: Tensor, options: { right?: boolean } = {}): Tensor {
  if (boundaries.ndim !== 1) throw new RuntimeError(`boundaries tensor must be 1 dimension, but got dim(${boundaries.ndim})`);
  const v = operand(input);
  for (const t of [boundaries, v]) if (t.dtype === "bool") refuse("bucketize_out_cpu", t.dtype);
  return apply(searchsortedOp, [boundaries, v], { right: options.right ?? false });
}

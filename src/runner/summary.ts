/** What the UI needs of a tensor's values: PyTorch's print, the values when small, and statistics. */
import { formatValues, type PrintDType } from "../engine/print";
import type { JsonNumber, ValueStats, ValueSummary } from "./trace";
import { VALUES_INLINE_LIMIT } from "./trace";

export function jsonNumber(v: number): JsonNumber {
  return Number.isNaN(v) ? "nan" : v === Infinity ? "inf" : v === -Infinity ? "-inf" : v;
}

export function stats(values: ArrayLike<number>): ValueStats {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let count = 0;
  let nanCount = 0;
  let infCount = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) nanCount++;
    else if (!Number.isFinite(v)) infCount++;
    else {
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
      count++;
    }
  }
  if (!count) return { min: null, max: null, mean: null, std: null, nanCount, infCount };
  const mean = sum / count;
  let sq = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) sq += (values[i] - mean) ** 2;
  // PyTorch's std is the unbiased one.
  return { min, max, mean, std: count > 1 ? Math.sqrt(sq / (count - 1)) : 0, nanCount, infCount };
}

/** `inlineLimit`: the most values the summary holds (fewer for a loop's earlier iteration, see TensorRecord, and for a
 * backward record's gradients, see BackwardRecord). */
export function summarize(shape: readonly number[], dtype: PrintDType, values: ArrayLike<number>, inlineLimit = VALUES_INLINE_LIMIT): ValueSummary {
  return {
    text: `tensor(${formatValues({ shape, dtype, values }, 7)})`,
    values: values.length <= inlineLimit ? Array.from(values, jsonNumber) : null,
    stats: stats(values),
  };
}

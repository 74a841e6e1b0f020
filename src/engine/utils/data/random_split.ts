/** torch.utils.data.random_split (PyTorch 1.13): disjoint random subsets of given lengths or fractions. */
import { ValueError } from "../../errors";
import { defaultGenerator, type Generator, randperm } from "../../random";
import { warn } from "../../recorder";
import { type Dataset, Subset } from "./dataset";

/** Python's math.isclose(a, b) with its default rel_tol=1e-9. */
function isClose(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

/** Splits `dataset` into subsets of the given lengths (which must add up to its length) or fractions (which must
 * add up to 1: each gets floor(fraction * length), the remainder handed out one by one from the first), drawn with
 * one randperm from `generator` (default: the global one). */
export function randomSplit<T>(dataset: Dataset<T>, lengths: readonly number[], generator: Generator = defaultGenerator): Subset<T>[] {
  let sizes = lengths.slice();
  const sum = sizes.reduce((a, b) => a + b, 0);
  if (isClose(sum, 1) && sum <= 1) {
    const n = dataset.length;
    sizes = lengths.map((frac, i) => {
      if (frac < 0 || frac > 1) throw new ValueError(`Fraction at index ${i} is not between 0 and 1`);
      return Math.floor(n * frac);
    });
    const remainder = n - sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; i < remainder; i++) sizes[i % sizes.length] += 1;
    sizes.forEach((len, i) => {
      if (len === 0) warn(`Length of split at index ${i} is 0. This might result in an empty dataset.`);
    });
  }
  if (sizes.reduce((a, b) => a + b, 0) !== dataset.length) throw new ValueError("Sum of input lengths does not equal the length of the input dataset!");
  const indices = Array.from(randperm(dataset.length, generator));
  let offset = 0;
  return sizes.map((len) => {
    const part = new Subset(dataset, indices.slice(offset, offset + len));
    offset += len;
    return part;
  });
}

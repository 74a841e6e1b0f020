/** The argument handling layers share: PyTorch's `_single`/`_pair` (a number or one per spatial dim) and checks. */
import { RuntimeError } from "../errors";
import type { Tensor } from "../tensor";

export type IntOrTuple = number | readonly number[];

/** `v` as `n` integers: a number repeated (PyTorch's `_pair(3)` is (3, 3)), or a list that must have `n` entries;
 * `wrongLength` is the caller's message (PyTorch words it differently per function). */
export function expandInts(v: IntOrTuple, n: number, name: string, where: string, wrongLength?: (list: number[]) => string): number[] {
  const list = typeof v === "number" ? new Array<number>(n).fill(v) : [...v];
  if (list.length === 1 && n > 1) return new Array<number>(n).fill(list[0]);
  if (list.length !== n) throw new RuntimeError(wrongLength ? wrongLength(list) : `${where}: ${name} must be a number or a list of ${n} numbers, but got [${list.join(", ")}]`);
  for (const x of list) {
    if (typeof x !== "number" || !Number.isInteger(x)) throw new TypeError(`${where}(): argument '${name}' must be tuple of ints, but found ${String(x)}`);
  }
  return list;
}

/** PyTorch's tuple print: `(5, 5)`, `(3,)` for one element. */
export function formatTuple(values: readonly number[]): string {
  return values.length === 1 ? `(${values[0]},)` : `(${values.join(", ")})`;
}

/** The weight's dtype must be the input's (PyTorch names the input's as the expected one). */
export function checkSameDType(input: Tensor, weight: Tensor): void {
  if (input.dtype !== weight.dtype) {
    throw new RuntimeError(`expected scalar type ${scalarName(input.dtype)} but found ${scalarName(weight.dtype)}`);
  }
}

export function scalarName(dtype: string): string {
  return { float32: "Float", float64: "Double", int64: "Long", bool: "Bool" }[dtype] ?? dtype;
}

/** Layers run on float32 and float64 only. */
export function checkFloating(t: Tensor, where: string): void {
  if (t.dtype !== "float32" && t.dtype !== "float64") {
    throw new RuntimeError(`"${where}" not implemented for '${scalarName(t.dtype)}'`);
  }
}

/**
 * torch.Size as Gradlens has it: a plain number[] (so it stays cheap and usable as an array) tagged with how Python
 * prints it, `torch.Size([2, 3])`, for `console.log(x.size())` and `${x.size()}`. The tag is non-enumerable, so
 * comparisons and JSON see a plain array.
 */
const INSPECT = Symbol.for("nodejs.util.inspect.custom");

/** Python's `str(torch.Size([...]))`. */
export function formatSize(shape: readonly number[]): string {
  return `torch.Size([${shape.join(", ")}])`;
}

function sizeText(this: number[]): string {
  return formatSize(this);
}

/** A copy of `shape` that prints as torch.Size. */
export function torchSize(shape: readonly number[]): number[] {
  const s = shape.slice();
  Object.defineProperty(s, INSPECT, { value: sizeText, enumerable: false });
  Object.defineProperty(s, "toString", { value: sizeText, enumerable: false });
  return s;
}

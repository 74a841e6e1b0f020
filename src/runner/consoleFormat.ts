/**
 * How the snippet's console prints what Python's print would print differently: a tensor's `.shape` (a plain
 * number[], kept so for speed) prints as `torch.Size([1, 6, 28, 28])`. The recorder notes every shape array it sees
 * (a WeakSet add per tensor, which holds nothing alive); the console looks its arguments up there. Tensors, named
 * tuples and `x.size()` print through their own inspect hooks already. An array of tensors (a DataLoader's batch,
 * `[x.grad, y.grad]`) prints as Python prints a list of them, `[tensor(...), tensor(...)]`, each tensor's lines as
 * its own print has them (Node's inspect would indent them again, inside brackets of its own).
 */
import { format, inspect } from "node:util";
import { formatSize } from "../engine/size";
import { Tensor } from "../engine/tensor";

const shapes = new WeakSet<readonly number[]>();

/** The recorder calls this for each tensor it sees (and each gradient a backward leaves). */
export function noteShape(shape: readonly number[]): void {
  shapes.add(shape);
}

function printable(arg: unknown): unknown {
  if (!Array.isArray(arg)) return arg;
  let text: string;
  if (shapes.has(arg)) text = formatSize(arg as number[]);
  else if (arg.length > 0 && arg.every((a) => a instanceof Tensor)) text = `[${arg.map((t) => inspect(t)).join(", ")}]`;
  else return arg;
  return { toString: () => text, [Symbol.for("nodejs.util.inspect.custom")]: () => text };
}

/** `console.log(...args)` as one line of text. */
export function formatConsoleArgs(args: readonly unknown[]): string {
  return format(...args.map(printable));
}

/** Shapes: validation, broadcasting and dimension arithmetic, with PyTorch's error messages. */

import { IndexError, RuntimeError } from "./errors";

export type Shape = readonly number[];

export function numelOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** PyTorch prints sizes as `[2, 3]` in messages. */
export function formatShape(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

export function checkShape(shape: readonly unknown[], where: string): number[] {
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (typeof d !== "number" || !Number.isInteger(d) || d < 0) {
      throw new RangeError(`${where}: every size must be a non-negative integer, but size ${i} is ${describe(d)} (in shape [${shape.map(describe).join(", ")}])`);
    }
  }
  return shape as number[];
}

function describe(v: unknown): string {
  return typeof v === "number" ? String(v) : typeof v === "string" ? JSON.stringify(v) : String(v);
}

/** Accepts `f(2, 3)`, `f([2, 3])` and `f()` for a 0-dim shape, as PyTorch's size arguments do. */
export function shapeFromArgs(args: readonly unknown[], where: string): number[] {
  const raw = args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  return checkShape(raw, where);
}

export function broadcastShapes(a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da !== db && da !== 1 && db !== 1) {
      throw new RuntimeError(`The size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton dimension ${i}`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Wraps a negative dim and checks its range, as PyTorch's maybe_wrap_dim does. */
export function normalizeDim(dim: number, ndim: number): number {
  const rank = Math.max(ndim, 1); // a 0-dim tensor accepts dims -1 and 0
  if (!Number.isInteger(dim)) throw new TypeError(`dim must be an integer, but got ${dim}`);
  if (dim < -rank || dim >= rank) {
    throw new IndexError(`Dimension out of range (expected to be in range of [${-rank}, ${rank - 1}], but got ${dim})`);
  }
  return dim < 0 ? dim + rank : dim;
}

/** Row-major strides of `shape` laid against `outShape` from the right, with 0 where `shape` broadcasts. */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const strides = contiguousStrides(shape);
  const out = new Array<number>(outShape.length).fill(0);
  const offset = outShape.length - shape.length;
  for (let i = 0; i < shape.length; i++) out[i + offset] = shape[i] === 1 ? 0 : strides[i];
  return out;
}

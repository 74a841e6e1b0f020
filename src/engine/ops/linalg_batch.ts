/**
 * What the torch.linalg ops share: PyTorch's checks of their input (rank, squareness, dtype) with its messages, the
 * walk over a batch of matrices in float64, and results as PyTorch's named tuples (`torch.return_types.linalg_qr`).
 */
import { type DType, allocate, isFloating } from "../dtype";
import { RuntimeError } from "../errors";
import { Tensor } from "../tensor";

const TYPE_NAMES: Record<DType, string> = { float32: "Float", float64: "Double", int64: "Long", bool: "Bool" };

export function typeName(dtype: DType): string {
  return TYPE_NAMES[dtype];
}

/** torch.linalg.LinAlgError: a matrix the factorisation cannot handle (singular, not positive-definite). A
 * RuntimeError, as PyTorch's is. */
export class LinAlgError extends RuntimeError {
  override name = "LinAlgError";
}

/** PyTorch's checkFloatingOrComplex. */
export function checkFloating(t: Tensor, fn: string, what = "input"): void {
  if (!isFloating(t.dtype)) throw new RuntimeError(`${fn}: Expected a floating point or complex tensor as ${what}. Got ${typeName(t.dtype)}`);
}

/** PyTorch's checkIsMatrix: at least two dims. */
export function checkMatrix(t: Tensor, fn: string, name = "A"): void {
  if (t.ndim < 2) throw new RuntimeError(`${fn}: The input tensor ${name} must have at least 2 dimensions.`);
}

/** PyTorch's squareCheckInputs. */
export function checkSquare(t: Tensor, fn: string, name = "A"): void {
  checkMatrix(t, fn, name);
  const [m, n] = t.shape.slice(-2);
  if (m !== n) throw new RuntimeError(`${fn}: ${name} must be batches of square matrices, but they are ${m} by ${n} matrices`);
}

export function batchOf(t: Tensor): { batch: number[]; count: number; rows: number; cols: number } {
  const batch = t.shape.slice(0, -2);
  return { batch, count: batch.reduce((a, b) => a * b, 1), rows: t.shape[t.ndim - 2], cols: t.shape[t.ndim - 1] };
}

/** Each matrix of a batch as float64 values, row-major. */
export function matricesOf(t: Tensor): Float64Array[] {
  const { count, rows, cols } = batchOf(t);
  const data = t._data;
  const size = rows * cols;
  return Array.from({ length: count }, (_, b) => Float64Array.from(data.subarray(b * size, (b + 1) * size)));
}

/** A tensor of `shape` and `dtype` made of float64 pieces laid end to end (rounded to the dtype once). */
export function fromPieces(shape: number[], dtype: DType, pieces: ArrayLike<number>[]): Tensor {
  const total = shape.reduce((a, b) => a * b, 1);
  const data = allocate(dtype, total);
  let at = 0;
  for (const p of pieces) {
    for (let i = 0; i < p.length; i++) data[at + i] = p[i];
    at += p.length;
  }
  return Tensor.fromData(data, shape, dtype);
}

/** A direction of change for a batch of symmetric matrices: (U + Uᵀ)/2 of each (the numerical check of an op that
 * assumes its input symmetric moves it only that way). */
export function symmetricDirection(u: Float64Array, input: Tensor): Float64Array {
  const n = input.shape[input.ndim - 1];
  const out = new Float64Array(u.length);
  for (let at = 0; at < u.length; at += n * n) {
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[at + i * n + j] = (u[at + i * n + j] + u[at + j * n + i]) / 2;
  }
  return out;
}

/** PyTorch's prefix for an error in one matrix of a batch: "(Batch element 2): ". */
export function batchPrefix(t: Tensor, b: number): string {
  return t.ndim > 2 ? `(Batch element ${b}): ` : "";
}

/** A named tuple of torch.return_types: fields by name (`r.Q`) and by position (`r[0]`), destructurable in order
 * (`const [Q, R] = r`), printed as PyTorch prints it. */
export class ReturnTuple {
  declare readonly length: number;
  declare private readonly typeName: string;
  declare private readonly fields: ReadonlyArray<[string, Tensor]>;

  constructor(typeName: string, fields: ReadonlyArray<[string, Tensor]>) {
    // Only the named fields are enumerable, as a named tuple's keys.
    Object.defineProperty(this, "typeName", { value: typeName });
    Object.defineProperty(this, "fields", { value: fields });
    Object.defineProperty(this, "length", { value: fields.length });
    fields.forEach(([name, t], i) => {
      Object.defineProperty(this, name, { value: t, enumerable: true });
      Object.defineProperty(this, i, { value: t });
    });
  }

  *[Symbol.iterator](): IterableIterator<Tensor> {
    for (const [, t] of this.fields) yield t;
  }

  toString(): string {
    // Each tensor keeps its own print, continuation lines and all, as Python's structseq repr shows it.
    const lines = this.fields.map(([name, t]) => `${name}=${t.toString()}`);
    return `torch.return_types.${this.typeName}(\n${lines.join(",\n")})`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

export class QRResult extends ReturnTuple {
  declare readonly 0: Tensor;
  declare readonly 1: Tensor;
  declare readonly Q: Tensor;
  declare readonly R: Tensor;
}

export class EighResult extends ReturnTuple {
  declare readonly 0: Tensor;
  declare readonly 1: Tensor;
  declare readonly eigenvalues: Tensor;
  declare readonly eigenvectors: Tensor;
}

export class SVDResult extends ReturnTuple {
  declare readonly 0: Tensor;
  declare readonly 1: Tensor;
  declare readonly 2: Tensor;
  declare readonly U: Tensor;
  declare readonly S: Tensor;
  declare readonly Vh: Tensor;
}

export class TorchSVDResult extends ReturnTuple {
  declare readonly 0: Tensor;
  declare readonly 1: Tensor;
  declare readonly 2: Tensor;
  declare readonly U: Tensor;
  declare readonly S: Tensor;
  declare readonly V: Tensor;
}

export class SlogdetResult extends ReturnTuple {
  declare readonly 0: Tensor;
  declare readonly 1: Tensor;
  declare readonly sign: Tensor;
  declare readonly logabsdet: Tensor;
}

/**
 * Finite differences and the trapezoid rule: diff, trapezoid (trapz), cumulative_trapezoid. Each is composed of other
 * ops exactly as ATen composes it (narrow and sub; slices, sums and the Scalar overloads of mul and div), so the graph
 * has PyTorch's nodes (SubBackward0, MulBackward1, DivBackward1, CumsumBackward0) and their gradients.
 */
import { zeros, zerosLike } from "../create";
import { RuntimeError } from "../errors";
import { normalizeDim } from "../shape";
import { Tensor, addMethods } from "../tensor";
import { cat } from "./join";
import { divScalar, mulScalar } from "./scalar_overloads";

export interface DiffOptions {
  n?: number;
  dim?: number;
  prepend?: Tensor | null;
  append?: Tensor | null;
}

function checkJoinable(t: Tensor, other: Tensor, dim: number): void {
  if (other.ndim !== t.ndim) throw new RuntimeError("diff expects prepend or append to be the same dimension as input");
  t.shape.forEach((s, i) => {
    if (i !== dim && other.shape[i] !== s) {
      throw new RuntimeError(
        "diff expects the shape of tensor to prepend or append to match that of input except along the differencing dimension; " +
          `input.size(${i}) = ${s}, but got tensor.size(${i}) = ${other.shape[i]}`,
      );
    }
  });
}

/** torch.diff: the n-th forward difference along dim (x[i+1] − x[i], logical xor for bools), after joining
 * `prepend` and `append` to the input along dim. */
export function diff(t: Tensor, options: DiffOptions = {}): Tensor {
  const n = options.n ?? 1;
  if (t.ndim === 0) throw new RuntimeError("diff expects input to be at least one-dimensional");
  if (!Number.isInteger(n)) throw new TypeError(`diff(): n must be an integer, but got ${n}`);
  const dim = normalizeDim(options.dim ?? -1, t.ndim);
  const prepend = options.prepend ?? null;
  const append = options.append ?? null;
  for (const other of [prepend, append]) if (other !== null) checkJoinable(t, other, dim);
  if (n === 0) return zerosLike(t).copy_(t);
  let result = prepend === null && append === null ? t : cat([prepend, t, append].filter((p): p is Tensor => p !== null), dim);
  // 1.13 returns the input itself for a negative order, and stops once the length along dim reaches zero.
  const steps = Math.min(n, result.shape[dim]);
  let length = result.shape[dim] - 1;
  for (let k = 0; k < steps; k++, length--) {
    const later = result.narrow(dim, 1, length);
    const earlier = result.narrow(dim, 0, length);
    result = result.dtype === "bool" ? later.logicalXor(earlier) : later.sub(earlier);
  }
  return result;
}

export interface TrapezoidOptions {
  /** The spacing of the samples when no `x` is given (1 by default). */
  dx?: number;
  dim?: number;
}

/** All but the first (later) or the last (earlier) element along dim: ATen's slice(dim, 1) and slice(dim, 0, -1). */
function later(t: Tensor, dim: number): Tensor {
  const size = t.shape[dim];
  return t.narrow(dim, Math.min(1, size), Math.max(size - 1, 0));
}

function earlier(t: Tensor, dim: number): Tensor {
  return t.narrow(dim, 0, Math.max(t.shape[dim] - 1, 0));
}

/** x as ATen views it against y: a 1-d x lies along dim; a shorter x gets leading ones. */
function alignX(x: Tensor, y: Tensor, dim: number, where: string): Tensor {
  if (x.ndim === 1) {
    if (x.shape[0] !== y.shape[dim]) throw new RuntimeError(`${where}: There must be one \`x\` value for each sample point`);
    return x.view(y.shape.map((s, i) => (i === dim ? s : 1)));
  }
  if (x.ndim < y.ndim) return x.view([...new Array<number>(y.ndim - x.ndim).fill(1), ...x.shape]);
  return x;
}

function sampleSpacing(x: Tensor, y: Tensor, dim: number, where: string): Tensor {
  const aligned = alignX(x, y, dim, where);
  return later(aligned, dim).sub(earlier(aligned, dim));
}

function parseTrapezoidArgs(where: string, y: Tensor, xOrOptions: Tensor | TrapezoidOptions | null | undefined, options: TrapezoidOptions) {
  const x = xOrOptions instanceof Tensor ? xOrOptions : null;
  const opts = xOrOptions instanceof Tensor || xOrOptions === null || xOrOptions === undefined ? options : xOrOptions;
  if (x !== null && opts.dx !== undefined) throw new TypeError(`${where}(): takes either x or dx, not both`);
  const dim = normalizeDim(opts.dim ?? -1, y.ndim);
  if (y.dtype === "bool" || x?.dtype === "bool") {
    throw new RuntimeError(`${where}: received a bool input for ${x === null ? "`y`" : "`x` or `y`"}, but bool is not supported`);
  }
  return { x, dx: opts.dx ?? 1, dim };
}

/** torch.trapezoid(y, x?, {dx, dim}): the trapezoid rule along dim, with sample points x or a constant spacing dx. */
export function trapezoid(y: Tensor, x?: Tensor | TrapezoidOptions | null, options: TrapezoidOptions = {}): Tensor {
  const dim = normalizeDim((x instanceof Tensor || !x ? options : x).dim ?? -1, y.ndim);
  // No samples integrate to 0, as in NumPy.
  if (y.ndim > 0 && y.shape[dim] === 0) return zeros(y.shape.filter((_, i) => i !== dim), { dtype: y.dtype });
  const args = parseTrapezoidArgs("trapezoid", y, x, options);
  if (args.x !== null) {
    const dxs = sampleSpacing(args.x, y, dim, "trapezoid");
    return divScalar(earlier(y, dim).add(later(y, dim)).mul(dxs).sum(dim), 2);
  }
  const ends = mulScalar(y.select(dim, 0).add(y.select(dim, -1)), 0.5);
  return mulScalar(y.sum(dim).sub(ends), args.dx);
}

/** torch.trapz: trapezoid's older name. */
export const trapz = trapezoid;

/** torch.cumulative_trapezoid(y, x?, {dx, dim}): the running trapezoid-rule integral along dim (one element shorter). */
export function cumulativeTrapezoid(y: Tensor, x?: Tensor | TrapezoidOptions | null, options: TrapezoidOptions = {}): Tensor {
  const args = parseTrapezoidArgs("cumulative_trapezoid", y, x, options);
  const { dim } = args;
  const pairs = earlier(y, dim).add(later(y, dim));
  if (args.x !== null) return divScalar(pairs.mul(sampleSpacing(args.x, y, dim, "cumulative_trapezoid")).cumsum(dim), 2);
  return mulScalar(pairs, args.dx / 2).cumsum(dim);
}

declare module "../tensor" {
  interface Tensor {
    /** PyTorch's `diff`: the n-th forward difference along dim. */
    diff(options?: DiffOptions): Tensor;
  }
}

addMethods({
  diff(this: Tensor, options?: DiffOptions) {
    return diff(this, options);
  },
});

/**
 * Inverses, determinants and linear solves, as torch.linalg has them: linalg.inv (LinalgInvExBackward0), det
 * (LinalgDetBackward0), slogdet (LinalgSlogdetBackward0, two outputs), logdet, solve (LinalgSolveExBackward0),
 * solve_triangular and cholesky. Forwards factor each matrix in float64 (LU with partial pivoting, Cholesky);
 * backwards are derivatives.yaml's formulas at v1.13.0 written with differentiable ops, so a second derivative works,
 * and like PyTorch's they take another path when no graph of the gradient is wanted (det's then perturbs LU's zero
 * pivots, which is why PyTorch 1.13 gives an exactly singular matrix a zero gradient there).
 */
import { isGradEnabled } from "../autograd/grad_mode";
import type { DType } from "../dtype";
import { RuntimeError } from "../errors";
import { broadcastShapes, sameShape } from "../shape";
import type { Tensor } from "../tensor";
import { type LU, cholesky as choleskyKernel, luDeterminant, luFactor, luSolve, triangularSolve } from "./linalg_kernels";
import { LinAlgError, SlogdetResult, batchOf, batchPrefix, checkFloating, checkMatrix, checkSquare, fromPieces, matricesOf, symmetricDirection, typeName } from "./linalg_batch";
import { where } from "./masked";
import { type OpDef, apply, applyMulti, defineMultiOp, defineOp } from "./op";
import { diagEmbed, tril, triu } from "./triangular";
import { expandAlways } from "./views";
import { stack } from "./join";
// det's gradient at a singular matrix goes through the SVD (the two modules import each other; only at call time).
import { svd } from "./linalg_decompositions";

const EPS: Record<string, number> = { float32: 1.1920928955078125e-7, float64: 2.220446049250313e-16 };

function epsOf(dtype: DType): number {
  return EPS[dtype] ?? EPS.float64;
}

function eye(n: number): Float64Array {
  const e = new Float64Array(n * n);
  for (let i = 0; i < n; i++) e[i * n + i] = 1;
  return e;
}

function transposed(x: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = x[i * cols + j];
  return t;
}

// ---- inv ----

const invOp = defineOp({
  name: "linalgInv",
  gradFnName: "LinalgInvExBackward0",
  forward: ([a]) => {
    const { rows: n } = batchOf(a);
    const pieces = matricesOf(a).map((m, b) => {
      const lu = luFactor(m, n);
      if (lu.zeroPivot) {
        throw new LinAlgError(`linalg.inv: ${batchPrefix(a, b)}The diagonal element ${lu.zeroPivot} is zero, the inversion could not be completed because the input matrix is singular.`);
      }
      return luSolve(lu, n, eye(n), n);
    });
    return fromPieces(a.shape.slice(), a.dtype, pieces);
  },
  // d(A⁻¹) = −A⁻¹ dA A⁻¹, so gA = −A⁻ᵀ g A⁻ᵀ.
  backward: ({ output: inv }, g) => [inv.mT.matmul(g.matmul(inv.mT)).neg()],
  saves: { output: true },
});

/** torch.linalg.inv (and torch.inverse). */
export function inv(a: Tensor): Tensor {
  checkSquare(a, "linalg.inv");
  checkFloating(a, "linalg.inv");
  return apply(invOp, [a], undefined);
}

// ---- det, slogdet, logdet ----

function lusOf(a: Tensor): LU[] {
  const n = a.shape[a.ndim - 1];
  return matricesOf(a).map((m) => luFactor(m, n));
}

/** Aᵀ X = D for each matrix, from its LU with exact zero pivots replaced by eps (PyTorch's gradient without a graph). */
function adjointSolveNumeric(a: Tensor, diagonal: Tensor): Tensor {
  const n = a.shape[a.ndim - 1];
  const eps = epsOf(a.dtype);
  const d = diagonal._data;
  const pieces = lusOf(a).map((lu, b) => {
    for (let k = 0; k < n; k++) if (lu.lu[k * n + k] === 0) lu.lu[k * n + k] = eps;
    const rhs = eye(n).map((v) => v * d[b]);
    return luSolve(lu, n, rhs, n, true);
  });
  return fromPieces(a.shape.slice(), a.dtype, pieces);
}

/** The product of every S except S_i, for each i (the gradient of prod(S) without dividing by a zero S_i). */
function productsOfOthers(s: Tensor): Tensor {
  const n = s.shape[s.ndim - 1];
  const terms = Array.from({ length: n }, (_, i) => {
    let p: Tensor | null = null;
    for (let j = 0; j < n; j++) if (j !== i) p = p ? p.mul(s.select(-1, j)) : s.select(-1, j);
    return p ?? s.select(-1, i).mul(0).add(1);
  });
  return stack(terms, -1);
}

const detOp = defineOp({
  name: "linalgDet",
  gradFnName: "LinalgDetBackward0",
  forward: ([a]) => {
    const n = a.shape[a.ndim - 1];
    return fromPieces(a.shape.slice(0, -2), a.dtype, lusOf(a).map((lu) => [luDeterminant(lu, n)]));
  },
  backward: ({ inputs: [a], output: det }, g) => {
    if (a.numel() === 0) return [a.mul(0)];
    const scale = g.mul(det);
    if (!isGradEnabled()) return [adjointSolveNumeric(a, scale)];
    // With a graph of the gradient wanted: A⁻ᵀ·(g·det) by a solve, or, for a (nearly) singular matrix, the adjugate
    // through the SVD: det U · det Vh · U diag(∏_{j≠i} s_j) Vh (PyTorch's two formulas).
    const n = a.shape[a.ndim - 1];
    const nonsingular = det.abs().ge(100 * epsOf(a.dtype));
    if (nonsingular._data.every((v) => v !== 0)) {
      return [solve(a.mT, diagEmbed(scale.unsqueeze(-1).expand([...scale.shape, n])))];
    }
    const [u, s, vh] = svd(a, { fullMatrices: true });
    const alpha = det_(u).mul(det_(vh)).mul(g);
    const d = productsOfOthers(s).mul(alpha.unsqueeze(-1));
    return [u.mul(d.unsqueeze(-2)).matmul(vh)];
  },
  saves: { inputs: [0], output: true },
});

function det_(a: Tensor): Tensor {
  return apply(detOp, [a], undefined);
}

/** torch.linalg.det (and torch.det). */
export function det(a: Tensor): Tensor {
  checkSquare(a, "linalg.det");
  checkFloating(a, "linalg.det");
  return det_(a);
}

const slogdetOp = defineMultiOp({
  name: "linalgSlogdet",
  gradFnName: "LinalgSlogdetBackward0",
  forward: ([a]) => {
    const n = a.shape[a.ndim - 1];
    const dets = lusOf(a).map((lu) => luDeterminant(lu, n));
    // The log of |det| from the pivots, so that a large matrix's determinant need not be representable.
    const logs = lusOf(a).map((lu) => {
      let s = 0;
      for (let k = 0; k < n; k++) s += Math.log(Math.abs(lu.lu[k * n + k]));
      return s;
    });
    const shape = a.shape.slice(0, -2);
    return [fromPieces(shape, a.dtype, dets.map((d) => [Math.sign(d)])), fromPieces(shape, a.dtype, logs.map((l) => [l]))];
  },
  // Only logabsdet has a gradient for real input: g·A⁻ᵀ.
  backward: ({ inputs: [a] }, [, g]) => {
    if (!g) return [null];
    const n = a.shape[a.ndim - 1];
    if (!isGradEnabled()) return [adjointSolveNumeric(a, g)];
    return [solve(a.mT, diagEmbed(g.unsqueeze(-1).expand([...g.shape, n])))];
  },
  saves: { inputs: [0] },
});

/** torch.linalg.slogdet: (sign, log|det|). */
export function slogdet(a: Tensor): SlogdetResult {
  return slogdetNamed(a, "linalg_slogdet");
}

/** torch.slogdet and Tensor.slogdet: the same, printed as torch.return_types.slogdet. */
export function torchSlogdet(a: Tensor): SlogdetResult {
  return slogdetNamed(a, "slogdet");
}

function slogdetNamed(a: Tensor, typeName: string): SlogdetResult {
  checkSquare(a, "linalg.slogdet");
  checkFloating(a, "linalg.slogdet");
  const [sign, logabsdet] = applyMulti(slogdetOp, [a], undefined);
  return new SlogdetResult(typeName, [["sign", sign], ["logabsdet", logabsdet]]);
}

/** torch.logdet: log det A, NaN where det A < 0 (ATen: where(sign == −1, nan, logabsdet)). */
export function logdet(a: Tensor): Tensor {
  checkSquare(a, "logdet");
  checkFloating(a, "logdet");
  const [sign, logabsdet] = applyMulti(slogdetOp, [a], undefined);
  return where(sign.eq(-1), NaN, logabsdet);
}

// ---- solve ----

interface SolveAttrs {
  left: boolean;
  vector: boolean;
}

/** PyTorch's linalg_solve_is_vector_rhs: B is a vector (or a batch of them) rather than a matrix. */
function isVectorRhs(a: Tensor, b: Tensor): boolean {
  return b.ndim === 1 || (a.ndim - 1 === b.ndim && sameShape(b.shape, a.shape.slice(0, -1)));
}

const solveOp = defineOp<SolveAttrs>({
  name: "linalgSolve",
  gradFnName: "LinalgSolveExBackward0",
  forward: ([a, b0], { left, vector }) => {
    const n = a.shape[a.ndim - 1];
    const b = vector ? b0.unsqueeze(-1) : b0;
    const k = left ? b.shape[b.ndim - 1] : b.shape[b.ndim - 2];
    const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
    const as = matricesOf(expandAlways(a, [...batch, n, n]));
    const bs = matricesOf(expandAlways(b, [...batch, ...b.shape.slice(-2)]));
    const pieces = as.map((m, i) => {
      const lu = luFactor(m, n);
      if (lu.zeroPivot) {
        throw new LinAlgError(`torch.linalg.solve: ${batch.length ? `(Batch element ${i}): ` : ""}The solver failed because the input matrix is singular.`);
      }
      // X A = B is Aᵀ Xᵀ = Bᵀ.
      return left ? luSolve(lu, n, bs[i], k) : transposed(luSolve(lu, n, transposed(bs[i], k, n), k, true), n, k);
    });
    const shape = vector ? [...batch, n] : [...batch, ...(left ? [n, k] : [k, n])];
    return fromPieces(shape, a.dtype, pieces);
  },
  backward: ({ inputs: [a], output: x, attrs: { left, vector }, needsInputGrad: [da, db] }, g) => {
    // gB = A⁻ᴴ gX (a solve with Aᵀ), gA = −gB Xᴴ (or −Xᴴ gB for X A = B).
    const gm = vector ? g.unsqueeze(-1) : g;
    const gB = solveMatrix(a.mT, gm, left);
    const xm = vector ? x.unsqueeze(-1) : x;
    const gA = da ? (left ? gB.matmul(xm.mT) : xm.mT.matmul(gB)).neg() : null;
    return [gA, db ? (vector ? gB.squeeze(-1) : gB) : null];
  },
  saves: { inputs: [0], output: true },
});

function solveMatrix(a: Tensor, b: Tensor, left: boolean): Tensor {
  return apply(solveOp, [a, b], { left, vector: false });
}

export interface SolveOptions {
  /** Solve A X = B (true, the default) or X A = B. */
  left?: boolean;
}

/** torch.linalg.solve(A, B): X with A X = B (B a matrix, a vector, or batches of either; batch dims broadcast). */
export function solve(a: Tensor, b: Tensor, options: SolveOptions = {}): Tensor {
  const left = options.left ?? true;
  checkFloating(a, "linalg.solve");
  checkSquare(a, "linalg.solve");
  if (a.dtype !== b.dtype) throw new RuntimeError(`linalg.solve: Expected A and B to have the same dtype, but found A of type ${typeName(a.dtype)} and B of type ${typeName(b.dtype)} instead`);
  const vector = left && isVectorRhs(a, b);
  const bm = vector ? b.unsqueeze(-1) : b;
  const n = a.shape[a.ndim - 1];
  if (bm.ndim < 2 || (left ? bm.shape[bm.ndim - 2] : bm.shape[bm.ndim - 1]) !== n) {
    const [r, c] = bm.ndim < 2 ? [bm.shape[0] ?? 1, 1] : bm.shape.slice(-2);
    throw new RuntimeError(`linalg.solve: Incompatible shapes of A and B for the equation ${left ? "AX = B" : "XA = B"} (${n}x${n} and ${r}x${c})`);
  }
  broadcastShapes(a.shape.slice(0, -2), bm.shape.slice(0, -2));
  return apply(solveOp, [a, b], { left, vector });
}

// ---- solve_triangular ----

interface TriangularAttrs {
  upper: boolean;
  left: boolean;
  unitriangular: boolean;
}

const solveTriangularOp: OpDef<TriangularAttrs> = defineOp<TriangularAttrs>({
  name: "linalgSolveTriangular",
  gradFnName: "LinalgSolveTriangularBackward0",
  forward: ([a, b], { upper, left, unitriangular }) => {
    const n = a.shape[a.ndim - 1];
    const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
    const [r, c] = b.shape.slice(-2);
    const as = matricesOf(expandAlways(a, [...batch, n, n]));
    const bs = matricesOf(expandAlways(b, [...batch, r, c]));
    const pieces = as.map((m, i) =>
      left ? triangularSolve(m, n, bs[i], c, upper, unitriangular) : transposed(triangularSolve(transposed(m, n, n), n, transposed(bs[i], r, c), r, !upper, unitriangular), c, r),
    );
    return fromPieces([...batch, r, c], a.dtype, pieces);
  },
  backward: ({ inputs: [a], output: x, attrs: { upper, left, unitriangular }, needsInputGrad: [da, db] }, g) => {
    const gB = apply(solveTriangularOp, [a.mT, g], { upper: !upper, left, unitriangular });
    let gA: Tensor | null = null;
    if (da) {
      const full = (left ? gB.matmul(x.mT) : x.mT.matmul(gB)).neg();
      gA = upper ? triu(full, unitriangular ? 1 : 0) : tril(full, unitriangular ? -1 : 0);
    }
    return [gA, db ? gB : null];
  },
  saves: { inputs: [0], output: true },
});

export interface SolveTriangularOptions {
  upper: boolean;
  left?: boolean;
  unitriangular?: boolean;
}

/** torch.linalg.solve_triangular(A, B, *, upper, left=True, unitriangular=False). */
export function solveTriangular(a: Tensor, b: Tensor, options: SolveTriangularOptions): Tensor {
  if (typeof options?.upper !== "boolean") throw new TypeError("linalg.solve_triangular() missing required keyword argument 'upper'");
  checkMatrix(a, "linalg.solve_triangular");
  checkMatrix(b, "linalg.solve_triangular", "B");
  checkSquare(a, "linalg.solve_triangular");
  checkFloating(a, "linalg.solve_triangular");
  const left = options.left ?? true;
  const n = a.shape[a.ndim - 1];
  const [r, c] = b.shape.slice(-2);
  if ((left ? r : c) !== n) {
    throw new RuntimeError(`linalg.solve_triangular: Incompatible shapes of A and B for the equation ${left ? "AX = B" : "XA = B"} (${n}x${n} and ${r}x${c})`);
  }
  return apply(solveTriangularOp, [a, b], { upper: options.upper, left, unitriangular: options.unitriangular ?? false });
}

// ---- cholesky ----

const choleskyOp = defineOp<boolean>({
  name: "linalgCholesky",
  gradFnName: "LinalgCholeskyExBackward0",
  forward: ([a], upper) => {
    const n = a.shape[a.ndim - 1];
    const pieces = matricesOf(a).map((m, b) => {
      const { l, failedAt } = choleskyKernel(m, n);
      if (failedAt) {
        throw new LinAlgError(`linalg.cholesky: ${batchPrefix(a, b)}The factorization could not be completed because the input is not positive-definite (the leading minor of order ${failedAt} is not positive-definite).`);
      }
      return upper ? transposed(l, n, n) : l;
    });
    return fromPieces(a.shape.slice(), a.dtype, pieces);
  },
  // Murray (2016): gA = L⁻ᴴ Φ(Lᴴ gL) L⁻¹ with Φ the lower triangle, its diagonal halved, symmetrised.
  backward: ({ output, attrs: upper }, g) => {
    const l = upper ? output.mT : output;
    const gl = upper ? g.mT : g;
    let ga = tril(l.mT.matmul(gl));
    ga = ga.add(tril(ga, -1).mT).mul(0.5);
    ga = solveTriangular(l.mT, ga, { upper: true, left: true });
    return [solveTriangular(l, ga, { upper: false, left: false })];
  },
  saves: { output: true },
  checkDirection: symmetricDirection,
});

export interface CholeskyOptions {
  /** Return U = Lᴴ instead of L. */
  upper?: boolean;
}

/** torch.linalg.cholesky: L with A = L Lᴴ (only A's lower triangle is read). */
export function cholesky(a: Tensor, options: CholeskyOptions = {}): Tensor {
  checkSquare(a, "linalg.cholesky");
  checkFloating(a, "linalg.cholesky");
  return apply(choleskyOp, [a], options.upper ?? false);
}

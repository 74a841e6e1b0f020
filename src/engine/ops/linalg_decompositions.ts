/**
 * The decompositions of torch.linalg: qr (LinalgQrBackward0), eigh / eigvalsh (LinalgEighBackward0), svd / svdvals
 * (LinalgSvdBackward0) and pinv (LinalgPinvBackward0), computed in float64 (linalg_kernels.ts), with the gradients of
 * derivatives.yaml at v1.13.0 (linalg_qr_backward, linalg_eig_backward for Hermitian input, svd_backward,
 * pinv_backward) written with differentiable ops.
 *
 * Q and R are LAPACK's (Householder reflectors with its signs). Eigenvectors and singular vectors are unique only up to
 * sign; LAPACK's iterations fix one sign, this Jacobi method another: here each eigenvector's (each U column's) largest
 * component is positive. Gradients of functions that do not depend on that sign are the same.
 */
import { RuntimeError } from "../errors";
import type { DType } from "../dtype";
import type { Tensor } from "../tensor";
import { householderQr, svd as svdKernel, symmetricEigen } from "./linalg_kernels";
import { EighResult, QRResult, SVDResult, TorchSVDResult, batchOf, checkFloating, checkMatrix, checkSquare, fromPieces, matricesOf, symmetricDirection } from "./linalg_batch";
import { cat } from "./join";
import { apply, applyMulti, defineMultiOp, defineOp } from "./op";
import { diagEmbed, triu } from "./triangular";
import { solveTriangular } from "./linalg_solve";

function identity(n: number, dtype: DType): Tensor {
  const e = fromPieces([n, n], dtype, []);
  for (let i = 0; i < n; i++) e._data[i * n + i] = 1;
  return e;
}

// ---- qr ----

export type QRMode = "reduced" | "complete" | "r";

const qrOp = defineMultiOp<QRMode>({
  name: "linalgQr",
  gradFnName: "LinalgQrBackward0",
  forward: ([a], mode) => {
    const { batch, rows: m, cols: n } = batchOf(a);
    const k = Math.min(m, n);
    const complete = mode === "complete";
    const results = matricesOf(a).map((x) => householderQr(x, m, n, complete));
    const rRows = complete ? m : k;
    const r = fromPieces([...batch, rRows, n], a.dtype, results.map((x) => x.r));
    const q = mode === "r" ? fromPieces([0], a.dtype, []) : fromPieces([...batch, m, complete ? m : k], a.dtype, results.map((x) => x.q));
    return [q, r];
  },
  backward: ({ outputs: [q, r], attrs: mode }, [gQ, gR]) => {
    if (mode === "r") {
      throw new RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please use linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr.");
    }
    const m = q.shape[q.ndim - 2];
    const n = r.shape[r.ndim - 1];
    if (mode === "complete" && m > n) throw new RuntimeError("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.");
    if (!gQ && !gR) return [null];
    let gA = gQ ? (gR ? gR.matmul(r.mT).sub(q.mT.matmul(gQ)) : q.mT.matmul(gQ).neg()) : gR!.matmul(r.mT);
    if (m >= n) {
      const t = triu(gA);
      // syminvadj: X + Xᴴ with the diagonal halved.
      gA = q.matmul(t.add(t.mT).sub(diagEmbed(t.diagonal(0, -2, -1))));
      if (gQ) gA = gA.add(gQ);
      return [solveTriangular(r.mT, gA, { upper: false, left: false })];
    }
    const neg = gA.neg();
    gA = q.matmul(neg.sub(neg.mT).tril());
    gA = solveTriangular(r.narrow(-1, 0, m).mT, gA, { upper: false, left: false });
    gA = cat([gA, gA.mul(0).narrow(-1, 0, 1).expand([...gA.shape.slice(0, -1), n - m]).contiguous()], -1);
    return [gR ? gA.add(q.matmul(gR)) : gA];
  },
  saves: { output: true },
});

/** torch.linalg.qr(A, mode="reduced"): Q with orthonormal columns and upper-triangular R, A = QR. */
export function qr(a: Tensor, mode: QRMode = "reduced"): QRResult {
  checkMatrix(a, "linalg.qr");
  if (mode !== "reduced" && mode !== "complete" && mode !== "r") {
    throw new RuntimeError(`qr received unrecognized mode '${String(mode)}' but expected one of 'reduced' (default), 'r', or 'complete'`);
  }
  checkFloating(a, "linalg.qr");
  const [q, r] = applyMulti(qrOp, [a], mode);
  return new QRResult("linalg_qr", [["Q", q], ["R", r]]);
}

// ---- eigh ----

export type UPLO = "L" | "U";

const eighOp = defineMultiOp<UPLO>({
  name: "linalgEigh",
  gradFnName: "LinalgEighBackward0",
  forward: ([a], uplo) => {
    const { batch, rows: n } = batchOf(a);
    const results = matricesOf(uplo === "L" ? a : a.mT.contiguous()).map((x) => symmetricEigen(x, n));
    return [fromPieces([...batch, n], a.dtype, results.map((r) => r.values)), fromPieces([...batch, n, n], a.dtype, results.map((r) => r.vectors))];
  },
  backward: ({ outputs: [values, vectors] }, [gL, gV]) => {
    if (!gL && !gV) return [null];
    if (!gV) return [vectors.mul(gL!.unsqueeze(-2)).matmul(vectors.mT)];
    // gA = V (skew(Vᴴ gV)/2 / E + diag(gL)) Vᴴ with E_ij = λ_j − λ_i off the diagonal.
    const n = values.shape[values.ndim - 1];
    let vhgv = vectors.mT.matmul(gV);
    vhgv = vhgv.sub(vhgv.mT).mul(0.5);
    const e = values.unsqueeze(-2).sub(values.unsqueeze(-1)).add(identity(n, values.dtype));
    let inner = vhgv.div(e);
    if (gL) inner = inner.add(diagEmbed(gL));
    return [vectors.matmul(inner.matmul(vectors.mT))];
  },
  saves: { output: true },
  checkDirection: symmetricDirection,
});

function checkUplo(uplo: string): UPLO {
  if (uplo !== "L" && uplo !== "U") throw new RuntimeError(`Expected UPLO argument to be 'L' or 'U', but got ${uplo}`);
  return uplo;
}

/** torch.linalg.eigh(A, UPLO="L"): eigenvalues ascending and orthonormal eigenvectors of a symmetric matrix, of which
 * only the lower (or upper) triangle is read. */
export function eigh(a: Tensor, uplo: UPLO = "L"): EighResult {
  checkSquare(a, "linalg.eigh");
  checkFloating(a, "linalg.eigh");
  const [values, vectors] = applyMulti(eighOp, [a], checkUplo(uplo));
  return new EighResult("linalg_eigh", [["eigenvalues", values], ["eigenvectors", vectors]]);
}

/** torch.linalg.eigvalsh: eigh's eigenvalues (its node, LinalgEighBackward0, when A requires grad). */
export function eigvalsh(a: Tensor, uplo: UPLO = "L"): Tensor {
  checkSquare(a, "linalg.eigvalsh");
  checkFloating(a, "linalg.eigvalsh");
  return applyMulti(eighOp, [a], checkUplo(uplo))[0];
}

// ---- svd ----

const svdOp = defineMultiOp<boolean>({
  name: "linalgSvd",
  gradFnName: "LinalgSvdBackward0",
  forward: ([a], full) => {
    const { batch, rows: m, cols: n } = batchOf(a);
    const k = Math.min(m, n);
    const results = matricesOf(a).map((x) => svdKernel(x, m, n, full));
    return [
      fromPieces([...batch, m, full ? m : k], a.dtype, results.map((r) => r.u)),
      fromPieces([...batch, k], a.dtype, results.map((r) => r.s)),
      fromPieces([...batch, full ? n : k, n], a.dtype, results.map((r) => r.vh)),
    ];
  },
  backward: ({ outputs: [u0, s, vh0], attrs: full }, [gU0, gS, gVh0]) => {
    // With full matrices only the first k columns of U (rows of Vh) are determined: the rest get no gradient.
    const k = s.shape[s.ndim - 1];
    const u = full ? u0.narrow(-1, 0, k) : u0;
    const vh = full ? vh0.narrow(-2, 0, k) : vh0;
    const gU = gU0 && full ? gU0.narrow(-1, 0, k) : gU0;
    const gVh = gVh0 && full ? gVh0.narrow(-2, 0, k) : gVh0;
    return [svdBackward(gU, gS, gVh, u, s, vh)];
  },
  saves: { output: true },
});

/** PyTorch's svd_backward for real input (distinct singular values; full rank when A is not square). */
function svdBackward(gU: Tensor | null, gS: Tensor | null, gVh: Tensor | null, u: Tensor, s: Tensor, vh: Tensor): Tensor | null {
  if (!gU && !gS && !gVh) return null;
  const m = u.shape[u.ndim - 2];
  const n = vh.shape[vh.ndim - 1];
  if (!gU && !gVh) return m >= n ? u.matmul(gS!.unsqueeze(-1).mul(vh)) : u.mul(gS!.unsqueeze(-2)).matmul(vh);
  const skew = (x: Tensor) => x.sub(x.mT);
  const k = s.shape[s.ndim - 1];
  const s2 = s.mul(s);
  const e = s2.unsqueeze(-2).sub(s2.unsqueeze(-1)).add(identity(k, s.dtype));
  const uhgu = gU ? skew(u.mT.matmul(gU)) : null;
  const vhgv = gVh ? skew(vh.matmul(gVh.mT)) : null;
  let inner: Tensor;
  if (uhgu && vhgv) inner = uhgu.mul(s.unsqueeze(-2)).add(s.unsqueeze(-1).mul(vhgv)).div(e);
  else if (uhgu) inner = uhgu.div(e).mul(s.unsqueeze(-2));
  else inner = s.unsqueeze(-1).mul(vhgv!.div(e));
  if (gS) inner = inner.add(diagEmbed(gS));
  if (m > n && gU) {
    let gA = u.matmul(inner);
    const gUSinv = gU.div(s.unsqueeze(-2));
    gA = gA.add(gUSinv).sub(u.matmul(u.mT.matmul(gUSinv)));
    return gA.matmul(vh);
  }
  if (m < n && gVh) {
    let gA = inner.matmul(vh);
    const sinvGVh = gVh.div(s.unsqueeze(-1));
    gA = gA.add(sinvGVh).sub(sinvGVh.matmul(vh.mT).matmul(vh));
    return u.matmul(gA);
  }
  return m >= n ? u.matmul(inner.matmul(vh)) : u.matmul(inner).matmul(vh);
}

export interface SVDOptions {
  /** U m×m and Vh n×n (the default) rather than m×k and k×n. */
  fullMatrices?: boolean;
}

/** torch.linalg.svd(A, full_matrices=True): U, S (descending), Vh with A = U diag(S) Vh. */
export function svd(a: Tensor, options: SVDOptions = {}): SVDResult {
  checkMatrix(a, "linalg.svd");
  checkFloating(a, "linalg.svd");
  const [u, s, vh] = applyMulti(svdOp, [a], options.fullMatrices ?? true);
  return new SVDResult("linalg_svd", [["U", u], ["S", s], ["Vh", vh]]);
}

/** torch.linalg.svdvals: the singular values, descending. */
export function svdvals(a: Tensor): Tensor {
  // PyTorch's messages name linalg.svd, which svdvals calls.
  checkMatrix(a, "linalg.svd");
  checkFloating(a, "linalg.svd");
  return applyMulti(svdOp, [a], false)[1];
}

/** torch.svd(A, some=True): U, S and V (not Vh: V = Vhᵀ, TransposeBackward0). */
export function torchSvd(a: Tensor, some = true): TorchSVDResult {
  checkMatrix(a, "svd");
  checkFloating(a, "svd");
  const [u, s, vh] = applyMulti(svdOp, [a], !some);
  return new TorchSVDResult("svd", [["U", u], ["S", s], ["V", vh.mT]]);
}

// ---- pinv ----

interface PinvAttrs {
  atol: number;
  rtol: number;
  hermitian: boolean;
}

const pinvOp = defineOp<PinvAttrs>({
  name: "linalgPinv",
  gradFnName: "LinalgPinvBackward0",
  forward: ([a], { atol, rtol, hermitian }) => {
    const { batch, rows: m, cols: n } = batchOf(a);
    const pieces = matricesOf(a).map((x) => {
      let u: Float64Array;
      let s: Float64Array;
      let vh: Float64Array;
      const k = Math.min(m, n);
      if (hermitian) {
        const { values, vectors } = symmetricEigen(x, n);
        // A = V Λ Vᵀ: its singular values are |λ|, with U = V·sign(λ).
        s = values.map(Math.abs);
        u = vectors.map((v, i) => v * Math.sign(values[i % n]) || 0);
        vh = new Float64Array(n * n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vh[j * n + i] = vectors[i * n + j];
      } else ({ u, s, vh } = svdKernel(x, m, n, false));
      const largest = s.reduce((p, v) => Math.max(p, v), 0);
      const tol = Math.max(atol, rtol * largest);
      const out = new Float64Array(n * m);
      for (let r = 0; r < k; r++) {
        if (!(s[r] > tol)) continue;
        const inv = 1 / s[r];
        for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[i * m + j] += vh[r * n + i] * inv * u[j * k + r];
      }
      return out;
    });
    return fromPieces([...batch, n, m], a.dtype, pieces);
  },
  backward: ({ inputs: [a], output: p }, g) => [pinvBackward(g, p, a)],
  saves: { inputs: [0], output: true },
  checkDirection: (u, a, _, { hermitian }) => (hermitian ? symmetricDirection(u, a) : u),
});

/** PyTorch's pinv_backward: the differential of A⁺, arranged to multiply the smallest matrices. */
function pinvBackward(g: Tensor, pinvA: Tensor, a: Tensor): Tensor {
  const m = a.shape[a.ndim - 2];
  const n = a.shape[a.ndim - 1];
  const pinvAh = pinvA.mT;
  const gh = g.mT;
  if (m <= n) {
    const k = gh.matmul(pinvA);
    const kPinvAh = k.matmul(pinvAh);
    return pinvA.matmul(k).mT.neg().add(kPinvAh).sub(a.matmul(pinvA).matmul(kPinvAh)).add(pinvAh.matmul(pinvA).matmul(gh.sub(k.matmul(a))));
  }
  const k = pinvA.matmul(gh);
  const pinvAhK = pinvAh.matmul(k);
  return k.matmul(pinvA).mT.neg().add(gh.sub(a.matmul(k)).matmul(pinvA).matmul(pinvAh)).add(pinvAhK).sub(pinvAhK.matmul(pinvA).matmul(a));
}

export interface PinvOptions {
  atol?: number | null;
  rtol?: number | null;
  hermitian?: boolean;
}

const EPS: Record<string, number> = { float32: 1.1920928955078125e-7, float64: 2.220446049250313e-16 };

/** torch.linalg.pinv(A, *, atol=None, rtol=None, hermitian=False): singular values at most max(atol, rtol·σ₁) count
 * as zero; rtol defaults to eps·max(m, n) when neither is given. */
export function pinv(a: Tensor, options: PinvOptions = {}): Tensor {
  checkMatrix(a, "linalg.pinv");
  checkFloating(a, "linalg.pinv");
  const [m, n] = a.shape.slice(-2);
  const hermitian = options.hermitian ?? false;
  if (hermitian) checkSquare(a, "linalg.pinv");
  const given = (v: number | null | undefined) => v !== null && v !== undefined;
  const atol = options.atol ?? 0;
  const rtol = given(options.rtol) ? options.rtol! : given(options.atol) && options.atol! > 0 ? 0 : EPS[a.dtype] * Math.max(m, n);
  return apply(pinvOp, [a], { atol, rtol, hermitian });
}

/** torch.pinverse(A, rcond=1e-15): pinv with rtol = rcond. */
export function pinverse(a: Tensor, rcond = 1e-15): Tensor {
  checkMatrix(a, "linalg.pinv");
  checkFloating(a, "linalg.pinv");
  return apply(pinvOp, [a], { atol: 0, rtol: rcond, hermitian: false });
}

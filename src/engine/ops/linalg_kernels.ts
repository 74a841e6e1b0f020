/**
 * Dense linear algebra on single matrices, in float64, row-major: LU with partial pivoting (LAPACK's getrf pivot
 * choice), triangular solves, Cholesky, Householder QR (LAPACK's reflectors, so Q and R have LAPACK's signs), the
 * symmetric eigendecomposition (cyclic Jacobi) and the SVD (one-sided Jacobi). These are numbers only; the ops in
 * linalg_*.ts turn them into tensors and graph nodes. A float32 tensor is computed here in float64 and rounded once.
 */

export interface LU {
  /** L (unit lower, below the diagonal) and U (on and above it), in place of A. */
  lu: Float64Array;
  /** Row i was swapped with row pivots[i] at step i (LAPACK's ipiv, 0-based). */
  pivots: Int32Array;
  /** The first zero on U's diagonal (1-based, as LAPACK's info), or 0. */
  zeroPivot: number;
}

export function luFactor(a: ArrayLike<number>, n: number): LU {
  const lu = Float64Array.from(a);
  const pivots = new Int32Array(n);
  let zeroPivot = 0;
  for (let k = 0; k < n; k++) {
    let p = k;
    let best = Math.abs(lu[k * n + k]);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(lu[i * n + k]);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    pivots[k] = p;
    if (p !== k) for (let j = 0; j < n; j++) [lu[k * n + j], lu[p * n + j]] = [lu[p * n + j], lu[k * n + j]];
    const pivot = lu[k * n + k];
    if (pivot === 0) {
      if (zeroPivot === 0) zeroPivot = k + 1;
      continue;
    }
    for (let i = k + 1; i < n; i++) {
      const l = (lu[i * n + k] /= pivot);
      if (l === 0) continue;
      for (let j = k + 1; j < n; j++) lu[i * n + j] -= l * lu[k * n + j];
    }
  }
  return { lu, pivots, zeroPivot };
}

export function luDeterminant({ lu, pivots }: LU, n: number): number {
  let det = 1;
  for (let k = 0; k < n; k++) {
    det *= lu[k * n + k];
    if (pivots[k] !== k) det = -det;
  }
  return det;
}

/** Solves A X = B (or Aᵀ X = B) for X, B n×k row-major, from A's LU. */
export function luSolve({ lu, pivots }: LU, n: number, b: ArrayLike<number>, k: number, transpose = false): Float64Array {
  const x = Float64Array.from(b);
  if (!transpose) {
    for (let i = 0; i < n; i++) if (pivots[i] !== i) swapRows(x, k, i, pivots[i]);
    forward(lu, n, x, k, true);
    backward(lu, n, x, k);
  } else {
    // Aᵀ = Uᵀ Lᵀ P: solve Uᵀ y = b, then Lᵀ z = y, then undo the row swaps in reverse.
    for (let c = 0; c < k; c++) {
      for (let i = 0; i < n; i++) {
        let s = x[i * k + c];
        for (let j = 0; j < i; j++) s -= lu[j * n + i] * x[j * k + c];
        x[i * k + c] = s / lu[i * n + i];
      }
      for (let i = n - 1; i >= 0; i--) {
        let s = x[i * k + c];
        for (let j = i + 1; j < n; j++) s -= lu[j * n + i] * x[j * k + c];
        x[i * k + c] = s;
      }
    }
    for (let i = n - 1; i >= 0; i--) if (pivots[i] !== i) swapRows(x, k, i, pivots[i]);
  }
  return x;
}

function swapRows(x: Float64Array, k: number, a: number, b: number): void {
  for (let c = 0; c < k; c++) [x[a * k + c], x[b * k + c]] = [x[b * k + c], x[a * k + c]];
}

/** L y = b in place (L lower triangular n×n row-major, its diagonal taken as ones when `unit`). */
function forward(l: Float64Array, n: number, x: Float64Array, k: number, unit: boolean): void {
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < n; i++) {
      let s = x[i * k + c];
      for (let j = 0; j < i; j++) s -= l[i * n + j] * x[j * k + c];
      x[i * k + c] = unit ? s : s / l[i * n + i];
    }
  }
}

/** U x = y in place (U upper triangular). */
function backward(u: Float64Array, n: number, x: Float64Array, k: number, unit = false): void {
  for (let c = 0; c < k; c++) {
    for (let i = n - 1; i >= 0; i--) {
      let s = x[i * k + c];
      for (let j = i + 1; j < n; j++) s -= u[i * n + j] * x[j * k + c];
      x[i * k + c] = unit ? s : s / u[i * n + i];
    }
  }
}

/** Solves T X = B with T triangular (only its upper or lower part read), B n×k. */
export function triangularSolve(t: ArrayLike<number>, n: number, b: ArrayLike<number>, k: number, upper: boolean, unitDiagonal: boolean): Float64Array {
  const x = Float64Array.from(b);
  const tt = Float64Array.from(t);
  if (upper) backward(tt, n, x, k, unitDiagonal);
  else forward(tt, n, x, k, unitDiagonal);
  return x;
}

/** The lower Cholesky factor of a symmetric positive-definite matrix (its lower triangle read), or the order of the
 * first leading minor that is not positive-definite. */
export function cholesky(a: ArrayLike<number>, n: number): { l: Float64Array; failedAt: number } {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= l[j * n + k] * l[j * n + k];
    if (!(d > 0)) return { l, failedAt: j + 1 };
    const root = Math.sqrt(d);
    l[j * n + j] = root;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = s / root;
    }
  }
  return { l, failedAt: 0 };
}

export interface QR {
  /** m × (complete ? m : min(m, n)) */
  q: Float64Array;
  /** (complete ? m : min(m, n)) × n, upper trapezoidal */
  r: Float64Array;
}

/** Householder QR of an m×n matrix as LAPACK computes it (dgeqr2, then dorg2r for Q): reflectors with β = −sign(α)·‖x‖,
 * each applied as C + v·(−τ·(Cᵀv)), so Q and R carry LAPACK's signs, signed zeros included. */
export function householderQr(a: ArrayLike<number>, m: number, n: number, complete: boolean): QR {
  const w = Float64Array.from(a);
  const k = Math.min(m, n);
  const taus = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const alpha = w[j * n + j];
    let xnorm = 0;
    for (let i = j + 1; i < m; i++) xnorm = Math.hypot(xnorm, w[i * n + j]);
    if (xnorm === 0) continue;
    const norm = Math.hypot(alpha, xnorm);
    const beta = alpha >= 0 ? -norm : norm;
    taus[j] = (beta - alpha) / beta;
    const scale = 1 / (alpha - beta);
    for (let i = j + 1; i < m; i++) w[i * n + j] *= scale;
    // v = (1, w[j+1.., j]); apply H = I − τ v vᵀ to the columns right of j.
    w[j * n + j] = 1;
    applyReflector(w, n, j, m, j, j + 1, n, taus[j]);
    w[j * n + j] = beta;
  }
  const rRows = complete ? m : k;
  const r = new Float64Array(rRows * n);
  for (let i = 0; i < Math.min(rRows, m); i++) for (let c = i; c < n; c++) r[i * n + c] = w[i * n + c];
  return { q: formQ(w, m, n, k, taus, complete ? m : k), r };
}

/** C[rows, cols] += v·(−τ·(Cᵀv)) with v = x[rows, vCol] (LAPACK's dlarf from the left, dgemv then dger). */
function applyReflector(x: Float64Array, stride: number, r0: number, r1: number, vCol: number, c0: number, c1: number, tau: number): void {
  if (tau === 0) return;
  for (let c = c0; c < c1; c++) {
    let dot = 0;
    for (let i = r0; i < r1; i++) dot += x[i * stride + c] * x[i * stride + vCol];
    const t = -tau * dot;
    for (let i = r0; i < r1; i++) x[i * stride + c] += x[i * stride + vCol] * t;
  }
}

/** The first `cols` columns of Q = H(0)·…·H(k−1), built in place as dorg2r builds them. */
function formQ(w: Float64Array, m: number, n: number, k: number, taus: Float64Array, cols: number): Float64Array {
  const q = new Float64Array(m * cols);
  for (let i = 0; i < m; i++) for (let j = 0; j < Math.min(k, cols); j++) if (i > j) q[i * cols + j] = w[i * n + j];
  for (let j = k; j < cols; j++) q[j * cols + j] = 1;
  for (let i = k - 1; i >= 0; i--) {
    if (i < cols - 1) {
      q[i * cols + i] = 1;
      applyReflector(q, cols, i, m, i, i + 1, cols, taus[i]);
    }
    for (let l = i + 1; l < m; l++) q[l * cols + i] *= -taus[i];
    q[i * cols + i] = 1 - taus[i];
    for (let l = 0; l < i; l++) q[l * cols + i] = 0;
  }
  return q;
}

/** Eigenvalues (ascending) and eigenvectors (columns of v, n×n) of the symmetric matrix whose lower triangle `a`
 * holds, by cyclic Jacobi rotations; each vector's largest component made positive (eigenvectors are defined up to
 * sign: this is Gradlens's choice). */
export function symmetricEigen(a: ArrayLike<number>, n: number): { values: Float64Array; vectors: Float64Array } {
  const s = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) s[i * n + j] = s[j * n + i] = a[i * n + j];
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        total += s[i * n + j] ** 2;
        if (i !== j) off += s[i * n + j] ** 2;
      }
    }
    if (off <= 1e-30 * total || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = s[p * n + q];
        if (apq === 0) continue;
        const theta = (s[q * n + q] - s[p * n + p]) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const sn = t * c;
        rotate(s, n, p, q, c, sn);
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - sn * vkq;
          v[k * n + q] = sn * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => s[x * n + x] - s[y * n + y]);
  const values = Float64Array.from(order, (i) => s[i * n + i]);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    for (let k = 0; k < n; k++) vectors[k * n + dst] = v[k * n + src];
  });
  canonicalColumnSigns(vectors, n, n, n, null);
  return { values, vectors };
}

/** S ← Jᵀ S J for the rotation J in the (p, q) plane. */
function rotate(s: Float64Array, n: number, p: number, q: number, c: number, sn: number): void {
  for (let k = 0; k < n; k++) {
    const skp = s[k * n + p];
    const skq = s[k * n + q];
    s[k * n + p] = c * skp - sn * skq;
    s[k * n + q] = sn * skp + c * skq;
  }
  for (let k = 0; k < n; k++) {
    const spk = s[p * n + k];
    const sqk = s[q * n + k];
    s[p * n + k] = c * spk - sn * sqk;
    s[q * n + k] = sn * spk + c * sqk;
  }
}

/** Flips the first `count` columns of m×cols `u` so that each one's largest component is positive; `partner` (its
 * rows flipped with u's columns) keeps the product unchanged. */
function canonicalColumnSigns(u: Float64Array, m: number, cols: number, count: number, partner: { data: Float64Array; cols: number } | null): void {
  for (let j = 0; j < count; j++) {
    let best = 0;
    for (let i = 0; i < m; i++) if (Math.abs(u[i * cols + j]) > Math.abs(best) + 1e-12 * Math.abs(best)) best = u[i * cols + j];
    if (best >= 0) continue;
    for (let i = 0; i < m; i++) u[i * cols + j] = -u[i * cols + j];
    if (partner) for (let c = 0; c < partner.cols; c++) partner.data[j * partner.cols + c] = -partner.data[j * partner.cols + c];
  }
}

export interface SVD {
  /** m × (full ? m : k) */
  u: Float64Array;
  /** k, descending */
  s: Float64Array;
  /** (full ? n : k) × n */
  vh: Float64Array;
}

/** The SVD of an m×n matrix by one-sided Jacobi (on Aᵀ when m < n), singular values descending; U's columns completed
 * to an orthonormal basis where needed; signs: each U column's largest component positive (Gradlens's choice). */
export function svd(a: ArrayLike<number>, m: number, n: number, full: boolean): SVD {
  if (m < n) {
    const t = new Float64Array(n * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t[j * m + i] = a[i * n + j];
    const r = svdTall(t, n, m, full);
    // A = (Aᵀ)ᵀ = (U S Vh)ᵀ = Vhᵀ S Uᵀ
    return { u: transposeOf(r.vh, r.vh.length / m, m), s: r.s, vh: transposeOf(r.u, n, r.u.length / n) };
  }
  return svdTall(Float64Array.from(a), m, n, full);
}

function transposeOf(x: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = x[i * cols + j];
  return t;
}

function svdTall(w: Float64Array, m: number, n: number, full: boolean): SVD {
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < m; i++) {
          alpha += w[i * n + p] ** 2;
          beta += w[i * n + q] ** 2;
          gamma += w[i * n + p] * w[i * n + q];
        }
        if (gamma === 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < m; i++) {
          const wp = w[i * n + p];
          const wq = w[i * n + q];
          w[i * n + p] = c * wp - s * wq;
          w[i * n + q] = s * wp + c * wq;
        }
        for (let i = 0; i < n; i++) {
          const vp = v[i * n + p];
          const vq = v[i * n + q];
          v[i * n + p] = c * vp - s * vq;
          v[i * n + q] = s * vp + c * vq;
        }
      }
    }
    if (!rotated) break;
  }
  const norms = Array.from({ length: n }, (_, j) => {
    let s = 0;
    for (let i = 0; i < m; i++) s += w[i * n + j] ** 2;
    return Math.sqrt(s);
  });
  const order = norms.map((_, j) => j).sort((x, y) => norms[y] - norms[x]);
  const uCols = full ? m : n;
  const u = new Float64Array(m * uCols);
  const s = new Float64Array(n);
  const vh = new Float64Array(n * n);
  order.forEach((src, dst) => {
    s[dst] = norms[src];
    for (let i = 0; i < m; i++) u[i * uCols + dst] = norms[src] > 0 ? w[i * n + src] / norms[src] : 0;
    for (let i = 0; i < n; i++) vh[dst * n + i] = v[i * n + src];
  });
  // Columns with a zero singular value, and the extra ones of the full U, completed to an orthonormal basis.
  const rankTol = (s[0] || 0) * Math.max(m, n) * 2.220446049250313e-16;
  completeColumns(u, m, uCols, (j) => j < n && s[j] > rankTol);
  canonicalColumnSigns(u, m, uCols, n, { data: vh, cols: n });
  return { u, s, vh };
}

/** Replaces the columns of m×cols `u` not kept by an orthonormal completion of the kept ones (Gram–Schmidt on the
 * standard basis). */
function completeColumns(u: Float64Array, m: number, cols: number, keep: (j: number) => boolean): void {
  let candidate = 0;
  for (let j = 0; j < cols; j++) {
    if (keep(j)) continue;
    for (; candidate < m; candidate++) {
      const x = new Float64Array(m);
      x[candidate] = 1;
      for (let pass = 0; pass < 2; pass++) {
        for (let c = 0; c < cols; c++) {
          if (c === j || (!keep(c) && c > j)) continue;
          let dot = 0;
          for (let i = 0; i < m; i++) dot += u[i * cols + c] * x[i];
          for (let i = 0; i < m; i++) x[i] -= dot * u[i * cols + c];
        }
      }
      let norm = 0;
      for (let i = 0; i < m; i++) norm += x[i] * x[i];
      norm = Math.sqrt(norm);
      if (norm > 1e-8) {
        for (let i = 0; i < m; i++) u[i * cols + j] = x[i] / norm;
        candidate++;
        break;
      }
    }
  }
}

/**
 * Linear algebra against PyTorch 1.13 (scripts/fixtures/linalg_fixtures.py → test/fixtures/linalg.json): products,
 * einsum and torch.linalg — values, grad_fn names, whole graphs, gradients, second derivatives, warnings, errors, and
 * the printed named tuples; float64 gradcheck and gradgradcheck of every op; decompositions reconstruct their input.
 *
 * Values: PyTorch computes float32 in LAPACK/BLAS float32, the engine in float64 rounded once, so float32 agrees to
 * ~1e-5 of the tensor's scale; float64 to 1e-10. Eigenvectors and singular vectors are compared after each side flips
 * them to a canonical sign (their largest component positive), since both signs are valid and LAPACK's differs.
 */
import { strict as assert } from "node:assert";
import * as gl from "../../src/engine";
import { Ellipsis, Slice, autograd, einsum, linalg, tensor, type Tensor } from "../../src/engine";
import { type FixtureValue, decode, loadFixture } from "./helpers/compare";
import { type Compare, type FixtureCase, runFixtureCase } from "./helpers/fixture_case";

const fixture = loadFixture<{ cases: FixtureCase[]; printed: Record<string, string>; printedInput: number[][] }>("linalg.json");

/** Agreement to rtol of the element plus rtol of the tensor's largest value, plus an absolute atol for values that
 * are rounding noise around zero (a singular matrix's determinant); NaN and infinities must match exactly. */
const near: Compare = (t: Tensor, expected: FixtureValue[], what: string) => {
  const [rtol, atol] = t.dtype === "float64" ? [1e-10, 1e-12] : [2e-5, 1e-6];
  const actual = (t.detach().reshape(-1).tolist() as number[]).map(Number);
  assert.equal(actual.length, expected.length, `${what}: element count`);
  const values = expected.map(decode);
  const scale = Math.max(0, ...values.filter(Number.isFinite).map(Math.abs));
  actual.forEach((a, i) => {
    const e = values[i];
    if (!Number.isFinite(e)) return assert.ok(Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e)), `${what}[${i}]: expected ${e}, got ${a}`);
    assert.ok(Math.abs(a - e) <= rtol * (Math.abs(e) + scale) + atol, `${what}[${i}]: expected ${e}, got ${a}`);
  });
};

/** Each column's sign that makes its largest component positive (no gradient). */
function canonicalSigns(v: Tensor): Tensor {
  const d = v.detach();
  return d.gather(-2, d.abs().max(-2, true).indices).sign();
}

/** U, S, Vh with canonical signs; a full U's extra columns (a full Vh's extra rows) as the projector onto the space
 * they span, which is unique where the basis is not (the fixture script does the same). */
function svdCanonical(a: Tensor, fullMatrices: boolean): Tensor[] {
  const [u, s, vh] = linalg.svd(a, { fullMatrices });
  const k = s.shape[s.ndim - 1];
  const cols = (t: Tensor, from: number | null, to: number | null) => t.index([Ellipsis, Slice(from, to)]);
  const rows = (t: Tensor, from: number | null, to: number | null) => t.index([Ellipsis, Slice(from, to), Slice()]);
  const signs = canonicalSigns(cols(u, null, k));
  const uRest = u.shape[u.ndim - 1] > k ? cols(u, k, null) : null;
  const vRest = vh.shape[vh.ndim - 2] > k ? rows(vh, k, null) : null;
  const uc = uRest ? gl.cat([cols(u, null, k).mul(signs), uRest.matmul(uRest.mT)], -1) : u.mul(signs);
  const vc = vRest ? gl.cat([rows(vh, null, k).mul(signs.mT), vRest.mT.matmul(vRest)], -2) : vh.mul(signs.mT);
  return [uc, s, vc];
}

type Args = Record<string, unknown> & unknown;
const CALLS: Record<string, (t: Tensor[], a: Args) => Tensor | Tensor[]> = {
  bmm: ([a, b]) => gl.bmm(a, b),
  baddbmm: ([i, a, b], o) => gl.baddbmm(i, a, b, (o ?? {}) as gl.ScaleOptions),
  addbmm: ([i, a, b], o) => gl.addbmm(i, a, b, (o ?? {}) as gl.ScaleOptions),
  addmv: ([i, a, b], o) => gl.addmv(i, a, b, (o ?? {}) as gl.ScaleOptions),
  addr: ([i, a, b], o) => gl.addr(i, a, b, (o ?? {}) as gl.ScaleOptions),
  outer: ([a, b]) => gl.outer(a, b),
  ger: ([a, b]) => gl.ger(a, b),
  inner: ([a, b]) => gl.inner(a, b),
  tensordot: ([a, b], d) => gl.tensordot(a, b, d as unknown as number | [number[], number[]]),
  kron: ([a, b]) => gl.kron(a, b),
  trace: ([a]) => gl.trace(a),
  cross: ([a, b], d) => gl.cross(a, b, d as unknown as number | null),
  linalgCross: ([a, b], d) => (d === null ? linalg.cross(a, b) : linalg.cross(a, b, d as unknown as number)),
  matrixPower: ([a], n) => linalg.matrixPower(a, n as unknown as number),
  einsum: (t, eq) => einsum(eq as unknown as string, ...t),
  einsumSublist: (t, a) => {
    const { inputs, output } = a as { inputs: number[][]; output?: number[] };
    const args: Array<Tensor | number[]> = t.flatMap((x, i) => [x, inputs[i]]);
    return einsum(...(output ? [...args, output] : args));
  },
  inv: ([a]) => linalg.inv(a),
  inverse: ([a]) => gl.inverse(a),
  det: ([a]) => linalg.det(a),
  slogdet: ([a]) => [...linalg.slogdet(a)],
  logdet: ([a]) => gl.logdet(a),
  solve: ([a, b], o) => linalg.solve(a, b, (o ?? {}) as linalg.SolveOptions),
  solveTriangular: ([a, b], o) => linalg.solveTriangular(a, b, o as unknown as linalg.SolveTriangularOptions),
  cholesky: ([a], o) => linalg.cholesky(a, (o ?? {}) as linalg.CholeskyOptions),
  qr: ([a], o) => [...linalg.qr(a, (o as { mode?: linalg.QRMode } | null)?.mode)],
  eighCanonical: ([a], o) => {
    const [values, vectors] = linalg.eigh(a, (o as { UPLO?: linalg.UPLO } | null)?.UPLO);
    return [values, vectors.mul(canonicalSigns(vectors))];
  },
  eigvalsh: ([a], o) => linalg.eigvalsh(a, (o as { UPLO?: linalg.UPLO } | null)?.UPLO),
  svdCanonical: ([a], o) => svdCanonical(a, (o as { full_matrices?: boolean } | null)?.full_matrices ?? true),
  svdvals: ([a]) => linalg.svdvals(a),
  torchSvdCanonical: ([a]) => {
    const [u, s, v] = gl.svd(a);
    const signs = canonicalSigns(u);
    return [u.mul(signs), s, v.mul(signs)];
  },
  pinv: ([a], o) => linalg.pinv(a, (o ?? {}) as linalg.PinvOptions),
  pinverse: ([a]) => gl.pinverse(a),
  matrixNorm: ([a], o) => {
    const { ord, dim, keepdim } = o as { ord: linalg.MatrixOrd; dim?: [number, number]; keepdim?: boolean };
    return linalg.matrixNorm(a, ord, { dim, keepdim });
  },
  linalgNorm: ([a], ord) => linalg.norm(a, ord as unknown as linalg.MatrixOrd),
};

/** PyTorch 1.13's class for these errors is torch._C._LinAlgError, public as torch.linalg.LinAlgError. */
function engineErrors(c: FixtureCase): FixtureCase {
  if (c.error?.type !== "_LinAlgError") return c;
  return { ...c, error: { ...c.error, type: "LinAlgError" } };
}

describe("linear algebra against PyTorch 1.13", () => {
  for (const c of fixture.cases) {
    it(c.name, () => runFixtureCase(engineErrors(c), (leaves) => CALLS[c.call](leaves, c.args as Args), { values: near }));
  }

  it("named tuples print as PyTorch prints them", () => {
    const a = tensor(fixture.printedInput, { dtype: "float64", requiresGrad: true });
    assert.equal(String(linalg.qr(a)), fixture.printed.qr);
    assert.equal(String(linalg.slogdet(a)), fixture.printed.slogdet);
    assert.equal(String(gl.slogdet(a)), fixture.printed.torchSlogdet);
    assert.equal(String(a.slogdet()), fixture.printed.torchSlogdet);
    assert.equal(String(linalg.inv(a)), fixture.printed.inv);
    assert.equal(String(linalg.eigh(tensor([[2, 1], [1, 2]])).eigenvalues), fixture.printed.eigvals);
    const result = linalg.qr(a);
    const [q, r] = result;
    assert.equal(q, result.Q);
    assert.equal(r, result.R);
    assert.equal(result[0], q);
    assert.equal(result[1], r);
    assert.equal(result.length, 2);
    assert.deepEqual(Object.keys(result), ["Q", "R"]);
    assert.ok(linalg.LinAlgError.prototype instanceof gl.RuntimeError);
  });
});

gl.manualSeed(11);
const r = (...shape: number[]) => gl.rand(shape, { dtype: "float64" }).mul(2).sub(1).requiresGrad_(true);
const eye = (n: number) => gl.eye(n, { dtype: "float64" });

/** Each op as a function of float64 inputs, for gradcheck and gradgradcheck. A symmetric input (eigh, cholesky) is
 * made from a free one, since only half of it is read. */
const CHECKS: Array<[string, () => Tensor[], (...t: Tensor[]) => Tensor | Tensor[]]> = [
  ["bmm", () => [r(2, 2, 3), r(2, 3, 2)], (a, b) => gl.bmm(a, b)],
  ["baddbmm", () => [r(2, 1, 2), r(2, 2, 3), r(2, 3, 2)], (i, a, b) => gl.baddbmm(i, a, b, { beta: 0.5, alpha: 2 })],
  ["addbmm", () => [r(2, 2), r(2, 2, 3), r(2, 3, 2)], (i, a, b) => gl.addbmm(i, a, b, { alpha: -1 })],
  ["addmv", () => [r(3), r(3, 2), r(2)], (i, m, v) => gl.addmv(i, m, v, { beta: 2 })],
  ["addr", () => [r(3, 2), r(3), r(2)], (i, a, b) => gl.addr(i, a, b)],
  ["outer, inner", () => [r(3), r(3)], (a, b) => gl.outer(a, b).add(gl.inner(a, b))],
  ["tensordot", () => [r(2, 3, 2), r(3, 2, 2)], (a, b) => gl.tensordot(a, b, 2)],
  ["kron", () => [r(2, 2), r(2, 3)], (a, b) => gl.kron(a, b)],
  ["trace", () => [r(3, 4)], (a) => gl.trace(a)],
  ["linalg.cross", () => [r(2, 3), r(2, 3)], (a, b) => linalg.cross(a, b)],
  ["matrixPower 4 and -2", () => [r(2, 2).add(eye(2).mul(2)).detach().requiresGrad_()], (a) => [linalg.matrixPower(a, 4), linalg.matrixPower(a, -2)]],
  ["einsum with a diagonal and a broadcast ellipsis", () => [r(3, 3, 2), r(2, 2)], (a, b) => einsum("iij,...j->...i", a, b)],
  ["inv", () => [r(3, 3).add(eye(3).mul(3)).detach().requiresGrad_()], (a) => linalg.inv(a)],
  ["det", () => [r(2, 3, 3)], (a) => linalg.det(a)],
  ["slogdet", () => [r(3, 3).add(eye(3).mul(3)).detach().requiresGrad_()], (a) => linalg.slogdet(a).logabsdet],
  ["solve", () => [r(3, 3).add(eye(3).mul(3)).detach().requiresGrad_(), r(3, 2)], (a, b) => linalg.solve(a, b)],
  ["solve left=false, vector", () => [r(3, 3).add(eye(3).mul(3)).detach().requiresGrad_(), r(2, 3), r(3)], (a, b, v) => [linalg.solve(a, b, { left: false }), linalg.solve(a, v)]],
  ["solveTriangular", () => [r(3, 3).add(eye(3).mul(3)).detach().requiresGrad_(), r(3, 2)], (a, b) => linalg.solveTriangular(a, b, { upper: true })],
  ["cholesky", () => [r(3, 3)], (x) => linalg.cholesky(x.matmul(x.mT).add(eye(3)))],
  ["qr reduced, tall", () => [r(4, 3)], (a) => [...linalg.qr(a)]],
  ["qr wide", () => [r(2, 3)], (a) => [...linalg.qr(a)]],
  ["eigh (a gauge-invariant function of the vectors)", () => [r(3, 3)], (x) => {
    const { eigenvalues, eigenvectors } = linalg.eigh(x.add(x.mT));
    return [eigenvalues, eigenvectors.mul(eigenvectors)];
  }],
  ["svd (U Vh is gauge-invariant)", () => [r(3, 2)], (a) => {
    const { U, S, Vh } = linalg.svd(a, { fullMatrices: false });
    return [S, U.matmul(Vh)];
  }],
  ["svdvals", () => [r(2, 3)], (a) => linalg.svdvals(a)],
  ["pinv", () => [r(3, 2)], (a) => linalg.pinv(a)],
  ["pinv hermitian", () => [r(3, 3)], (x) => linalg.pinv(x.matmul(x.mT).add(eye(3)), { hermitian: true })],
  ["eigvalsh", () => [r(3, 3)], (x) => linalg.eigvalsh(x.add(x.mT))],
  ["logdet", () => [r(3, 3)], (x) => gl.logdet(x.matmul(x.mT).add(eye(3)))],
  ["torch.svd (U Vᵀ)", () => [r(3, 2)], (a) => {
    const { U, S, V } = gl.svd(a);
    return [S, U.matmul(V.mT)];
  }],
  ["matrixNorm nuc and 2", () => [r(2, 3, 2)], (a) => [linalg.matrixNorm(a, "nuc"), linalg.matrixNorm(a, 2, { keepdim: true })]],
  ["einsum contractions", () => [r(2, 3), r(3, 4), r(4)], (a, b, c) => [einsum("ij,jk,k->i", a, b, c), einsum("ij,ij->", a, a), einsum("ij->ji", b)]],
];

describe("linear algebra: float64 gradcheck and gradgradcheck", function () {
  this.timeout(60_000);
  for (const [name, make, fn] of CHECKS) {
    it(name, () => {
      const inputs = make();
      assert.equal(autograd.gradcheck(fn, inputs), true);
      assert.equal(autograd.gradgradcheck(fn, inputs), true);
    });
  }
});

describe("decompositions reconstruct their input", () => {
  const close = (a: Tensor, b: Tensor, what: string) => {
    const diff = a.sub(b).abs().max().item();
    assert.ok(diff < 1e-10, `${what}: max difference ${diff}`);
  };
  const a = gl.randn([4, 3], { dtype: "float64" });
  it("QR: Q has orthonormal columns, R is upper triangular, QR = A", () => {
    for (const m of [a, a.mT]) {
      const { Q, R } = linalg.qr(m, "complete");
      close(Q.matmul(R), m, "QR");
      close(Q.mT.matmul(Q), gl.eye(Q.shape[1], { dtype: "float64" }), "QᵀQ");
      close(R, gl.triu(R), "R");
    }
  });
  it("eigh: V diag(λ) Vᵀ = A, λ ascending, each vector's largest component positive", () => {
    const s = a.mT.matmul(a);
    const { eigenvalues: l, eigenvectors: v } = linalg.eigh(s);
    close(v.mul(l).matmul(v.mT), s, "V Λ Vᵀ");
    const values = l.tolist() as number[];
    values.slice(1).forEach((x, i) => assert.ok(x >= values[i]));
    close(canonicalSigns(v), gl.onesLike(l).unsqueeze(0), "signs");
  });
  it("svd: U diag(S) Vh = A in both shapes, full and thin", () => {
    for (const m of [a, a.mT]) {
      for (const fullMatrices of [true, false]) {
        const { U, S, Vh } = linalg.svd(m, { fullMatrices });
        const k = S.shape[0];
        close(U.index([Slice(), Slice(null, k)]).mul(S).matmul(Vh.index([Slice(null, k)])), m, "U S Vh");
        close(U.mT.matmul(U), gl.eye(U.shape[1], { dtype: "float64" }), "UᵀU");
        close(Vh.matmul(Vh.mT), gl.eye(Vh.shape[0], { dtype: "float64" }), "Vh Vhᵀ");
      }
    }
  });
  it("svd of a rank-deficient matrix completes U to an orthonormal basis", () => {
    const m = tensor([[1, 2], [2, 4], [3, 6]], { dtype: "float64" });
    const { U, S } = linalg.svd(m);
    assert.ok(Math.abs((S.tolist() as number[])[1]) < 1e-12);
    close(U.mT.matmul(U), gl.eye(3, { dtype: "float64" }), "UᵀU");
  });
});

describe("the numerical check of each node agrees with the linalg ops' gradients", () => {
  it("eigh, cholesky and pinv(hermitian) are checked along symmetric directions, as their gradients assume", () => {
    gl.manualSeed(4);
    const x = gl.randn([3, 3], { dtype: "float64", requiresGrad: true });
    const s = x.matmul(x.mT).add(eye(3));
    const loss = linalg.cholesky(s).sum().add(linalg.eigh(s).eigenvalues.pow(2).sum()).add(linalg.pinv(s, { hermitian: true }).sum());
    const checks = autograd.checkNodes(loss);
    assert.ok(checks.length >= 5);
    for (const c of checks) assert.notEqual(c.passed, false, `${c.node.name}: ${c.message}`);
  });

  it("QR, SVD, det, solve and einsum nodes pass their checks", () => {
    gl.manualSeed(5);
    const a = gl.randn([3, 3], { dtype: "float64", requiresGrad: true });
    const { Q, R } = linalg.qr(a);
    const { U, S, Vh } = linalg.svd(a);
    const loss = Q.sum().add(R.sum()).add(S.sum()).add(U.matmul(Vh).sum()).add(linalg.det(a)).add(linalg.solve(a.add(eye(3).mul(4)), a).sum()).add(einsum("ij,jk->", a, a));
    for (const c of autograd.checkNodes(loss)) assert.notEqual(c.passed, false, `${c.node.name}: ${c.message}`);
  });
});

/**
 * unique, unique_consecutive, bincount, histc, searchsorted, bucketize (and the later families of the same fixture)
 * against PyTorch 1.13: every output's values, shape, dtype and grad_fn name, the gradient of each input for
 * sum(out * w), PyTorch's failing backward where it has no derivative, and its errors for bad input.
 * Fixtures: scripts/fixtures/opsmore_fixtures.py → test/fixtures/opsmore.json.
 */
import { strict as assert } from "node:assert";
import * as gl from "../../src/engine";
import type { DType, Tensor } from "../../src/engine";
import { type FixtureValue, assertClose, fromFixture, loadFixture } from "./helpers/compare";

interface Described {
  shape: number[];
  dtype: DType;
  values: FixtureValue[];
  requiresGrad: boolean;
}

interface Case {
  name: string;
  call: string;
  args: Record<string, unknown> | number | null;
  inputs: Described[];
  outs: Array<Described & { gradFn: string | null }>;
  weight?: FixtureValue[];
  grads?: Array<FixtureValue[] | null>;
  backwardError?: { type: string; message: string };
  /** The gradient is 0 in exact arithmetic; PyTorch's is rounding noise within this. */
  gradAbsTol?: number;
}

interface ErrorCase {
  name: string;
  call: string;
  args: Record<string, unknown> | null;
  inputs: Described[];
  type: string;
  message: string;
}

const fixture = loadFixture<{ cases: Case[]; errors: ErrorCase[] }>("opsmore.json");

type Options = Record<string, unknown>;
/** Options naming an input by its position ({weights: 1}) get that tensor. */
const withTensors = (a: Options | null, t: Tensor[], names: string[]): Options => {
  const out: Options = { ...(a ?? {}) };
  for (const n of names) if (typeof out[n] === "number") out[n] = t[out[n] as number];
  return out;
};

const CALLS: Record<string, (t: Tensor[], a: Options | null) => Tensor | Tensor[]> = {
  copysignScalar: ([a], s) => gl.copysign(a, s as unknown as number),
  unique: ([x], a) => x.unique(a ?? {}),
  uniqueConsecutive: ([x], a) => gl.uniqueConsecutive(x, a ?? {}),
  bincount: (t, a) => gl.bincount(t[0], withTensors(a, t, ["weights"])),
  histc: ([x], a) => x.histc(a ?? {}),
  searchsorted: (t, a) => gl.searchsorted(t[0], t[1], withTensors(a, t, ["sorter"])),
  searchsortedScalar: ([s], a) => {
    const { value, ...rest } = a as Options & { value: number };
    return gl.searchsorted(s, value, rest);
  },
  bucketize: ([x, b], a) => gl.bucketize(x, b, a ?? {}),
  diff: (t, a) => t[0].diff(withTensors(a, t, ["prepend", "append"])),
  trapezoid: ([y, x], a) => (x ? gl.trapezoid(y, x, a ?? {}) : gl.trapezoid(y, a ?? {})),
  trapz: ([y, x], a) => (x ? gl.trapz(y, x, a ?? {}) : gl.trapz(y, a ?? {})),
  cumulativeTrapezoid: ([y, x], a) => gl.cumulativeTrapezoid(y, x ?? null, a ?? {}),
  rot90: ([x], a) => x.rot90((a as { k: number }).k, (a as { dims: number[] }).dims),
  copysign: ([a, b]) => a.copysign(b),
  powScalarBase: ([e], a) => gl.pow(a as unknown as number, e),
  nextafter: ([a, b]) => gl.nextafter(a, b),
  ldexp: ([a, b]) => a.ldexp(b),
  fmax: ([a, b]) => gl.fmax(a, b),
  fmin: ([a, b]) => a.fmin(b),
  heaviside: ([a, b]) => a.heaviside(b),
  gcd: ([a, b]) => gl.gcd(a, b),
  lcm: ([a, b]) => a.lcm(b),
  cov: (t, a) => gl.cov(t[0], withTensors(a, t, ["fweights", "aweights"])),
  corrcoef: ([x]) => x.corrcoef(),
  quantile: (t, a) => {
    const { q, ...rest } = (a ?? {}) as Options & { q?: number };
    return t[0].quantile(t[1] ?? q!, rest);
  },
  nanquantile: (t, a) => {
    const { q, ...rest } = (a ?? {}) as Options & { q?: number };
    return gl.nanquantile(t[0], t[1] ?? q!, rest);
  },
};

const inputsOf = (c: { inputs: Described[] }) => c.inputs.map((i) => fromFixture(i.values, i.shape, i.dtype, i.requiresGrad));

describe("opsmore: PyTorch 1.13 ops tutorials use", () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const inputs = inputsOf(c);
      const result = CALLS[c.call](inputs, c.args as Options | null);
      const outs = Array.isArray(result) ? result : [result];
      assert.equal(outs.length, c.outs.length, "number of outputs");
      outs.forEach((out, k) => {
        const e = c.outs[k];
        assert.deepEqual(out.shape, e.shape, `output ${k} shape`);
        assert.equal(out.dtype, e.dtype, `output ${k} dtype`);
        assert.equal(out.gradFn?.name ?? null, e.gradFn, `output ${k} grad_fn`);
        assertClose(out, e.values, false, `output ${k}`);
      });
      if (c.grads) {
        const w = fromFixture(c.weight!, outs[0].shape, outs[0].dtype, false);
        outs[0].mul(w).sum().backward();
        c.grads.forEach((g, i) => {
          if (g === null) return assert.equal(inputs[i].grad, null, `input ${i} gets no gradient`);
          assert.ok(inputs[i].grad, `input ${i} has a gradient`);
          if (c.gradAbsTol === undefined) return assertClose(inputs[i].grad!, g, false, `grad of input ${i}`);
          for (const v of inputs[i].grad!.tolist() as number[]) assert.ok(Math.abs(v) <= c.gradAbsTol, `grad of input ${i}: ${v} is not 0`);
        });
      }
      if (c.backwardError) {
        const { type, message } = c.backwardError;
        assert.throws(() => outs[0].sum().backward(), (err: Error) => err.name === type && err.message === message);
      }
    });
  }
  for (const e of fixture.errors) {
    it(`refuses: ${e.name}`, () => {
      assert.throws(
        () => CALLS[e.call](inputsOf(e), e.args),
        (err: Error) => {
          assert.equal(err.name, e.type);
          assert.equal(err.message, e.message);
          return true;
        },
      );
    });
  }
});

/** Random float64 leaves of distinct values (away from ties and from the kinks of fmax/fmin and quantile's ranks). */
function leaf(...shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, (_, i) => ((i * 7919) % 97) / 13 - 3.5 + 0.01 * i);
  return gl.tensor(values, { dtype: "float64" }).reshape(shape).requiresGrad_(true);
}

const GRADCHECKS: Array<[string, () => Tensor[], (...t: Tensor[]) => Tensor]> = [
  ["diff n 2 with prepend", () => [leaf(3, 5), leaf(3, 2)], (x, p) => x.diff({ n: 2, prepend: p })],
  ["trapezoid x", () => [leaf(3, 4), leaf(4)], (y, x) => gl.trapezoid(y, x)],
  ["trapezoid dx", () => [leaf(3, 4)], (y) => gl.trapezoid(y, { dx: 0.5, dim: 0 })],
  ["cumulativeTrapezoid x", () => [leaf(3, 4), leaf(4)], (y, x) => gl.cumulativeTrapezoid(y, x)],
  ["rot90", () => [leaf(2, 3, 4)], (x) => x.rot90(3, [2, 0])],
  ["cov aweights", () => [leaf(3, 6), leaf(6).abs().detach().requiresGrad_(true)], (x, w) => gl.cov(x, { aweights: w })],
  ["corrcoef", () => [leaf(3, 6)], (x) => x.corrcoef()],
  ["quantile linear, q too", () => [leaf(3, 5), gl.tensor([0.1, 0.55], { dtype: "float64", requiresGrad: true })], (x, q) => x.quantile(q, { dim: 1 })],
  ["nanquantile midpoint", () => [leaf(4, 3)], (x) => gl.nanquantile(x, 0.4, { dim: 0, interpolation: "midpoint" })],
  ["copysign", () => [leaf(5), leaf(5)], (a, b) => a.copysign(b)],
  ["ldexp", () => [leaf(4), leaf(4)], (x, e) => gl.ldexp(x, e)],
  ["fmax", () => [leaf(2, 3), leaf(3).mul(0.9).detach().requiresGrad_(true)], (a, b) => gl.fmax(a, b)],
  ["fmin", () => [leaf(2, 3), leaf(3).mul(0.9).detach().requiresGrad_(true)], (a, b) => a.fmin(b)],
];

describe("opsmore: float64 gradcheck of the differentiable ops", () => {
  for (const [name, make, fn] of GRADCHECKS) it(name, () => assert.equal(gl.autograd.gradcheck(fn, make()), true));
});

describe("opsmore: float64 gradgradcheck (their backwards are differentiable)", () => {
  for (const name of ["rot90", "quantile linear, q too", "copysign", "ldexp", "fmax", "cov aweights"]) {
    const [, make, fn] = GRADCHECKS.find(([n]) => n === name)!;
    it(name, () => assert.equal(gl.autograd.gradgradcheck(fn, make()), true));
  }
});

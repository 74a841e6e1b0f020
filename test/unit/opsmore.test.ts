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

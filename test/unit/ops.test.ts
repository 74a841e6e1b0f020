/**
 * Every op against PyTorch 1.13: forward values, shape, dtype, grad_fn name, and the gradient of each input for
 * sum(out * w). Fixtures: scripts/fixtures/ops_fixtures.py → test/fixtures/ops.json.
 */
import { strict as assert } from "node:assert";
import * as gl from "../../src/engine";
import type { DType, Tensor } from "../../src/engine";
import { type FixtureValue, assertClose, fromFixture, loadFixture } from "./helpers/compare";

interface OpCase {
  name: string;
  call: string;
  args: unknown;
  inputs: Array<{ shape: number[]; dtype: DType; values: FixtureValue[]; requiresGrad: boolean }>;
  out: { shape: number[]; dtype: DType; values: FixtureValue[]; gradFn: string | null };
  weight?: FixtureValue[];
  grads?: Array<FixtureValue[] | null>;
}

const fixture = loadFixture<{ cases: OpCase[] }>("ops.json");

type Args = unknown;
const num = (a: Args) => a as number;
const pair = (a: Args) => a as [number, boolean];
const p = (v: unknown) => (v === "inf" ? Infinity : (v as number));

const CALLS: Record<string, (t: Tensor[], a: Args) => Tensor> = {
  add: ([a, b]) => a.add(b),
  addScalar: ([a], s) => a.add(num(s)),
  addAlpha: ([a, b], s) => a.add(b, num(s)),
  sub: ([a, b]) => a.sub(b),
  subScalar: ([a], s) => a.sub(num(s)),
  rsubScalar: ([a], s) => gl.sub(num(s), a),
  mul: ([a, b]) => a.mul(b),
  mulScalar: ([a], s) => a.mul(num(s)),
  div: ([a, b]) => a.div(b),
  divScalar: ([a], s) => a.div(num(s)),
  rdivScalar: ([a], s) => gl.div(num(s), a),
  pow: ([a, b]) => a.pow(b),
  powScalar: ([a], s) => a.pow(num(s)),
  neg: ([a]) => a.neg(),
  abs: ([a]) => a.abs(),
  exp: ([a]) => a.exp(),
  log: ([a]) => a.log(),
  sqrt: ([a]) => a.sqrt(),
  sin: ([a]) => a.sin(),
  cos: ([a]) => a.cos(),
  tanh: ([a]) => a.tanh(),
  sigmoid: ([a]) => a.sigmoid(),
  relu: ([a]) => a.relu(),
  reciprocal: ([a]) => a.reciprocal(),
  sign: ([a]) => a.sign(),
  clamp: ([a], r) => a.clamp(...(r as [number | null, number | null])),
  maximum: ([a, b]) => a.maximum(b),
  minimum: ([a, b]) => a.minimum(b),
  floorDivide: ([a, b]) => a.floorDivide(b),
  matmul: ([a, b]) => a.matmul(b),
  mm: ([a, b]) => a.mm(b),
  sum: ([a], r) => (r === null ? a.sum() : a.sum(...pair(r))),
  mean: ([a], r) => (r === null ? a.mean() : a.mean(...pair(r))),
  max: ([a]) => a.max(),
  min: ([a]) => a.min(),
  maxDim: ([a], r) => a.max(...pair(r)).values,
  minDim: ([a], r) => a.min(...pair(r)).values,
  maxDimIndices: ([a], r) => a.max(...pair(r)).indices,
  norm: ([a], r) => {
    const [pp, dim, keepdim] = r as [unknown, number?, boolean?];
    return dim === undefined ? a.norm(p(pp)) : a.norm(p(pp), dim, keepdim);
  },
  reshape: ([a], s) => a.reshape(s as number[]),
  view: ([a], s) => a.view(s as number[]),
  transpose: ([a], r) => a.transpose(...(r as [number, number])),
  t: ([a]) => a.t(),
  T: ([a]) => a.T,
  permute: ([a], r) => a.permute(r as number[]),
  unsqueeze: ([a], d) => a.unsqueeze(num(d)),
  squeeze: ([a], d) => (d === null ? a.squeeze() : a.squeeze(num(d))),
  expand: ([a], s) => a.expand(s as number[]),
  flatten: ([a], r) => a.flatten(...(r as [number, number])),
  clone: ([a]) => a.clone(),
  double: ([a]) => a.double(),
  eq: ([a, b]) => a.eq(b),
  ne: ([a, b]) => a.ne(b),
  gt: ([a, b]) => a.gt(b),
  ge: ([a, b]) => a.ge(b),
  lt: ([a, b]) => a.lt(b),
  le: ([a, b]) => a.le(b),
  gtScalar: ([a], s) => a.gt(num(s)),
};

/** Ops whose float result PyTorch computes with one correctly rounded operation per element: bit-exact here too. */
const EXACT = new Set([
  "add", "addScalar", "sub", "subScalar", "rsubScalar", "mul", "mulScalar", "div", "divScalar", "neg", "abs", "relu",
  "sign", "clamp", "maximum", "minimum", "floorDivide", "max", "min", "maxDim", "minDim", "maxDimIndices", "reshape",
  "view", "transpose", "t", "T", "permute", "unsqueeze", "squeeze", "expand", "flatten", "clone", "double", "eq", "ne",
  "gt", "ge", "lt", "le", "gtScalar", "sqrt",
]);

describe("ops against PyTorch 1.13", () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const leaves = c.inputs.map((i) => fromFixture(i.values, i.shape, i.dtype, i.requiresGrad));
      const out = CALLS[c.call](leaves, c.args);
      assert.deepEqual(out.shape, c.out.shape, "shape");
      assert.equal(out.dtype, c.out.dtype, "dtype");
      assert.equal(out.gradFn?.name ?? null, c.out.gradFn, "grad_fn");
      const exact = EXACT.has(c.call);
      assertClose(out, c.out.values, exact, "value");
      if (c.weight && c.grads) {
        out.mul(fromFixture(c.weight, c.out.shape, c.out.dtype, false)).sum().backward();
        c.grads.forEach((g, i) => {
          if (g === null) assert.equal(leaves[i].grad, null, `grad of input ${i}`);
          else assertClose(leaves[i].grad!, g, false, `grad of input ${i}`);
        });
      }
    });
  }
});

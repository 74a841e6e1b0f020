/**
 * The op catalogue against PyTorch 1.13. Each case in test/fixtures/catalogue_*.json (written by
 * scripts/fixtures/catalogue_*.py) holds a PyTorch expression's results and the Gradlens expression that should give
 * the same: values, shapes, dtypes, grad_fn names, gradients (and second-order gradients), error messages, printed
 * forms. Every differentiable case is also checked by a float64 gradcheck.
 */
import { strict as assert } from "node:assert";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { inspect } from "node:util";
import * as gl from "../../src/engine";
import type { DType, Tensor } from "../../src/engine";
import { type FixtureValue, assertClose, decode, fromFixture, loadFixture } from "./helpers/compare";

interface InputSpec {
  shape: number[];
  dtype: DType;
  values: FixtureValue[];
  requiresGrad: boolean;
}

interface OutputSpec {
  shape: number[];
  dtype: DType;
  values: FixtureValue[];
  gradFn: string | null;
}

interface Case {
  kind: "op" | "error" | "printed";
  name: string;
  js: string;
  inputs: Record<string, InputSpec>;
  exact?: boolean;
  rtol?: number;
  gradcheck?: boolean;
  scalar?: boolean | number | string | null;
  fields?: string[] | null;
  outputs?: OutputSpec[];
  weights?: Array<FixtureValue[] | null>;
  grads?: Record<string, FixtureValue[] | null>;
  doubleWeights?: Record<string, FixtureValue[]>;
  doubleGrads?: Record<string, FixtureValue[] | null>;
  error?: string;
  message?: string;
  text?: string;
}

type Leaves = Record<string, Tensor>;

function evaluate(c: Case, leaves: Leaves): unknown {
  const names = Object.keys(leaves);
  // The fixture's own expression, written for Gradlens: the one place these tests run code from a fixture.
  const fn = new Function("gl", "F", "nn", ...names, `return (${c.js});`) as (...a: unknown[]) => unknown;
  return fn(gl, gl.F, gl.nn, ...names.map((n) => leaves[n]));
}

function leavesOf(c: Case, dtypeOverride?: DType): Leaves {
  const out: Leaves = {};
  for (const [k, spec] of Object.entries(c.inputs)) {
    const floating = spec.dtype === "float32" || spec.dtype === "float64";
    const dtype = dtypeOverride && floating ? dtypeOverride : spec.dtype;
    out[k] = fromFixture(spec.values, spec.shape, dtype, spec.requiresGrad);
  }
  return out;
}

/** A tensor, a named tuple or an array of tensors, as a list. */
function tensorsOf(result: unknown): Tensor[] | null {
  if (result instanceof gl.Tensor) return [result];
  if (result !== null && typeof result === "object" && Symbol.iterator in result) {
    const items = [...(result as Iterable<unknown>)];
    if (items.every((t) => t instanceof gl.Tensor)) return items as Tensor[];
  }
  return null;
}

function closeTo(actual: Tensor, expected: FixtureValue[], rtol: number | undefined, what: string): void {
  if (rtol === undefined) return assertClose(actual, expected, false, what);
  const values = (actual.detach().reshape(-1).tolist() as Array<number | boolean>).map(Number);
  const scale = Math.max(...expected.map((v) => Math.abs(decode(v))).filter(Number.isFinite), 1e-30);
  values.forEach((a, i) => {
    const e = decode(expected[i]);
    if (Number.isNaN(e)) return assert.ok(Number.isNaN(a), `${what}[${i}]: expected nan, got ${a}`);
    if (!Number.isFinite(e)) return assert.equal(a, e, `${what}[${i}]`);
    assert.ok(Math.abs(a - e) <= rtol * (Math.abs(e) + scale), `${what}[${i}]: expected ${e}, got ${a}`);
  });
}

function checkOp(c: Case): void {
  const leaves = leavesOf(c);
  const result = evaluate(c, leaves);
  if (c.outputs === undefined) {
    const expected = typeof c.scalar === "string" ? decode(c.scalar as FixtureValue) : c.scalar;
    const actual = result instanceof gl.Tensor ? result.item() : result;
    if (typeof expected === "number" && typeof actual === "number" && !Number.isInteger(expected)) {
      assert.ok(Math.abs(actual - expected) <= 1e-6 * Math.abs(expected), `expected ${expected}, got ${actual}`);
    } else assert.deepEqual(actual, expected);
    return;
  }
  const outs = tensorsOf(result);
  assert.ok(outs, `expected tensors, got ${inspect(result)}`);
  assert.equal(outs.length, c.outputs.length, "number of outputs");
  if (c.fields) for (const [i, field] of c.fields.entries()) assert.equal((result as Record<string, unknown>)[field], outs[i], `field ${field}`);
  c.outputs.forEach((spec, i) => {
    const out = outs[i];
    assert.deepEqual(out.shape, spec.shape, `shape of output ${i}`);
    assert.equal(out.dtype, spec.dtype, `dtype of output ${i}`);
    assert.equal(out.gradFn?.name ?? null, spec.gradFn, `grad_fn of output ${i}`);
    if (c.exact) assertClose(out, spec.values, true, `output ${i}`);
    else closeTo(out, spec.values, c.rtol, `output ${i}`);
  });
  if (!c.weights || !c.grads) return;
  const wanting = Object.entries(leaves).filter(([, t]) => t.requiresGrad);
  let loss: Tensor | null = null;
  c.weights.forEach((w, i) => {
    if (w === null) return;
    const term = outs[i].mul(fromFixture(w, c.outputs![i].shape, c.outputs![i].dtype, false)).sum();
    loss = loss === null ? term : loss.add(term);
  });
  const double = c.doubleGrads !== undefined;
  const grads = gl.autograd.grad(loss!, wanting.map(([, t]) => t), { createGraph: double, allowUnused: true });
  wanting.forEach(([k], j) => {
    const expected = c.grads![k];
    if (expected === null) assert.ok(grads[j] === null || (grads[j]!.abs().sum().item() as number) === 0, `grad of ${k} should be absent`);
    else closeTo(grads[j]!, expected, c.rtol ?? 1e-5, `grad of ${k}`);
  });
  if (!double) return;
  let second: Tensor | null = null;
  wanting.forEach(([k, t], j) => {
    const g = grads[j];
    if (g === null || !g.requiresGrad) return;
    const term = g.mul(fromFixture(c.doubleWeights![k], t.shape, t.dtype, false)).sum();
    second = second === null ? term : second.add(term);
  });
  if (second === null) {
    // A gradient that does not depend on the inputs (piecewise-linear ops): PyTorch's second derivative is zero.
    for (const [k, expected] of Object.entries(c.doubleGrads!)) {
      assert.ok(expected === null || expected.every((v) => decode(v) === 0), `second-order grad of ${k} should be zero`);
    }
    return;
  }
  const gg = gl.autograd.grad(second, wanting.map(([, t]) => t), { allowUnused: true });
  wanting.forEach(([k], j) => {
    const expected = c.doubleGrads![k];
    if (expected === null || gg[j] === null) {
      const zero = gg[j] === null || (gg[j]!.abs().sum().item() as number) === 0;
      const expectedZero = expected === null || expected.every((v) => decode(v) === 0);
      assert.ok(zero && expectedZero, `second-order grad of ${k}: expected ${expected === null ? "none" : "values"}, got ${gg[j] === null ? "none" : "values"}`);
    } else closeTo(gg[j]!, expected, c.rtol ?? 1e-4, `second-order grad of ${k}`);
  });
}

/** The analytical gradient against central differences in float64, for every differentiable output. */
function gradcheckOp(c: Case): void {
  const leaves = leavesOf(c, "float64");
  const names = Object.keys(leaves);
  const floatOutputs = (r: unknown) => (tensorsOf(r) ?? []).filter((t) => t.dtype === "float64");
  assert.ok(
    gl.autograd.gradcheck(
      (...xs: Tensor[]) => floatOutputs(evaluate(c, Object.fromEntries(names.map((n, i) => [n, xs[i]])))),
      names.map((n) => leaves[n]),
      { eps: 1e-6, atol: 1e-5, rtol: 1e-3 },
    ),
  );
}

function checkError(c: Case): void {
  const leaves = leavesOf(c);
  assert.throws(
    () => {
      const r = evaluate(c, leaves);
      if (r instanceof gl.Tensor && r.requiresGrad) r.sum().backward();
    },
    (e: Error) => {
      assert.equal(e.message, c.message);
      assert.equal(e.name, c.error, "the error's class");
      return true;
    },
  );
}

function checkPrinted(c: Case): void {
  const result = evaluate(c, leavesOf(c));
  assert.equal(typeof result === "string" ? result : inspect(result), c.text);
}

const files = readdirSync(join(__dirname, "..", "fixtures")).filter((f) => /^catalogue_.*\.json$/.test(f)).sort();

for (const file of files) {
  describe(`${file.replace(/\.json$/, "")} against PyTorch 1.13`, () => {
    const { cases } = loadFixture<{ cases: Case[] }>(file);
    for (const c of cases) {
      if (c.kind === "op") {
        it(c.name, () => checkOp(c));
        if (c.gradcheck !== false && c.grads) it(`${c.name}: float64 gradcheck`, () => gradcheckOp(c));
      } else if (c.kind === "error") it(`${c.name}: error`, () => checkError(c));
      else it(`${c.name}: printed`, () => checkPrinted(c));
    }
  });
}

/**
 * Runs one case of scripts/fixtures/fixture_common.py's format against the engine: the error PyTorch raised, or the
 * outputs (values, shape, dtype, grad_fn, whole graph), the warnings, the gradients of sum(out · w) and, where PyTorch
 * computed them, the second derivatives.
 */
import { strict as assert } from "node:assert";
import { autograd, setRecorder, type DType, type Tensor } from "../../../src/engine";
import { type FixtureValue, assertClose, assertNear, fromFixture } from "./compare";
import { graphOf } from "./graph";

export interface FixtureTensor {
  shape: number[];
  dtype: DType;
  values: FixtureValue[];
  requiresGrad: boolean;
}

export interface FixtureOutput {
  shape: number[];
  dtype: DType;
  values: FixtureValue[];
  gradFn: string | null;
  graph: string;
}

export interface FixtureCase {
  name: string;
  call: string;
  args: Record<string, unknown> | null;
  inputs: FixtureTensor[];
  outs?: FixtureOutput[];
  warnings?: string[];
  weights?: FixtureValue[][];
  grads?: Array<FixtureValue[] | null>;
  doubleWeights?: Array<FixtureValue[] | null>;
  grads2?: Array<FixtureValue[] | null>;
  grads2Error?: string;
  backwardError?: { type: string; message: string };
  error?: { type: string; message: string };
}

/** How values are compared: `assertClose`'s few float32 ulps by default. */
export type Compare = (t: Tensor, expected: FixtureValue[], what: string) => void;

export const closeCompare: Compare = (t, expected, what) => assertClose(t, expected, false, what);

/** Second derivatives go through longer formulas, written differently here and in PyTorch (its BCE adds an eps to each
 * factor): agreement to 1e-9 (float64) or 1e-5 (float32) of the element plus the tensor's largest value. */
export const secondCompare: Compare = (t, expected, what) => assertNear(t, expected, what, t.dtype === "float64" ? 1e-9 : 1e-5);

export interface RunOptions {
  /** Values of the outputs (default: closeCompare). */
  values?: Compare;
  /** Gradients (default: the same as values). */
  grads?: Compare;
  /** Second derivatives (default: secondCompare). */
  grads2?: Compare;
  /** Skip comparing output k's values (sign conventions of decompositions, compared otherwise). */
  skipValues?: (k: number) => boolean;
  /** Skip the graph (the grad_fn name is still compared). */
  skipGraph?: boolean;
}

export function leavesOf(c: FixtureCase): Tensor[] {
  return c.inputs.map((i) => fromFixture(i.values, i.shape, i.dtype, i.requiresGrad));
}

/** Calls `fn` with the recorder catching the engine's warnings. */
export function withWarnings<T>(fn: () => T): { result: T; warnings: string[] } {
  const warnings: string[] = [];
  setRecorder({ onTensor() {}, onModified() {}, onBackward() {}, onWarning: (m) => warnings.push(m) });
  try {
    return { result: fn(), warnings };
  } finally {
    setRecorder(null);
  }
}

export function runFixtureCase(c: FixtureCase, call: (leaves: Tensor[]) => Tensor | Tensor[], options: RunOptions = {}): void {
  const values = options.values ?? closeCompare;
  const gradsCompare = options.grads ?? values;
  const leaves = leavesOf(c);
  if (c.error) {
    const { type, message } = c.error;
    assert.throws(() => withWarnings(() => call(leaves)), (e: Error) => {
      assert.equal(e.message, message);
      assert.equal(e.name, type);
      return true;
    });
    return;
  }
  const { result, warnings } = withWarnings(() => call(leaves));
  const outs = Array.isArray(result) ? result : [result];
  assert.deepEqual(warnings, c.warnings ?? [], "warnings");
  const expected = c.outs!;
  assert.equal(outs.length, expected.length, "number of outputs");
  outs.forEach((out, k) => {
    const e = expected[k];
    assert.deepEqual(out.shape, e.shape, `shape of output ${k}`);
    assert.equal(out.dtype, e.dtype, `dtype of output ${k}`);
    assert.equal(out.gradFn?.name ?? null, e.gradFn, `grad_fn of output ${k}`);
    if (!options.skipGraph) assert.equal(graphOf(out), e.graph, `graph of output ${k}`);
    if (!options.skipValues?.(k)) values(out, e.values, `output ${k}`);
  });
  if (!c.weights) return;
  const wrt = leaves.filter((t) => t.requiresGrad);
  const loss = outs
    .map((o, k) => (o.requiresGrad ? o.mul(fromFixture(c.weights![k], o.shape, o.dtype, false)).sum() : null))
    .filter((t): t is Tensor => t !== null)
    .reduce((a, b) => a.add(b));
  const second = c.grads2 !== undefined || c.grads2Error !== undefined;
  if (c.backwardError) {
    const { type, message } = c.backwardError;
    assert.throws(() => autograd.grad(loss, wrt, { allowUnused: true }), (e: Error) => e.name === type && e.message === message);
    return;
  }
  const grads = autograd.grad(loss, wrt, { allowUnused: true, createGraph: second });
  const byLeaf = new Map(wrt.map((t, i) => [t, grads[i]]));
  leaves.forEach((t, i) => {
    const expectedGrad = c.grads![i];
    const g = byLeaf.get(t) ?? null;
    if (expectedGrad === null) return assert.ok(g === null || !t.requiresGrad, `grad of input ${i} should be None`);
    assert.ok(g !== null, `grad of input ${i} is missing`);
    gradsCompare(g, expectedGrad, `grad of input ${i}`);
  });
  if (!c.grads2 || !c.doubleWeights) return;
  const terms = leaves
    .map((t, i) => {
      const g = byLeaf.get(t);
      const v = c.doubleWeights![i];
      return g && v ? g.mul(fromFixture(v, t.shape, t.dtype, false)).sum() : null;
    })
    .filter((t): t is Tensor => t !== null);
  const grads2 = autograd.grad(terms.reduce((a, b) => a.add(b)), wrt, { allowUnused: true });
  const byLeaf2 = new Map(wrt.map((t, i) => [t, grads2[i]]));
  leaves.forEach((t, i) => {
    const e = c.grads2![i];
    if (e === null) return;
    const g = byLeaf2.get(t) ?? null;
    // PyTorch gives zeros where the engine's graph never reaches: both mean "no dependence".
    if (g === null) return assert.ok(e.every((v) => v === 0), `second derivative of input ${i} is missing`);
    (options.grads2 ?? secondCompare)(g, e, `second derivative of input ${i}`);
  });
}

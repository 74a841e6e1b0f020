/**
 * Views, indexing and in-place writes through views against PyTorch 1.13: the programs of
 * scripts/fixtures/views_fixtures.py run step by step in Gradlens, then every register's values, shape, strides,
 * storage offset, contiguity, version, grad_fn name and base, the gradient that reaches x, and every error message.
 * Then 300 random chains of views, each compared with PyTorch's strides, offset and values.
 */
import { strict as assert } from "node:assert";
import * as gl from "../../src/engine";
import type { Tensor } from "../../src/engine";
import { type FixtureValue, assertClose, loadFixture } from "./helpers/compare";
import { type Json, type Registers, runChainStep, runStep } from "./helpers/view_program";

interface Described {
  shape: number[];
  stride: number[];
  offset: number;
  contiguous: boolean;
  version: number;
  gradFn: string | null;
  requiresGrad: boolean;
  isLeaf: boolean;
  base: string | null;
  values: FixtureValue[];
  dtype: string;
}

interface Program {
  name: string;
  shape: number[];
  x: number[];
  c: number[];
  steps: Json[][];
  done: number;
  error: { type: string; message: string } | null;
  registers: Record<string, Described>;
  /** The register backward starts from (sum(w * root)), or null for none. */
  root: string | null;
  weight?: FixtureValue[];
  xGrad?: FixtureValue[] | null;
  backwardError?: { type: string; message: string };
}

interface Chain {
  shape: number[];
  steps: Json[][];
  out: { shape: number[]; stride: number[]; offset: number; contiguous: boolean; values: number[] };
}

const fixture = loadFixture<{ programs: Program[]; chains: Chain[] }>("views.json");

/** Gradlens's hint names its own API where PyTorch's names torch.autograd.set_detect_anomaly. */
function sameMessage(actual: string, expected: string): boolean {
  const cut = (m: string) => m.replace(/ Hint: .*$/, "");
  return cut(actual) === cut(expected);
}

function errorOf(e: unknown): { type: string; message: string } {
  const err = e as Error;
  return { type: err.constructor.name, message: err.message };
}

function nameOf(regs: Registers, t: Tensor | null): string | null {
  if (t === null) return null;
  for (const [k, v] of regs) if (v === t) return k;
  return "?";
}

describe("views, indexing and in-place writes through views, against PyTorch 1.13", () => {
  for (const p of fixture.programs) {
    it(p.name, () => {
      const x = gl.tensor(p.x).reshape(p.shape).detach().requiresGrad_();
      const regs: Registers = new Map([["x", x], ["y", x.mul(1)], ["c", gl.tensor(p.c).reshape(p.shape).detach()]]);
      let error: { type: string; message: string } | null = null;
      let done = 0;
      for (const step of p.steps) {
        try {
          runStep(step, regs);
          done++;
        } catch (e) {
          error = errorOf(e);
          break;
        }
      }
      if (p.error) {
        assert.ok(error, `expected ${p.error.type}: ${p.error.message}`);
        assert.ok(sameMessage(error.message, p.error.message), `message:\n  got      ${error.message}\n  expected ${p.error.message}`);
        assert.equal(error.type, p.error.type);
      } else if (error) assert.fail(`step ${done} threw ${error.type}: ${error.message}`);
      assert.equal(done, p.done, "steps done");
      for (const [name, want] of Object.entries(p.registers)) {
        const t = regs.get(name);
        assert.ok(t, `register ${name}`);
        const what = `${name}`;
        assert.deepEqual(t.shape, want.shape, `${what}.shape`);
        assert.deepEqual(t.stride(), want.stride, `${what}.stride()`);
        assert.equal(t.storageOffset(), want.offset, `${what}.storageOffset()`);
        assert.equal(t.isContiguous(), want.contiguous, `${what}.isContiguous()`);
        assert.equal(t._version, want.version, `${what}._version`);
        assert.equal(t.gradFn?.name ?? null, want.gradFn, `${what}.gradFn`);
        assert.equal(t.requiresGrad, want.requiresGrad, `${what}.requiresGrad`);
        assert.equal(t.isLeaf, want.isLeaf, `${what}.isLeaf`);
        assert.equal(nameOf(regs, t._base), want.base, `${what}._base`);
        // Float32 transcendental results may differ in the last bit (bit-exact kernels are their own tests).
        assertClose(t, want.values, t.dtype !== "float32", `${what} values`);
      }
      if (p.weight === undefined) return;
      const root = regs.get(p.root!)!;
      const w = gl.tensor(p.weight.map(Number)).reshape(root.shape);
      try {
        root.mul(w).sum().backward();
      } catch (e) {
        assert.ok(p.backwardError, `backward threw ${errorOf(e).message}`);
        assert.ok(sameMessage(errorOf(e).message, p.backwardError.message), `backward error:\n  got      ${errorOf(e).message}\n  expected ${p.backwardError.message}`);
        return;
      }
      assert.equal(p.backwardError, undefined, "PyTorch's backward raised");
      if (p.xGrad === null) assert.equal(x.grad, null);
      else assertClose(x.grad!, p.xGrad!, false, "x.grad");
    });
  }

  it("300 random chains of views give PyTorch's strides, offsets and values", () => {
    let checked = 0;
    for (const chain of fixture.chains) {
      const n = chain.shape.reduce((a, b) => a * b, 1);
      let t = gl.arange(n).reshape(chain.shape);
      for (const step of chain.steps) t = runChainStep(t, step);
      const what = `chain ${JSON.stringify(chain.steps)} on ${JSON.stringify(chain.shape)}`;
      assert.deepEqual(t.shape, chain.out.shape, `${what}: shape`);
      assert.deepEqual(t.stride(), chain.out.stride, `${what}: stride`);
      assert.equal(t.storageOffset(), chain.out.offset, `${what}: offset`);
      assert.equal(t.isContiguous(), chain.out.contiguous, `${what}: contiguous`);
      assert.deepEqual(t.contiguous().reshape(-1).tolist(), chain.out.values, `${what}: values`);
      checked++;
    }
    assert.equal(checked, 300);
  });
});

/**
 * autograd.functional against PyTorch 1.13 (scripts/fixtures/functional_fixtures.py → test/fixtures/functional.json):
 * jacobian, hessian, vjp, jvp, hvp, vhp on the same named functions, with tensor and tuple inputs and outputs,
 * createGraph (then a gradient through the results), strict and vectorize: the results' nesting, values,
 * requires_grad, and PyTorch's errors; and autograd.gradgradcheck's verdicts, including on a wrong double backward.
 */
import { strict as assert } from "node:assert";
import * as gl from "../../src/engine";
import { F, Slice, autograd, tensor, type DType, type Tensor } from "../../src/engine";
import { type FixtureValue, assertNear, decode, loadFixture } from "./helpers/compare";

interface Encoded {
  shape: number[];
  dtype: DType;
  values: FixtureValue[];
  requiresGrad: boolean;
}
type Nested = Encoded | Nested[];

interface Case {
  name: string;
  fn: string;
  call: "jacobian" | "hessian" | "vjp" | "jvp" | "hvp" | "vhp";
  options: Record<string, unknown>;
  inputs: Encoded | { tuple: Encoded[] };
  v: Encoded | { tuple: Encoded[] } | null;
  result?: Nested;
  outerGrads?: Array<FixtureValue[] | null>;
  error?: { type: string; message: string };
}

interface ForwardCase {
  name: string;
  fn: string;
  primals: Encoded[];
  tangents: Encoded[];
  outs: Array<{ primal: Encoded; tangent: Encoded | null }>;
  printed: string[];
  unpacked: string;
}

const fixture = loadFixture<{
  cases: Case[];
  X: FixtureValue[];
  Y: FixtureValue[];
  gradgradcheck: Record<string, boolean>;
  forward: ForwardCase[];
  forwardErrors: Record<string, string>;
}>("functional.json");
const X = tensor(fixture.X.map(decode), { dtype: "float64" }).reshape(4, 3);
const Y = tensor(fixture.Y.map(decode), { dtype: "float64" }).reshape(4, 2);

type Fn = (...t: Tensor[]) => Tensor | Tensor[];
const FUNCS: Record<string, Fn> = {
  cubeSum: (x) => x.pow(3).sum(),
  expTanh: (x) => x.exp().mul(x.tanh()).sum(),
  square3: (x) => x.pow(2).mul(3),
  sinMix: (x, y) => x.mul(y.sin()).add(y),
  scalarOfTwo: (x, y) => x.mul(y.exp()).sum().add(x.pow(2).sum()),
  twoOut: (x) => [x.exp(), x.sum()],
  matvecAndNorm: (x, y) => [x.matmul(y), x.pow(2).sum()],
  linear: (x) => x.mul(2),
  linearSum: (x) => x.mul(2).sum(),
  ignoresY: (x) => x.pow(2),
  ignoresYScalar: (x) => x.pow(2).sum(),
  constant: () => gl.ones(3),
  rosenbrock: (x) => {
    const head = x.index([Slice(null, -1)]);
    const tail = x.index([Slice(1, null)]);
    return gl.sub(1, head).pow(2).add(tail.sub(head.pow(2)).pow(2).mul(100)).sum();
  },
  mlpLoss: (w, b) => F.mseLoss(X.matmul(w).add(b).tanh(), Y),
  viewAndInplace: (x) => [x.index([Slice(1, null)]).mul(2), x.clone().mul_(x)],
  unbindStack: (x) => gl.stack(x.unbind(0).reverse()).sin(),
  softmaxCe: (x) => F.crossEntropy(x, tensor([0, 2], { dtype: "int64" })),
  detAndSolve: (a) => [gl.linalg.det(a), gl.linalg.solve(a, gl.ones(a.shape[0], { dtype: a.dtype }))],
};

function decodeTensor(e: Encoded, requiresGrad: boolean): Tensor {
  const t = tensor(e.values.map(decode), { dtype: e.dtype }).reshape(e.shape);
  return requiresGrad ? t.requiresGrad_() : t;
}

function decodeArg(a: Encoded | { tuple: Encoded[] }, requiresGrad: boolean): Tensor | Tensor[] {
  return "tuple" in a ? a.tuple.map((e) => decodeTensor(e, requiresGrad)) : decodeTensor(a, requiresGrad);
}

function flatten(r: unknown): Tensor[] {
  return Array.isArray(r) ? r.flatMap(flatten) : [r as Tensor];
}

/** The engine's result against PyTorch's: the same nesting (arrays for tuples), shapes, values and requires_grad. */
function compare(actual: unknown, expected: Nested, path: string): void {
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: PyTorch returned a tuple`);
    assert.equal(actual.length, expected.length, `${path}: tuple length`);
    expected.forEach((e, i) => compare(actual[i], e, `${path}[${i}]`));
    return;
  }
  assert.ok(actual instanceof gl.Tensor, `${path}: PyTorch returned a tensor`);
  assert.deepEqual(actual.shape, expected.shape, `${path}: shape`);
  assert.equal(actual.dtype, expected.dtype, `${path}: dtype`);
  assert.equal(actual.requiresGrad, expected.requiresGrad, `${path}: requires_grad`);
  assertNear(actual, expected.values, `${path}: values`, actual.dtype === "float64" ? 1e-12 : 1e-6);
}

function run(c: Case): unknown {
  const { inputsRequireGrad, ...options } = c.options as { inputsRequireGrad?: boolean } & Record<string, unknown>;
  const inputs = decodeArg(c.inputs, inputsRequireGrad ?? false);
  const v = c.v ? decodeArg(c.v, false) : null;
  const fn = FUNCS[c.fn];
  const af = autograd.functional;
  const result =
    c.call === "jacobian" ? af.jacobian(fn, inputs, options) : c.call === "hessian" ? af.hessian(fn, inputs, options) : af[c.call](fn, inputs, v, options);
  return { result, inputs };
}

describe("autograd.functional against PyTorch 1.13", () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      if (c.error) {
        assert.throws(() => run(c), (e: Error) => {
          assert.equal(e.message, c.error!.message);
          assert.equal(e.name, c.error!.type === "NotImplementedError" ? "RuntimeError" : c.error!.type);
          return true;
        });
        return;
      }
      const { result, inputs } = run(c) as { result: unknown; inputs: Tensor | Tensor[] };
      compare(result, c.result!, c.call);
      if (!c.outerGrads) return;
      const leaves = (Array.isArray(inputs) ? inputs : [inputs]).filter((t) => t.requiresGrad);
      const total = flatten(result)
        .filter((t) => t.requiresGrad)
        .map((t) => t.sum())
        .reduce((a, b) => a.add(b));
      const grads = autograd.grad(total, leaves, { allowUnused: true });
      c.outerGrads.forEach((e, i) => {
        if (e === null) return assert.equal(grads[i], null);
        assertNear(grads[i]!, e, `gradient through the result, input ${i}`, 1e-12);
      });
    });
  }
});

describe("autograd.gradgradcheck", () => {
  const r = (...shape: number[]) => gl.rand(shape, { dtype: "float64" }).requiresGrad_();
  it("passes where PyTorch's passes", () => {
    assert.equal(fixture.gradgradcheck["tanh of a product"], true);
    assert.equal(autograd.gradgradcheck((a, b) => a.mul(b).tanh(), [r(3), r(3)]), true);
    assert.equal(fixture.gradgradcheck.cross_entropy, true);
    assert.equal(autograd.gradgradcheck((a) => F.crossEntropy(a, tensor([0, 2], { dtype: "int64" })), [r(2, 3)]), true);
  });

  it("fails on a Function whose backward is right once but not twice", () => {
    // x³ with backward 3x²·g written through a detached x: first derivatives are right, second ones are not.
    class Cube extends autograd.Function {
      static override forward(ctx: autograd.FunctionCtx, x: Tensor): Tensor {
        ctx.saveForBackward(x);
        return x.pow(3);
      }
      static override backward(ctx: autograd.FunctionCtx, g: Tensor): Tensor {
        const [x] = ctx.savedTensors;
        return g.mul(x.detach().pow(2).mul(3));
      }
    }
    const x = r(3);
    assert.equal(autograd.gradcheck((t) => Cube.apply(t), [x]), true);
    assert.equal(autograd.gradgradcheck((t) => Cube.apply(t), [x], { raiseException: false }), false);
    assert.throws(() => autograd.gradgradcheck((t) => Cube.apply(t), [x]), /Jacobian mismatch/);
  });
});

/** A 0-dim dual prints its tangent as a Python float, all 17 digits: there, agreement to 1e-12 (the last bits of a
 * float64 jvp depend on the order its sums run in); everything else to the character. */
function samePrint(actual: string, expected: string): void {
  const pattern = /tangent=(-?[0-9.]+(?:e[-+][0-9]+)?)\)$/;
  const a = actual.match(pattern);
  const e = expected.match(pattern);
  if (!a || !e) return assert.equal(actual, expected);
  assert.equal(actual.slice(0, a.index), expected.slice(0, e.index));
  assert.ok(Math.abs(Number(a[1]) - Number(e[1])) <= 1e-12 * Math.abs(Number(e[1])), `${actual} vs ${expected}`);
}

describe("autograd.forwardAd against PyTorch 1.13", () => {
  const fw = autograd.forwardAd;
  for (const c of fixture.forward) {
    it(`${c.name}: primals, tangents (J·v) and the dual tensors' print`, () => {
      fw.dualLevel(() => {
        const duals = c.primals.map((p, i) => fw.makeDual(decodeTensor(p, false), decodeTensor(c.tangents[i], false)));
        const out = FUNCS[c.fn](...duals);
        const outs = Array.isArray(out) ? out : [out];
        assert.equal(outs.length, c.outs.length);
        outs.forEach((o, k) => {
          const { primal, tangent } = fw.unpackDual(o);
          compare(primal, c.outs[k].primal, `output ${k} primal`);
          if (c.outs[k].tangent === null) assert.equal(tangent, null);
          else compare(tangent, c.outs[k].tangent!, `output ${k} tangent`);
          samePrint(String(o), c.printed[k]);
        });
        assert.equal(String(fw.unpackDual(outs[0])), c.unpacked);
        // The tangent is the Jacobian-vector product: the same as autograd.functional.jvp.
        const primals = c.primals.map((p) => decodeTensor(p, false));
        const tangents = c.tangents.map((t) => decodeTensor(t, false));
        const [, jv] = autograd.functional.jvp(FUNCS[c.fn], primals, tangents);
        flatten(jv).forEach((t, k) => assertNear(t, c.outs[k].tangent!.values, `jvp output ${k}`, 1e-5));
      });
    });
  }

  it("PyTorch's errors: no level, a tangent of another size, a nested level; tangents end with the level", () => {
    const x = tensor([1, 2, 3], { dtype: "float64" });
    assert.throws(() => fw.makeDual(x, x), { message: fixture.forwardErrors.noLevel });
    let kept: Tensor | null = null;
    fw.dualLevel(() => {
      assert.throws(() => fw.makeDual(x, tensor([1, 2])), { message: fixture.forwardErrors.size });
      assert.throws(() => fw.dualLevel(() => 0), { message: fixture.forwardErrors.nested });
      kept = fw.makeDual(x, x).mul(2);
      assert.ok(fw.unpackDual(kept).tangent);
    });
    assert.equal(fw.unpackDual(kept!).tangent, null);
    assert.equal(String(kept!), "tensor([2., 4., 6.], dtype=torch.float64)");
  });

  it("a dual tensor records no graph: its outputs require no grad unless its primal does", () => {
    fw.dualLevel(() => {
      const y = fw.makeDual(tensor([1, 2]), tensor([1, 0])).exp().sum();
      assert.equal(y.gradFn, null);
      assert.equal(y.requiresGrad, false);
      const w = tensor([1, 2]).requiresGrad_();
      const z = fw.makeDual(w, tensor([0, 1])).mul(3).sum();
      assert.equal(z.gradFn?.name, "SumBackward0");
      z.backward();
      assert.deepEqual(w.grad!.tolist(), [3, 3]);
      assert.equal(fw.unpackDual(z).tangent!.item(), 3);
    });
  });
});

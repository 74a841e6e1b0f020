/**
 * Joining, splitting and selecting ops against PyTorch 1.13: values, shapes, dtypes, grad_fn names, versions after
 * in-place calls, the gradient of every input for sum(out_k * w_k), warnings, and error types and messages.
 * Fixtures: scripts/fixtures/joining_fixtures.py → test/fixtures/joining.json.
 */
import { strict as assert } from "node:assert";
import * as gl from "../../src/engine";
import type { DType, Recorder, Tensor } from "../../src/engine";
import { type FixtureValue, assertClose, fromFixture, loadFixture } from "./helpers/compare";

interface Described {
  shape: number[];
  dtype: DType;
  values: FixtureValue[];
  requiresGrad: boolean;
}

interface JoinCase {
  name: string;
  call: string;
  args: unknown;
  inputs: Described[];
  multi?: boolean;
  outs?: Array<{ shape: number[]; dtype: DType; values: FixtureValue[]; gradFn: string | null; next: Array<string | null> | null; version: number }>;
  warnings?: string[];
  weights?: Array<FixtureValue[] | null>;
  grads?: Array<FixtureValue[] | null>;
  error?: { type: string; message: string; prefix?: boolean };
}

const fixture = loadFixture<{ cases: JoinCase[] }>("joining.json");

type Result = Tensor | Tensor[];
type Call = (t: Tensor[], a: unknown) => Result;

const num = (a: unknown) => a as number;
const nums = (a: unknown) => a as number[];
const pair = <A, B>(a: unknown) => a as [A, B];

/** Arguments of an in-place call, in order: `arg:i` is a JSON argument, `in:i` an input. */
function ordered(t: Tensor[], a: unknown): Array<Tensor | number> {
  const { order, values } = a as { order: string[]; values: number[] };
  return order.map((spec) => {
    const [kind, i] = spec.split(":");
    return kind === "arg" ? values[Number(i)] : t[Number(i)];
  });
}

type Method = (this: Tensor, ...args: Array<Tensor | number>) => Tensor;
const method = (name: string) => (self: Tensor, args: Array<Tensor | number>) => ((self as unknown as Record<string, Method>)[name]).apply(self, args);

/** The in-place method on a clone of input 0. */
const onClone = (name: string): Call => (t, a) => {
  const y = t[0].clone();
  method(name)(y, ordered(t, a));
  return y;
};

/** The in-place method on row 1 of a clone of input 0 (the clone's history becomes CopySlices). */
const onView = (name: string): Call => (t, a) => {
  const y = t[0].clone();
  method(name)(y.select(0, 1), ordered(t, a));
  return y;
};

const backwardOf = (f: Call): Call => (t, a) => {
  const out = f(t, a) as Tensor;
  out.sum().backward();
  return out;
};

const scatterReduce: Call = (t, a) => {
  const [dim, reduce] = pair<number, "add" | "multiply">(a);
  return t[0].scatter(dim, t[1], t[2], { reduce });
};

const CALLS: Record<string, Call> = {
  cat: (t, a) => gl.cat(t, num(a)),
  concat: (t, a) => gl.concat(t, num(a)),
  stack: (t, a) => gl.stack(t, num(a)),
  hstack: (t) => gl.hstack(t),
  vstack: (t) => gl.vstack(t),
  dstack: (t) => gl.dstack(t),
  columnStack: (t) => gl.columnStack(t),
  where: (t) => gl.where(t[0], t[1], t[2]),
  whereScalarOther: (t, a) => gl.where(t[0], t[1], num(a)),
  whereScalarInput: (t, a) => gl.where(t[0], num(a), t[1]),
  whereScalars: (t, a) => gl.where(t[0], ...pair<number, number>(a)),
  whereMethod: (t) => t[1].where(t[0], t[2]),
  whereCondition: (t) => gl.where(t[0]),
  gather: (t, a) => gl.gather(t[0], num(a), t[1]),
  scatter: (t, a) => t[0].scatter(num(a), t[1], t[2]),
  scatterBackward: backwardOf((t, a) => t[0].scatter(num(a), t[1], t[2])),
  scatterValue: (t, a) => t[0].scatter(nums(a)[0], t[1], nums(a)[1]),
  scatterReduce,
  scatterReduceBackward: backwardOf(scatterReduce),
  scatterValueReduce: (t, a) => {
    const [dim, value, reduce] = a as [number, number, "add" | "multiply"];
    return t[0].scatter(dim, t[1], value, { reduce });
  },
  scatter_: onClone("scatter_"),
  scatterAdd: (t, a) => t[0].scatterAdd(num(a), t[1], t[2]),
  scatterAdd_: onClone("scatterAdd_"),
  take: (t) => gl.take(t[0], t[1]),
  indexSelect: (t, a) => gl.indexSelect(t[0], num(a), t[1]),
  indexAdd: (t, a) => t[0].indexAdd(num(a), t[1], t[2]),
  indexAddAlpha: (t, a) => t[0].indexAdd(nums(a)[0], t[1], t[2], { alpha: nums(a)[1] }),
  indexAdd_: onClone("indexAdd_"),
  indexCopy: (t, a) => t[0].indexCopy(num(a), t[1], t[2]),
  indexCopy_: onClone("indexCopy_"),
  indexFill: (t, a) => t[0].indexFill(nums(a)[0], t[1], nums(a)[1]),
  indexFillTensor: (t, a) => t[0].indexFill(num(a), t[1], t[2]),
  indexFill_: onClone("indexFill_"),
  maskedFill: (t, a) => t[0].maskedFill(t[1], num(a)),
  maskedFillTensor: (t) => t[0].maskedFill(t[1], t[2]),
  maskedFill_: onClone("maskedFill_"),
  maskedFill_view: onView("maskedFill_"),
  maskedFill_leaf: (t, a) => t[0].maskedFill_(t[1], num(a)),
  maskedSelect: (t) => gl.maskedSelect(t[0], t[1]),
  maskedScatter: (t) => t[0].maskedScatter(t[1], t[2]),
  maskedScatter_: onClone("maskedScatter_"),
  nonzero: (t) => gl.nonzero(t[0]),
  nonzeroTuple: (t) => gl.nonzero(t[0], { asTuple: true }),
  argwhere: (t) => gl.argwhere(t[0]),
  flip: (t, a) => gl.flip(t[0], nums(a)),
  fliplr: (t) => gl.fliplr(t[0]),
  flipud: (t) => gl.flipud(t[0]),
  roll: (t, a) => gl.roll(t[0], ...pair<number | number[], number | number[]>(a)),
  rollFlat: (t, a) => gl.roll(t[0], num(a)),
  repeat: (t, a) => t[0].repeat(...nums(a)),
  tile: (t, a) => gl.tile(t[0], nums(a)),
  repeatInterleave: (t, a) => gl.repeatInterleave(t[0], ...pair<number, number | null>(a)),
  repeatInterleaveTensor: (t, a) => gl.repeatInterleave(t[0], t[1], num(a)),
  repeatInterleaveRepeats: (t) => gl.repeatInterleave(t[0]),
  tril: (t, a) => gl.tril(t[0], num(a)),
  triu: (t, a) => gl.triu(t[0], num(a)),
  tril_: onClone("tril_"),
  triu_view: onView("triu_"),
  tril_leaf: (t) => t[0].tril_(),
  diag: (t, a) => gl.diag(t[0], num(a)),
  diagEmbed: (t, a) => gl.diagEmbed(t[0], ...nums(a)),
  diagflat: (t, a) => gl.diagflat(t[0], num(a)),
  diagflatTransposed: (t, a) => gl.diagflat(t[0].t(), num(a)),
  oneHot: (t, a) => gl.F.oneHot(t[0], num(a)),
  meshgrid: (t, a) => gl.meshgrid(...t, { indexing: a as gl.MeshgridIndexing }),
  meshgridDefault: (t) => gl.meshgrid(...t),
  combinations: (t, a) => gl.combinations(t[0], ...pair<number, boolean>(a)),
  cartesianProd: (t) => gl.cartesianProd(...t),
};

/** Ops whose float results add or multiply values: PyTorch's float32 arithmetic may round in another order. */
const ARITHMETIC = new Set(["indexAdd", "indexAddAlpha", "indexAdd_", "scatterAdd", "scatterAdd_", "scatterReduce", "scatterValueReduce"]);

/** Runs `fn` with a recorder that collects the warnings (and nothing else). */
function collectWarnings<T>(fn: () => T): { result: T; warnings: string[] } {
  const warnings: string[] = [];
  const recorder: Recorder = { onTensor() {}, onModified() {}, onBackward() {}, onWarning: (m) => warnings.push(m) };
  gl.setRecorder(recorder);
  try {
    return { result: fn(), warnings };
  } finally {
    gl.setRecorder(null);
  }
}

describe("joining, splitting and selecting against PyTorch 1.13", () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const call = CALLS[c.call];
      assert.ok(call, `no call ${c.call}`);
      const leaves = c.inputs.map((i) => fromFixture(i.values, i.shape, i.dtype, i.requiresGrad));
      if (c.error) {
        const { type, message, prefix } = c.error;
        assert.throws(() => call(leaves, c.args), (e: Error) => {
          assert.equal(e.name, type, `error type (message: ${e.message})`);
          if (prefix) assert.ok(e.message.startsWith(message), `message ${JSON.stringify(e.message)} starts with ${JSON.stringify(message)}`);
          else assert.equal(e.message, message);
          return true;
        });
        return;
      }
      const { result, warnings } = collectWarnings(() => call(leaves, c.args));
      assert.deepEqual(warnings, c.warnings ?? [], "warnings");
      const outs = Array.isArray(result) ? result : [result];
      assert.equal(Array.isArray(result), c.multi, "several outputs");
      assert.equal(outs.length, c.outs!.length, "number of outputs");
      outs.forEach((out, k) => {
        const want = c.outs![k];
        assert.deepEqual(out.shape, want.shape, `shape of output ${k}`);
        assert.equal(out.dtype, want.dtype, `dtype of output ${k}`);
        assert.equal(out.gradFn?.name ?? null, want.gradFn, `grad_fn of output ${k}`);
        assert.deepEqual(out.gradFn?.nextFunctions.map(([n]) => n?.name ?? null) ?? null, want.next, `next_functions of output ${k}`);
        assert.equal(out._version, want.version, `version of output ${k}`);
        assertClose(out, want.values, !ARITHMETIC.has(c.call), `value of output ${k}`);
      });
      if (c.weights && c.grads) {
        let loss: Tensor | null = null;
        outs.forEach((out, k) => {
          const w = c.weights![k];
          if (w === null) return;
          const term = out.mul(fromFixture(w, out.shape, out.dtype, false)).sum();
          loss = loss === null ? term : loss.add(term);
        });
        loss!.backward();
        // A float64 input's gradient that passed through float32 outputs has float32's precision.
        const float32 = outs.some((o) => o.dtype === "float32");
        c.grads.forEach((g, i) => {
          const grad = leaves[i].grad;
          if (g === null) assert.equal(grad, null, `grad of input ${i}`);
          else assertClose(float32 ? grad!.float() : grad!, g, false, `grad of input ${i}`);
        });
      }
    });
  }
});

describe("whole-valued float indices (Gradlens's tensor([0, 2]) is float32)", () => {
  const x = gl.tensor([[1, 2, 3], [4, 5, 6]]);
  const cases: Array<[string, (i: (v: number[] | number[][]) => Tensor) => Tensor]> = [
    ["gather", (i) => x.gather(1, i([[2, 0], [1, 1]]))],
    ["scatter", (i) => x.scatter(1, i([[2, 0], [1, 1]]), 0)],
    ["scatterAdd", (i) => x.scatterAdd(0, i([[1, 0, 1]]), gl.ones(1, 3))],
    ["indexSelect", (i) => x.indexSelect(1, i([2, 0]))],
    ["indexAdd", (i) => x.indexAdd(0, i([1, 1]), gl.ones(2, 3))],
    ["indexFill", (i) => x.indexFill(1, i([0]), -1)],
    ["take", (i) => x.take(i([5, 0]))],
    ["oneHot", (i) => gl.F.oneHot(i([0, 2, 1]))],
    ["repeatInterleave", (i) => x.repeatInterleave(i([2, 0]), 0)],
  ];
  for (const [name, f] of cases) {
    it(`${name}: the same values as with int64, and a note in the Trace`, () => {
      const asInt = f((v) => gl.tensor(v, { dtype: "int64" }));
      const notes: string[] = [];
      gl.setRecorder({ onTensor() {}, onModified() {}, onBackward() {}, onWarning() {}, onNote: (m) => notes.push(m) });
      let asFloat: Tensor;
      try {
        asFloat = f((v) => gl.tensor(v));
      } finally {
        gl.setRecorder(null);
      }
      assert.deepEqual(asFloat.tolist(), asInt.tolist());
      assert.equal(asFloat.dtype, asInt.dtype);
      assert.equal(notes.length, 1);
      assert.match(notes[0], /whole numbers/);
    });
  }
});

describe("masks of 0 and 1 in another dtype", () => {
  // PyTorch 1.13 accepts them, then fills nothing for a float mask (a bug); Gradlens reads them as the bool mask they
  // spell, as PyTorch does for int64 (Gradlens's tensor([1, 0]) is float32 where PyTorch's is int64).
  const x = gl.tensor([[1, 2, 3], [4, 5, 6]]);
  const bool = gl.tensor([[true, false, true], [false, false, true]]);
  for (const dtype of ["float32", "int64"] as const) {
    const m = gl.tensor([[1, 0, 1], [0, 0, 1]], { dtype });
    it(`maskedFill with a ${dtype} mask`, () => assert.deepEqual(x.maskedFill(m, 9).tolist(), x.maskedFill(bool, 9).tolist()));
    it(`maskedScatter with a ${dtype} mask`, () => {
      const source = gl.arange(6).float();
      assert.deepEqual(x.maskedScatter(m, source).tolist(), x.maskedScatter(bool, source).tolist());
    });
  }
});

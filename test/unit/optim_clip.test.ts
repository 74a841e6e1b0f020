/**
 * nn.utils: clipGradNorm_ / clipGradValue_ against PyTorch 1.13 (the clipped gradients bit for bit for the 2-norm,
 * the inf-norm, the 1-norm and clamping; within a few float ulps for other p, where PyTorch calls powf), and
 * parametersToVector / vectorToParameters. Fixtures: scripts/fixtures/optim_fixtures.py → test/fixtures/optim.json.
 */
import { strict as assert } from "node:assert";
import { nn, tensor } from "../../src/engine";
import { loadFixture } from "./helpers/compare";
import { maxUlp, type Packed, unpack, unpackParameter, unpackTensor } from "./helpers/packed";

interface ClipCase {
  kind: "norm" | "value";
  args: { maxNorm?: number; normType?: number | "inf"; clipValue?: number };
  dtype: "float32" | "float64";
  names: string[];
  shapes: Record<string, number[]>;
  before: Record<string, Packed>;
  after: Record<string, Packed>;
  total: number | null;
}

interface Fixture {
  clip: {
    cases: ClipCase[];
    nonfinite: { type: string; message: string };
    vector: { vec: Packed; gradFn: string; weight: Packed; grads: Packed[]; shapes: number[][] };
  };
}

const { clip } = loadFixture<Fixture>("optim.json");

describe("nn.utils: gradient clipping as PyTorch clips", () => {
  for (const c of clip.cases) {
    const label = c.kind === "norm" ? `clipGradNorm_(maxNorm=${c.args.maxNorm}, normType=${c.args.normType ?? 2})` : `clipGradValue_(${c.args.clipValue})`;
    it(`${label}, ${c.dtype}`, () => {
      const params = c.names.map((n) => {
        const p = unpackParameter(c.before[n], c.shapes[n]);
        p.grad = unpackTensor(c.before[n], c.shapes[n]);
        return p;
      });
      const exact = c.kind === "value" || [2, "inf", 1, undefined].includes(c.args.normType);
      const allowed = exact ? 0 : 4;
      if (c.kind === "norm") {
        const total = nn.utils.clipGradNorm_(params, c.args.maxNorm!, c.args.normType ?? 2);
        assert.equal(total.dtype, c.dtype);
        assert.ok(maxUlp([total.item()], [c.total!], c.dtype) <= allowed, `total norm ${total.item()} vs ${c.total}`);
      } else {
        nn.utils.clipGradValue_(params, c.args.clipValue!);
      }
      c.names.forEach((n, i) => {
        const ulp = maxUlp(params[i].grad!._data, unpack(c.after[n]), c.dtype);
        assert.ok(ulp <= allowed, `${n}.grad: ${ulp} ulp from PyTorch`);
      });
    });
  }

  it("errorIfNonfinite: PyTorch's error for a NaN norm", () => {
    const p = new nn.Parameter(tensor([1.0, 2.0]));
    p.grad = tensor([NaN, 1.0]);
    assert.throws(() => nn.utils.clipGradNorm_([p], 1.0, { errorIfNonfinite: true }), (e: Error) => {
      assert.equal(e.name, clip.nonfinite.type);
      assert.equal(e.message, clip.nonfinite.message);
      return true;
    });
  });

  it("no gradients: a total norm of 0, nothing changed", () => {
    const p = new nn.Parameter(tensor([1.0, 2.0]));
    const total = nn.utils.clipGradNorm_(p, 1);
    assert.equal(total.toString(), "tensor(0.)");
  });
});

describe("nn.utils: parametersToVector / vectorToParameters", () => {
  it("joins the parameters with grad_fn CatBackward0, and its gradient reaches each parameter", () => {
    const v = clip.vector;
    const params = v.shapes.map((shape, i) => {
      const vec = unpack(v.vec);
      const offset = v.shapes.slice(0, i).reduce((s, sh) => s + sh.reduce((a, b) => a * b, 1), 0);
      const n = shape.reduce((a, b) => a * b, 1);
      return new nn.Parameter(tensor(Array.from(vec.subarray(offset, offset + n))).reshape(shape));
    });
    const vec = nn.utils.parametersToVector(params);
    assert.equal(vec.gradFn?.name, v.gradFn);
    assert.deepEqual(Array.from(vec._data), Array.from(unpack(v.vec)));
    vec.mul(unpackTensor(v.weight, [vec.shape[0]])).sum().backward();
    params.forEach((p, i) => assert.deepEqual(Array.from(p.grad!._data), Array.from(unpack(v.grads[i])), `grad of parameter ${i}`));
  });

  it("vectorToParameters makes each parameter a view of its slice (as PyTorch's .data assignment), and refuses a vector too short", () => {
    const a = new nn.Parameter(tensor([[1, 2], [3, 4]]));
    const b = new nn.Parameter(tensor([5]));
    const vec = tensor([9, 8, 7, 6, 5]);
    nn.utils.vectorToParameters(vec, [a, b]);
    assert.deepEqual(a.tolist(), [[9, 8], [7, 6]]);
    assert.deepEqual(b.tolist(), [5]);
    assert.ok(a.requiresGrad, "still a parameter that requires grad");
    vec.fill_(0);
    assert.deepEqual(b.tolist(), [0], "b shares vec's memory");
    assert.throws(() => nn.utils.vectorToParameters(tensor([1, 2]), [a]), /invalid for input of size 2/);
  });
});

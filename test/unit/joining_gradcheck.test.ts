/**
 * Numerical checks of the joining, gathering, masking, rearranging and triangular ops in float64: gradcheck of each
 * op (and of its in-place form, also through a view), and a double-backward check: the gradient computed with
 * createGraph, as a function of the inputs and of the output's gradient, checked numerically in turn (PyTorch's
 * gradgradcheck). Every op here has a double backward in PyTorch.
 */
import { strict as assert } from "node:assert";
import * as gl from "../../src/engine";
import { autograd, type Tensor, tensor } from "../../src/engine";

gl.manualSeed(7);
const r = (...shape: number[]) => gl.rand(shape, { dtype: "float64" }).mul(2).sub(1).requiresGrad_(true);
const idx = (values: number[] | number[][]) => tensor(values, { dtype: "int64" });
const mask = (values: boolean[] | boolean[][]) => tensor(values);

type Fn = (...t: Tensor[]) => Tensor | Tensor[];

/** The gradient of fn's outputs against output gradients v, as a function of (inputs, v), checked numerically. */
function gradgradcheck(fn: Fn, inputs: Tensor[]): boolean {
  const outs = [fn(...inputs)].flat().filter((o) => o.requiresGrad);
  const vs = outs.map((o) => gl.rand(o.shape, { dtype: "float64" }).add(0.5).requiresGrad_(true));
  const n = inputs.length;
  const firstGrads = (...args: Tensor[]) =>
    gl.enableGrad(() => {
      const xs = args.slice(0, n);
      const ys = [fn(...xs)].flat().filter((o) => o.requiresGrad);
      const grads = autograd.grad(ys, xs, { gradOutputs: args.slice(n), createGraph: true, allowUnused: true });
      return grads.filter((g): g is Tensor => g !== null);
    });
  return autograd.gradcheck(firstGrads, [...inputs, ...vs]);
}

const CASES: Array<[string, () => Tensor[], Fn]> = [
  ["cat dim 0", () => [r(2, 3), r(1, 3)], (a, b) => gl.cat([a, b])],
  ["cat dim 1 with an empty 1-d tensor", () => [r(2, 1), r(2, 3)], (a, b) => gl.cat([a, gl.zeros(0, { dtype: "float64" }), b], 1)],
  ["stack dim 1", () => [r(2, 3), r(2, 3)], (a, b) => gl.stack([a, b], 1)],
  ["hstack, vstack, dstack, columnStack", () => [r(3), r(3)], (a, b) => [gl.hstack([a, b]), gl.vstack([a, b]), gl.dstack([a, b]), gl.columnStack([a, b])]],
  ["where broadcast", () => [r(3, 1), r(4)], (a, b) => gl.where(mask([[true, false, true, false], [false, true, true, false], [true, true, false, false]]), a, b)],
  ["where with a number", () => [r(2, 3)], (a) => gl.where(a.gt(0), a, 0.5)],
  ["gather dim 1", () => [r(3, 4)], (a) => a.gather(1, idx([[3, 3], [0, 1], [2, 0]]))],
  ["scatter src", () => [r(3, 4), r(2, 4)], (a, b) => a.scatter(0, idx([[0, 1, 2, 0], [1, 2, 0, 1]]), b)],
  ["scatter value", () => [r(3, 4)], (a) => a.scatter(1, idx([[0], [3], [1]]), 2)],
  ["scatterAdd", () => [r(3, 4), r(2, 4)], (a, b) => a.scatterAdd(0, idx([[0, 0, 2, 0], [0, 2, 2, 1]]), b)],
  ["take", () => [r(3, 4)], (a) => a.take(idx([[0, -1], [5, 5]]))],
  ["indexSelect", () => [r(3, 4)], (a) => a.indexSelect(1, idx([3, 0, 3]))],
  ["indexAdd with alpha", () => [r(3, 4), r(2, 4)], (a, b) => a.indexAdd(0, idx([2, 2]), b, { alpha: 1.5 })],
  ["indexCopy", () => [r(3, 4), r(3, 2)], (a, b) => a.indexCopy(1, idx([3, 0]), b)],
  ["indexFill value tensor", () => [r(3, 4), r()], (a, v) => a.indexFill(0, idx([0, 0, 2]), v)],
  ["maskedFill", () => [r(3, 4)], (a) => a.maskedFill(mask([true, false, true, false]), 2)],
  ["maskedFill value tensor", () => [r(2, 3), r()], (a, v) => a.maskedFill(mask([[true, false, true], [false, false, true]]), v)],
  ["maskedSelect with a broadcast mask", () => [r(4)], (a) => a.maskedSelect(mask([[true, false, true, true], [false, true, false, true]]))],
  ["maskedScatter", () => [r(2, 3), r(5)], (a, s) => a.maskedScatter(mask([false, true, true]), s)],
  ["flip", () => [r(2, 3, 2)], (a) => a.flip(0, 2)],
  ["roll along dims and flattened", () => [r(3, 4)], (a) => [a.roll([1, -3], [0, 1]), a.roll(5)]],
  ["repeat and tile", () => [r(2, 3)], (a) => [a.repeat(2, 1, 3), a.tile(2)]],
  ["repeatInterleave", () => [r(2, 3)], (a) => [a.repeatInterleave(2), a.repeatInterleave(idx([1, 0, 2]), 1)]],
  ["tril and triu", () => [r(2, 3, 4)], (a) => [a.tril(1), a.triu(-1)]],
  ["diag of a vector and of matrices", () => [r(3), r(3, 3), r(3, 5)], (v, sq, wide) => [gl.diag(v, -1), gl.diag(sq, 1), gl.diag(wide, 2)]],
  ["diagEmbed and diagflat", () => [r(2, 3)], (a) => [gl.diagEmbed(a, 1, 0, 2), gl.diagflat(a.t())]],
  ["meshgrid xy", () => [r(3), r(2)], (a, b) => gl.meshgrid(a, b, { indexing: "xy" })],
  ["combinations and cartesianProd", () => [r(4), r(2)], (a, b) => [gl.combinations(a, 3), gl.combinations(b, 2, true), gl.cartesianProd(a, b)]],
  ["in place: maskedFill_, indexAdd_, scatter_ on a clone", () => [r(3, 4), r(2, 4)], (a, b) => {
    const y = a.mul(1);
    y.maskedFill_(mask([false, true, false, true]), 0).indexAdd_(0, idx([2, 0]), b).scatter_(1, idx([[1], [0], [3]]), 5);
    return y;
  }],
  ["in place through views: tril_ on a row block, indexFill_ on a column", () => [r(3, 3, 3), r()], (a, v) => {
    const y = a.mul(1);
    y.select(0, 1).tril_();
    y.select(2, 0).indexFill_(0, idx([2]), v);
    return y;
  }],
];

describe("joining ops: gradcheck in float64", () => {
  for (const [name, make, fn] of CASES) it(name, () => assert.equal(autograd.gradcheck(fn, make()), true));
});

describe("joining ops: double backward (gradgradcheck)", () => {
  for (const [name, make, fn] of CASES) it(name, () => assert.equal(gradgradcheck(fn, make()), true));
});

describe("joining ops: a wrong gradient is caught", () => {
  it("gradgradcheck fails a double backward that is off", () => {
    // d/dx of x·x is 2x: a backward that returns x·g instead has a wrong second derivative.
    class Square extends autograd.Function {
      static override forward(ctx: autograd.FunctionCtx, x: Tensor): Tensor {
        ctx.saveForBackward(x);
        return x.mul(x);
      }
      static override backward(ctx: autograd.FunctionCtx, g: Tensor): Tensor {
        const [x] = ctx.savedTensors;
        return g.mul(x).mul(2).add(x.mul(x).mul(0.5).sub(x.detach().mul(x.detach()).mul(0.5)));
      }
    }
    assert.equal(autograd.gradcheck((x) => Square.apply(x), [r(3)]), true);
    assert.throws(() => gradgradcheck((x) => Square.apply(x), [r(3)]), /Jacobian mismatch/);
  });
});

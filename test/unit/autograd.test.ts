/**
 * Autograd semantics as PyTorch has them, with values derived by hand: leaves and non-leaves, accumulation,
 * retainGraph, createGraph, autograd.grad, hooks, retainGrad, noGrad, detach, version counters.
 */
import { strict as assert } from "node:assert";
import * as gl from "../../src/engine";
import { autograd, noGrad, tensor } from "../../src/engine";

const values = (t: gl.Tensor | null) => (t === null ? null : (t.tolist() as unknown));

describe("autograd", () => {
  it("leaves and non-leaves: isLeaf, requiresGrad, gradFn", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const c = tensor([3, 4]);
    const y = x.mul(c);
    assert.equal(x.isLeaf, true);
    assert.equal(c.isLeaf, true);
    assert.equal(y.isLeaf, false);
    assert.equal(y.requiresGrad, true);
    assert.equal(c.mul(2).requiresGrad, false);
    assert.equal(x.gradFn, null);
    assert.deepEqual(y.gradFn!.nextFunctions.map(([n, i]) => [n?.name ?? null, i]), [["AccumulateGrad", 0], [null, 0]]);
  });

  it(".grad accumulates over backward calls until zeroed", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    x.mul(x).sum().backward(); // 2x
    x.mul(3).sum().backward(); // + 3
    assert.deepEqual(values(x.grad), [5, 7, 9]);
    x.grad!.zero_();
    x.sum().backward();
    assert.deepEqual(values(x.grad), [1, 1, 1]);
  });

  it("a held .grad sees later accumulation, as in PyTorch (accumulated in place)", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.sum().backward();
    const g = x.grad!;
    x.sum().backward();
    assert.deepEqual(values(g), [2, 2]);
  });

  it("retainGraph allows a second backward; without it PyTorch's error", () => {
    const x = tensor(2, { requiresGrad: true });
    const y = x.mul(x);
    y.backward(null, { retainGraph: true });
    y.backward();
    assert.equal(x.grad!.item(), 8);
    assert.throws(() => y.backward(), /Trying to backward through the graph a second time/);
  });

  it("ops that save nothing can backward twice without retainGraph (AddBackward0 holds no tensors)", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.add(1).sum();
    y.backward();
    y.backward();
    assert.deepEqual(values(x.grad), [2, 2]);
  });

  it("a custom Function's saved tensors are freed too: its second backward without retainGraph is PyTorch's error", () => {
    class Square extends autograd.Function {
      static override forward(ctx: autograd.FunctionCtx, x: gl.Tensor): gl.Tensor {
        ctx.saveForBackward(x);
        return x.mul(x);
      }
      static override backward(ctx: autograd.FunctionCtx, g: gl.Tensor): gl.Tensor {
        const [x] = ctx.savedTensors;
        return g.mul(x).mul(2);
      }
    }
    class Double extends autograd.Function {
      static override forward(_ctx: autograd.FunctionCtx, x: gl.Tensor): gl.Tensor {
        return x.mul(2);
      }
      static override backward(_ctx: autograd.FunctionCtx, g: gl.Tensor): gl.Tensor {
        return g.mul(2);
      }
    }
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const y = Square.apply(x).sum();
    y.backward(null, { retainGraph: true });
    y.backward();
    assert.deepEqual(values(x.grad), [4, 8, 12]);
    assert.throws(() => y.backward(), /Trying to backward through the graph a second time/);
    // Saving nothing, it holds nothing to free.
    const z = Double.apply(x).sum();
    z.backward();
    z.backward();
    assert.deepEqual(values(x.grad), [8, 12, 16]);
  });

  it("createGraph: the gradient of a gradient (d²/dx² x³ = 6x)", () => {
    const x = tensor(3, { requiresGrad: true });
    const y = x.pow(3);
    const [dx] = autograd.grad(y, x, { createGraph: true });
    assert.equal(dx!.item(), 27);
    assert.equal(dx!.requiresGrad, true);
    const [d2x] = autograd.grad(dx!, x);
    assert.equal(d2x!.item(), 18);
  });

  it("backward with createGraph builds .grad as a graph (x.grad.requiresGrad)", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.pow(2).sum().backward(null, { createGraph: true });
    assert.equal(x.grad!.requiresGrad, true);
    const [g2] = autograd.grad(x.grad!.sum(), x);
    assert.deepEqual(values(g2), [2, 2]);
  });

  it("autograd.grad leaves .grad alone and reports unused inputs", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const z = tensor([5], { requiresGrad: true });
    const y = x.mul(x).sum();
    const [g] = autograd.grad(y, x, { retainGraph: true });
    assert.deepEqual(values(g), [2, 4]);
    assert.equal(x.grad, null);
    assert.throws(() => autograd.grad(y, [x, z], { retainGraph: true }), /appears to not have been used in the graph/);
    const [, gz] = autograd.grad(y, [x, z], { allowUnused: true });
    assert.equal(gz, null);
  });

  it("autograd.grad with respect to a non-leaf", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(3);
    const y = h.pow(2).sum();
    const [gh] = autograd.grad(y, h);
    assert.deepEqual(values(gh), [6, 12]);
  });

  it("hooks see and may replace a gradient; remove() detaches them", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const seen: number[][] = [];
    const handle = x.registerHook((g) => {
      seen.push(g.tolist() as number[]);
      return g.mul(10);
    });
    x.mul(2).sum().backward();
    assert.deepEqual(seen, [[2, 2]]);
    assert.deepEqual(values(x.grad), [20, 20]);
    handle.remove();
    x.grad = null;
    x.mul(2).sum().backward();
    assert.deepEqual(values(x.grad), [2, 2]);
  });

  it("a hook on a non-leaf changes what flows further down", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(2);
    h.registerHook((g) => g.mul(0));
    h.sum().backward();
    assert.deepEqual(values(x.grad), [0, 0]);
  });

  it("retainGrad keeps a non-leaf's gradient", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(3);
    h.retainGrad();
    h.pow(2).sum().backward();
    assert.deepEqual(values(h.grad), [6, 12]);
    assert.deepEqual(values(x.grad), [18, 36]);
  });

  it("noGrad: nothing made inside requires grad; isGradEnabled reflects it; it restores after a throw", () => {
    const x = tensor([1], { requiresGrad: true });
    noGrad(() => {
      assert.equal(gl.isGradEnabled(), false);
      assert.equal(x.mul(2).requiresGrad, false);
    });
    assert.throws(() => noGrad(() => {
      throw new Error("inside");
    }), /inside/);
    assert.equal(gl.isGradEnabled(), true);
    assert.equal(gl.enableGrad(() => x.mul(2).requiresGrad), true);
  });

  it("detach shares storage and is cut from the graph; detach_ cuts in place", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    const d = y.detach();
    assert.equal(d.requiresGrad, false);
    assert.equal(d.isLeaf, true);
    noGrad(() => d.add_(1));
    assert.deepEqual(values(y), [3, 5], "the detached tensor shares y's storage");
    y.detach_();
    assert.equal(y.gradFn, null);
    assert.equal(y.requiresGrad, false);
  });

  it("requiresGrad_ and the requiresGrad setter on leaves; PyTorch's error on non-leaves and integers", () => {
    const x = tensor([1, 2]);
    x.requiresGrad = true;
    assert.equal(x.requiresGrad, true);
    const y = x.mul(2);
    assert.throws(() => (y.requiresGrad = false), /you can only change requires_grad flags of leaf variables/);
    assert.throws(() => tensor([1], { dtype: "int64" }).requiresGrad_(), /only Tensors of floating point and complex dtype can require gradients/);
  });

  it("version counters: backward through a value changed in place fails with PyTorch's message", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const e = x.exp();
    const y = e.mul(e);
    e.add_(1);
    assert.throws(
      () => y.sum().backward(),
      /one of the variables needed for gradient computation has been modified by an inplace operation: \[torch\.FloatTensor \[2\]\], which is output 0 of AddBackward0, is at version 1; expected version 0 instead/,
    );
  });

  it("in-place ops on non-leaves stay differentiable (PyTorch's AddBackward0 after add_)", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(3);
    h.add_(1);
    h.mul_(2);
    assert.equal(h.gradFn!.name, "MulBackward0");
    h.sum().backward();
    assert.deepEqual(values(x.grad), [6, 6]);
    assert.deepEqual(values(h), [8, 14]);
  });

  it("in-place on a leaf that requires grad is refused, unless under noGrad", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    assert.throws(() => w.add_(1), /a leaf Variable that requires grad is being used in an in-place operation\./);
    noGrad(() => w.sub_(tensor([0.5, 0.5])));
    assert.deepEqual(values(w), [0.5, 1.5]);
  });

  it("views share storage and the version counter", () => {
    const a = tensor([1, 2, 3, 4]);
    const v = a.view(2, 2);
    v.mul_(10);
    assert.deepEqual(values(a), [10, 20, 30, 40]);
    assert.equal(a._storage.version, 1);
  });

  it("non-scalar backward needs a gradient; with one it is a vector-Jacobian product", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const y = x.mul(x);
    assert.throws(() => y.backward(), /grad can be implicitly created only for scalar outputs/);
    y.backward(tensor([1, 0.5, 0]));
    assert.deepEqual(values(x.grad), [2, 2, 0]);
  });

  it("a gradient of the wrong shape is refused", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    assert.throws(
      () => x.mul(2).backward(tensor([1, 2])),
      /Mismatch in shape: grad_output\[0\] has a shape of torch\.Size\(\[2\]\) and output\[0\] has a shape of torch\.Size\(\[3\]\)/,
    );
  });

  it("backward on something that does not require grad", () => {
    assert.throws(() => tensor(1).backward(), /element 0 of tensors does not require grad and does not have a grad_fn/);
  });

  it("broadcast gradients are summed back to each input's shape", () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const b = tensor([10, 20, 30], { requiresGrad: true });
    const s = tensor(2, { requiresGrad: true });
    a.mul(b).mul(s).sum().backward();
    assert.deepEqual(values(b.grad), [10, 14, 18]);
    assert.deepEqual(values(a.grad), [[20, 40, 60], [20, 40, 60]]);
    assert.equal(s.grad!.item(), 1 * 10 + 2 * 20 + 3 * 30 + 4 * 10 + 5 * 20 + 6 * 30);
  });

  it("a float32 leaf gets a float32 gradient from a float64 graph", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.mul(tensor([1, 1], { dtype: "float64" })).sum().backward();
    assert.equal(x.grad!.dtype, "float32");
  });

  it("deep graphs: 100,000 chained ops backward without a stack overflow", () => {
    const x = tensor(1, { requiresGrad: true });
    let y = x;
    for (let i = 0; i < 100_000; i++) y = y.add(1e-5);
    y.backward();
    assert.equal(x.grad!.item(), 1);
  });

  it("a diamond graph sums both paths (d/dx (x·x + x) = 2x + 1)", () => {
    const x = tensor(3, { requiresGrad: true });
    const y = x.mul(x).add(x);
    y.backward();
    assert.equal(x.grad!.item(), 7);
  });

  it("anomaly detection names the backward that produced NaN", () => {
    const x = tensor([0], { requiresGrad: true });
    const y = x.sqrt().mul(0).sum();
    assert.throws(() => autograd.detectAnomaly(() => y.backward()), /Function 'SqrtBackward0' returned nan values in its 0th output/);
  });

  it("JavaScript comparisons and template strings see one-element tensors as numbers and text", () => {
    const loss = tensor(0.5) as unknown as number;
    assert.equal(loss > 0.1, true);
    assert.equal(`${tensor([1, 2])}`, "tensor([1., 2.])");
    assert.throws(() => (tensor([1, 2]) as unknown as number) > 1, /cannot be converted to a number/);
  });
});

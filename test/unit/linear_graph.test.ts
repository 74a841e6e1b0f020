/**
 * The graph F.linear leaves, as PyTorch 1.13 leaves it (names printed by torch for nn.Linear(5, 3)): the grad_fn a
 * user sees, and which product forms the result (addmm adds the bias inside the product, matmul then add after it).
 */
import { strict as assert } from "node:assert";
import { manualSeed, nn, randn } from "../../src/engine";

describe("F.linear's graph", () => {
  manualSeed(0);
  const layer = new nn.Linear(5, 3);

  it("2-D input: AddmmBackward0", () => {
    assert.equal(layer.forward(randn(4, 5)).gradFn?.name, "AddmmBackward0");
  });

  it("contiguous 3-D input: flattened through addmm and viewed back (ViewBackward0 ← AddmmBackward0)", () => {
    const y = layer.forward(randn(2, 4, 5, { requiresGrad: true }));
    assert.deepEqual(y.shape, [2, 4, 3]);
    assert.equal(y.gradFn?.name, "ViewBackward0");
    assert.equal(y.gradFn?.nextFunctions[0][0]?.name, "AddmmBackward0");
  });

  it("non-contiguous 3-D and 4-D input: matmul, then the bias added (AddBackward0)", () => {
    assert.equal(layer.forward(randn(2, 4, 5).transpose(0, 1)).gradFn?.name, "AddBackward0");
    assert.equal(layer.forward(randn(2, 2, 4, 5)).gradFn?.name, "AddBackward0");
  });
});

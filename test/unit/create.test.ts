/** Making tensors: nested data, dtypes, and the factories, with values PyTorch 1.13 gives (float32). */
import { strict as assert } from "node:assert";
import * as gl from "../../src/engine";
import { tensor } from "../../src/engine";

describe("creating tensors", () => {
  it("nested arrays: shape, float32 by default even for integers, bool for booleans", () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    assert.deepEqual(t.shape, [2, 3]);
    assert.equal(t.dtype, "float32");
    assert.equal(tensor([true, false]).dtype, "bool");
    assert.equal(tensor(3).ndim, 0);
    assert.deepEqual(tensor([]).shape, [0]);
    assert.equal(tensor([1, 2], { dtype: "int64" }).dtype, "int64");
    assert.deepEqual(tensor([1.7, -1.7], { dtype: "int64" }).tolist(), [1, -1], "int64 truncates toward zero");
  });

  it("float32 storage rounds as PyTorch does (0.1 → 0.10000000149011612)", () => {
    assert.equal(tensor([0.1]).item(), 0.10000000149011612);
    assert.equal(tensor([0.1], { dtype: "float64" }).item(), 0.1);
  });

  it("zeros, ones, full, eye take sizes spread or as an array, with options", () => {
    assert.deepEqual(gl.zeros(2, 3).shape, [2, 3]);
    assert.deepEqual(gl.ones([2, 3]).tolist(), [[1, 1, 1], [1, 1, 1]]);
    assert.deepEqual(gl.zeros().shape, []);
    assert.equal(gl.ones([2], { requiresGrad: true }).requiresGrad, true);
    assert.deepEqual(gl.full([2], 7).tolist(), [7, 7]);
    assert.deepEqual(gl.eye(2, 3).tolist(), [[1, 0, 0], [0, 1, 0]]);
    assert.equal(gl.zerosLike(tensor([1], { dtype: "float64" })).dtype, "float64");
    assert.deepEqual(gl.onesLike(gl.zeros(2, 2)).tolist(), [[1, 1], [1, 1]]);
  });

  it("arange and linspace give PyTorch's float32 values", () => {
    assert.deepEqual(gl.arange(5).tolist(), [0, 1, 2, 3, 4]);
    assert.deepEqual(gl.arange(1, 2.5, 0.5).tolist(), [1, 1.5, 2]);
    assert.deepEqual(gl.arange(0, 1, 0.1).tolist(), [0.0, 0.10000000149011612, 0.20000000298023224, 0.30000001192092896, 0.4000000059604645, 0.5, 0.6000000238418579, 0.699999988079071, 0.800000011920929, 0.8999999761581421]);
    assert.deepEqual(gl.linspace(0, 1, 7).tolist(), [0.0, 0.1666666716337204, 0.3333333432674408, 0.5, 0.6666666269302368, 0.8333333134651184, 1.0]);
    assert.deepEqual(gl.linspace(-3.3, 7.1, 9).tolist(), [-3.299999952316284, -2.0, -0.7000000476837158, 0.5999999046325684, 1.9000000953674316, 3.200000047683716, 4.5, 5.800000190734863, 7.099999904632568]);
  });

  it("tolist, item, size, numel, ndim", () => {
    const t = tensor([[1, 2], [3, 4], [5, 6]]);
    assert.deepEqual(t.size(), [3, 2]);
    assert.equal(t.size(-1), 2);
    assert.equal(t.numel(), 6);
    assert.equal(t.ndim, 2);
    assert.equal(tensor([[7]]).item(), 7);
  });
});

/** Bad input gets a clear error that names what was wrong — never a wrong answer or a hang. */
import { strict as assert } from "node:assert";
import * as gl from "../../src/engine";
import { tensor } from "../../src/engine";

describe("errors", () => {
  it("shape mismatch in broadcasting, with PyTorch's message", () => {
    assert.throws(() => gl.ones(2, 3).add(gl.ones(2, 4)), {
      name: "RuntimeError",
      message: "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1",
    });
  });

  it("matmul of incompatible shapes", () => {
    assert.throws(() => gl.ones(2, 3).matmul(gl.ones(4, 5)), { message: "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)" });
    assert.throws(() => gl.ones(3).matmul(gl.ones(4)), /inconsistent tensor size, expected tensor \[3\] and src \[4\]/);
    assert.throws(() => tensor(1).matmul(gl.ones(2)), /both arguments to matmul need to be at least 1D, but they are 0D and 1D/);
    assert.throws(() => gl.ones(2, 2).matmul(gl.ones([2, 2], { dtype: "float64" })), /expected mat1 and mat2 to have the same dtype, but got: float != double/);
  });

  it("ragged nested arrays name the dim", () => {
    assert.throws(() => tensor([[1, 2], [3]] as number[][]), { message: "expected sequence of length 2 at dim 1 (got 1)" });
    assert.throws(() => tensor([[1, 2], 3] as unknown as number[][]), /expected a sequence of length 2 at \[1\] \(dim 1\), but found the number 3/);
  });

  it("non-numbers in data name the element", () => {
    assert.throws(() => tensor([1, "a"] as unknown as number[]), { name: "TypeError", message: 'tensor(): element [1] is a string ("a"); expected a number or a boolean' });
    assert.throws(() => tensor([[1, 2], [3, null]] as unknown as number[][]), /element \[1, 1\] is null/);
  });

  it("NaN, negative and fractional sizes are refused", () => {
    assert.throws(() => gl.zeros(2, NaN), /every size must be a non-negative integer, but size 1 is NaN \(in shape \[2, NaN\]\)/);
    assert.throws(() => gl.ones([-1, 2]), /size 0 is -1/);
    assert.throws(() => gl.rand(1.5), /size 0 is 1.5/);
  });

  it("unknown dtypes and options are named", () => {
    assert.throws(() => tensor([1], { dtype: "float8" as gl.DType }), /dtype must be one of "float32", "float64", "int64", "bool", but got "float8"/);
    assert.throws(() => tensor([1], { dtype: "float16" as gl.DType }), /float16 is not supported by Gradlens \(it computes in float32 and float64 only\); use "float32" or "float64"/);
    assert.throws(() => gl.zeros([2], { requiresGrad: true, device: "cuda" } as gl.TensorOptions), /Torch not compiled with CUDA enabled/);
    assert.throws(() => gl.zeros([2], { requiresGrad: true, layout: "strided" } as gl.TensorOptions), /unknown option 'layout'/);
  });

  it("out-of-range dims, with PyTorch's message", () => {
    assert.throws(() => gl.ones(2, 3).sum(2), { name: "IndexError", message: "Dimension out of range (expected to be in range of [-2, 1], but got 2)" });
    assert.throws(() => gl.ones(2, 3).transpose(0, -3), /Dimension out of range \(expected to be in range of \[-2, 1\], but got -3\)/);
    assert.throws(() => gl.ones(2).unsqueeze(3), /expected to be in range of \[-2, 1\], but got 3/);
  });

  it("invalid reshapes", () => {
    assert.throws(() => gl.ones(2, 3).view(4, 2), { message: "shape '[4, 2]' is invalid for input of size 6" });
    assert.throws(() => gl.ones(2, 3).reshape(-1, -1), { message: "only one dimension can be inferred" });
    assert.throws(() => gl.ones(3).expand(2, 4), /The expanded size of the tensor \(4\) must match the existing size \(3\) at non-singleton dimension 1/);
  });

  it("item() of a tensor with more than one element", () => {
    assert.throws(() => gl.ones(4).item(), { message: "a Tensor with 4 elements cannot be converted to Scalar" });
  });

  it("in-place results that do not fit the tensor", () => {
    assert.throws(() => gl.ones(3).add_(gl.ones(2, 3)), /output with shape \[3\] doesn't match the broadcast shape \[2, 3\]/);
    assert.throws(() => tensor([1], { dtype: "int64" }).add_(0.5), /result type Float can't be cast to the desired output type Long/);
  });

  it("mean of integers and backward through floor division", () => {
    assert.throws(() => tensor([1, 2], { dtype: "int64" }).mean(), /mean\(\): could not infer output dtype/);
    const x = tensor([3.5], { requiresGrad: true });
    assert.throws(() => x.floorDivide(2).sum().backward(), /the derivative for 'floor_divide' is not implemented/);
  });

  it("operands that are not tensors or numbers", () => {
    assert.throws(() => gl.ones(2).add("1" as unknown as number), /expected a Tensor or a number, but got string "1"/);
    assert.throws(() => gl.ones(2).mul([1, 2] as unknown as number), /expected a Tensor or a number, but got an array/);
  });
});

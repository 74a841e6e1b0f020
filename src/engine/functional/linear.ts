/** F.linear, with the graph (and so the rounding) PyTorch leaves: addmm(b, x, wᵀ) for 2-D input and, flattened to 2-D
 * and viewed back, for contiguous 3-D input with a bias (ATen's _flatten_3d_linear); matmul then add otherwise. */
import { RuntimeError } from "../errors";
import { addmm, matmul, mm } from "../ops/linalg";
import type { Tensor } from "../tensor";

export function linear(input: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  if (weight.ndim !== 2) throw new RuntimeError(`linear(): weight must be 2-D, got ${weight.ndim}-D`);
  const inFeatures = input.shape[input.ndim - 1];
  if (inFeatures !== weight.shape[1]) {
    const rows = input.numel() / Math.max(inFeatures, 1);
    throw new RuntimeError(`mat1 and mat2 shapes cannot be multiplied (${rows}x${inFeatures} and ${weight.shape[1]}x${weight.shape[0]})`);
  }
  const wt = weight.t();
  if (input.ndim === 2) return bias ? addmm(bias, input, wt) : mm(input, wt);
  if (bias && input.ndim === 3 && input.isContiguous()) {
    const [batch, rows] = input.shape;
    return addmm(bias, input.view(-1, inFeatures), wt).view(batch, rows, weight.shape[0]);
  }
  const out = matmul(input, wt);
  return bias ? out.add(bias) : out;
}

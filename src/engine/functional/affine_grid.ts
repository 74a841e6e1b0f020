/**
 * torch.nn.functional.affine_grid for 2-D transforms (a 4-D size), as PyTorch 1.13 records it: one
 * affine_grid_generator node (AffineGridGeneratorBackward0) whose gradient is ATen's composite
 * `base.transpose(1, 2).bmm(grad).transpose(1, 2)`, so it can itself be differentiated.
 */
import { NotImplementedError, RuntimeError, ValueError } from "../errors";
import { bmm } from "../ops/linalg_products";
import { apply, defineOp } from "../ops/op";
import { empty } from "../ops/operands";
import { warn } from "../recorder";
import { Tensor } from "../tensor";

const ALIGN_DEFAULT_WARNING =
  "Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. Please specify align_corners=True if the old behavior is desired. See the documentation of grid_sample for details.";

/** The warning F.affine_grid and F.grid_sample give when align_corners is left unset. */
export function warnAlignCornersDefault(): void {
  warn(ALIGN_DEFAULT_WARNING);
}

/** ATen's linspace_from_neg_one: linspace(-1, 1, steps) in the dtype's precision (from both ends, as ATen fills it),
 * shrunk by (steps - 1) / steps without align_corners so that the points are pixel centres. */
function neg1To1(steps: number, alignCorners: boolean, r: (v: number) => number): number[] {
  if (steps <= 1) return [0];
  const step = r(2 / (steps - 1));
  const half = Math.floor(steps / 2);
  const values = Array.from({ length: steps }, (_, i) => (i < half ? r(-1 + r(step * i)) : r(1 - r(step * (steps - i - 1)))));
  return alignCorners ? values : values.map((v) => r(r(v * (steps - 1)) / steps));
}

interface AffineGridAttrs {
  readonly n: number;
  readonly h: number;
  readonly w: number;
  readonly alignCorners: boolean;
}

/** The [N, H, W, 3] base grid: (x, y, 1) at every output position. */
function baseGrid(a: AffineGridAttrs, dtype: Tensor["dtype"]): Tensor {
  const r = dtype === "float32" ? Math.fround : (v: number) => v;
  const xs = neg1To1(a.w, a.alignCorners, r);
  const ys = neg1To1(a.h, a.alignCorners, r);
  const values = new Float64Array(a.h * a.w * 3);
  for (let i = 0; i < a.h; i++) {
    for (let j = 0; j < a.w; j++) values.set([xs[j], ys[i], 1], (i * a.w + j) * 3);
  }
  return Tensor.fromData(values, [1, a.h, a.w, 3], dtype).expand(a.n, a.h, a.w, 3);
}

const affineGridOp = defineOp<AffineGridAttrs>({
  name: "affineGridGenerator",
  gradFnName: "AffineGridGeneratorBackward0",
  forward: ([theta], a) => {
    const r = theta.dtype === "float32" ? Math.fround : (v: number) => v;
    const base = baseGrid(a, theta.dtype)._data;
    const th = theta._data;
    const out = empty([a.n, a.h, a.w, 2], theta.dtype);
    const ys = out._data;
    const plane = a.h * a.w;
    for (let b = 0; b < a.n; b++) {
      for (let p = 0; p < plane; p++) {
        const x = base[p * 3];
        const y = base[p * 3 + 1];
        for (let k = 0; k < 2; k++) {
          const t = b * 6 + k * 3;
          ys[(b * plane + p) * 2 + k] = r(r(r(x * th[t]) + r(y * th[t + 1])) + th[t + 2]);
        }
      }
    }
    return out;
  },
  backward: (ctx, grad) => {
    const a = ctx.attrs;
    const base = baseGrid(a, grad.dtype).reshape([a.n, a.h * a.w, 3]);
    return [bmm(base.transpose(1, 2), grad.reshape([a.n, a.h * a.w, 2])).transpose(1, 2)];
  },
});

function sizeText(size: readonly number[]): string {
  return `(${size.join(", ")})`;
}

/** torch.nn.functional.affine_grid: the [N, H, W, 2] sampling grid of the 2-D affine maps `theta` ([N, 2, 3]) for an
 * output of `size` [N, C, H, W]; `alignCorners` unset is false, with PyTorch's warning. */
export function affineGrid(theta: Tensor, size: readonly number[], options: { alignCorners?: boolean | null } = {}): Tensor {
  const given = options.alignCorners ?? null;
  if (given === null) warnAlignCornersDefault();
  const alignCorners = given ?? false;
  if (theta.dtype !== "float32" && theta.dtype !== "float64") {
    throw new ValueError(`Expected theta to have floating point type, but got torch.${theta.dtype}`);
  }
  const shape = `torch.Size([${theta.shape.join(", ")}])`;
  if (size.length === 4) {
    if (theta.ndim !== 3 || theta.shape[1] !== 2 || theta.shape[2] !== 3) {
      throw new ValueError(`Expected a batch of 2D affine matrices of shape Nx2x3 for size ${sizeText(size)}. Got ${shape}.`);
    }
  } else if (size.length === 5) {
    if (theta.ndim !== 3 || theta.shape[1] !== 3 || theta.shape[2] !== 4) {
      throw new ValueError(`Expected a batch of 3D affine matrices of shape Nx3x4 for size ${sizeText(size)}. Got ${shape}.`);
    }
    throw new NotImplementedError("affine_grid: Gradlens supports 2-D affine transforms (a 4-D size) only; 3-D transforms (a 5-D size) are not implemented");
  } else {
    throw new NotImplementedError(`affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, respectively. Got size ${sizeText(size)}.`);
  }
  if (alignCorners && Math.min(...size.slice(2)) === 1) {
    warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids when align_corners=True. This is not an intended use case of affine_grid. See the documentation of affine_grid for details.");
  }
  if (Math.min(...size) <= 0) throw new ValueError(`Expected non-zero, positive output size. Got ${sizeText(size)}`);
  const [n, , h, w] = size;
  if (theta.shape[0] !== n) {
    throw new RuntimeError(`Expected size for first two dimensions of batch2 tensor to be: [${n}, 3] but got: [${theta.shape[0]}, 3].`);
  }
  return apply(affineGridOp, [theta], { n, h, w, alignCorners });
}

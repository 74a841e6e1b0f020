/**
 * torch.nn.functional.grid_sample for 4-D input (bilinear and nearest; zeros, border and reflection padding), as
 * PyTorch 1.13 records it: one grid_sampler_2d node (GridSampler2DBackward0) whose gradients of input and grid come
 * from one grid_sampler_2d_backward node, which PyTorch cannot differentiate ("NotImplemented").
 */
import { NotImplementedError, RuntimeError, ValueError } from "../errors";
import { applyMulti, apply, defineMultiOp, defineOp } from "../ops/op";
import { empty } from "../ops/operands";
import type { DataArray } from "../dtype";
import type { Tensor } from "../tensor";
import { warnAlignCornersDefault } from "./affine_grid";
import { scalarName } from "./layer_args";

export type GridSampleMode = "bilinear" | "nearest";
export type GridSamplePadding = "zeros" | "border" | "reflection";

export interface GridSampleOptions {
  mode?: GridSampleMode;
  paddingMode?: GridSamplePadding;
  alignCorners?: boolean | null;
}

interface SamplerAttrs {
  readonly mode: GridSampleMode;
  readonly padding: GridSamplePadding;
  readonly alignCorners: boolean;
}

type Round = (v: number) => number;

/** A grid coordinate as a pixel position, and d(position)/d(coordinate) (ATen's
 * grid_sampler_compute_source_index_set_grad). */
function sourceIndex(coord: number, size: number, a: SamplerAttrs, r: Round): [number, number] {
  let mult = a.alignCorners ? r((size - 1) / 2) : r(size / 2);
  let x = a.alignCorners ? r(r(coord + 1) * mult) : r(r(r(coord + 1) * mult) - 0.5);
  if (a.padding === "reflection") {
    const [twiceLow, twiceHigh] = a.alignCorners ? [0, 2 * (size - 1)] : [-1, 2 * size - 1];
    if (twiceLow === twiceHigh) {
      x = 0;
      mult = 0;
    } else {
      const min = twiceLow / 2;
      const span = (twiceHigh - twiceLow) / 2;
      x = r(x - min);
      if (x < 0) {
        x = -x;
        mult = -mult;
      }
      const extra = r(x % span);
      const flips = Math.floor(x / span);
      if (flips % 2 === 0) x = r(extra + min);
      else {
        x = r(r(span - extra) + min);
        mult = -mult;
      }
    }
  }
  if (a.padding === "border" || a.padding === "reflection") {
    if (x <= 0) {
      x = 0;
      mult = 0;
    } else if (x >= size - 1) {
      x = size - 1;
      mult = 0;
    }
  }
  return [x, mult];
}

/** Round half to even, as nearbyint does in the default rounding mode. */
function nearbyint(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

interface Geometry {
  n: number;
  c: number;
  h: number;
  w: number;
  oh: number;
  ow: number;
}

function geometry(input: Tensor, grid: Tensor): Geometry {
  const [n, c, h, w] = input.shape;
  return { n, c, h, w, oh: grid.shape[1], ow: grid.shape[2] };
}

/** Visits every output position with its source position, the position's derivatives, and (for bilinear) the four
 * corners; `corner(b, index, weight, dWeight/dx, dWeight/dy)` is called for the corners inside the input. */
function eachSample(
  g: Geometry,
  grid: DataArray,
  a: SamplerAttrs,
  r: Round,
  visit: (b: number, o: number, multX: number, multY: number, corners: (fn: (index: number, weight: number, dx: number, dy: number) => void) => void) => void,
): void {
  const plane = g.oh * g.ow;
  for (let b = 0; b < g.n; b++) {
    for (let o = 0; o < plane; o++) {
      const at = (b * plane + o) * 2;
      const [ix, multX] = sourceIndex(grid[at], g.w, a, r);
      const [iy, multY] = sourceIndex(grid[at + 1], g.h, a, r);
      if (a.mode === "nearest") {
        const x = nearbyint(ix);
        const y = nearbyint(iy);
        visit(b, o, 0, 0, (fn) => {
          if (x >= 0 && x < g.w && y >= 0 && y < g.h) fn(y * g.w + x, 1, 0, 0);
        });
        continue;
      }
      const x0 = Math.floor(ix);
      const y0 = Math.floor(iy);
      const tx = r(ix - x0);
      const ty = r(iy - y0);
      const sx = r(1 - tx);
      const sy = r(1 - ty);
      visit(b, o, multX, multY, (fn) => {
        const tap = (x: number, y: number, weight: number, dx: number, dy: number) => {
          if (x >= 0 && x < g.w && y >= 0 && y < g.h) fn(y * g.w + x, weight, dx, dy);
        };
        tap(x0, y0, r(sx * sy), -sy, -sx);
        tap(x0 + 1, y0, r(tx * sy), sy, -tx);
        tap(x0, y0 + 1, r(sx * ty), -ty, sx);
        tap(x0 + 1, y0 + 1, r(tx * ty), ty, tx);
      });
    }
  }
}

const samplerBackwardOp = defineMultiOp<SamplerAttrs>({
  name: "gridSampler2dBackward",
  gradFnName: "NotImplemented",
  forward: ([grad, input, grid], a) => {
    const g = geometry(input, grid);
    const r: Round = input.dtype === "float32" ? Math.fround : (v) => v;
    const xs = input._data;
    const gs = grad._data;
    const gradInput = empty([...input.shape], input.dtype);
    const gi = gradInput._data;
    const gradGrid = empty([...grid.shape], grid.dtype);
    const gg = gradGrid._data;
    const plane = g.oh * g.ow;
    const inPlane = g.h * g.w;
    eachSample(g, grid._data, a, r, (b, o, multX, multY, corners) => {
      let gx = 0;
      let gy = 0;
      for (let ch = 0; ch < g.c; ch++) {
        const go = gs[(b * g.c + ch) * plane + o];
        const base = (b * g.c + ch) * inPlane;
        corners((index, weight, dx, dy) => {
          gi[base + index] += weight * go;
          const v = xs[base + index] * go;
          gx += v * dx;
          gy += v * dy;
        });
      }
      gg[(b * plane + o) * 2] = r(multX * gx);
      gg[(b * plane + o) * 2 + 1] = r(multY * gy);
    });
    return [gradInput, gradGrid];
  },
  backward: () => {
    throw new RuntimeError("derivative for aten::grid_sampler_2d_backward is not implemented");
  },
});

const samplerOp = defineOp<SamplerAttrs>({
  name: "gridSampler2d",
  gradFnName: "GridSampler2DBackward0",
  saves: { inputs: [0, 1] },
  forward: ([input, grid], a) => {
    const g = geometry(input, grid);
    const r: Round = input.dtype === "float32" ? Math.fround : (v) => v;
    const xs = input._data;
    const out = empty([g.n, g.c, g.oh, g.ow], input.dtype);
    const ys = out._data;
    const plane = g.oh * g.ow;
    eachSample(g, grid._data, a, r, (b, o, _mx, _my, corners) => {
      for (let ch = 0; ch < g.c; ch++) {
        const base = (b * g.c + ch) * g.h * g.w;
        let sum = 0;
        corners((index, weight) => {
          sum += xs[base + index] * weight;
        });
        ys[(b * g.c + ch) * plane + o] = sum;
      }
    });
    return out;
  },
  backward: (ctx, grad) => {
    const [input, grid] = ctx.inputs;
    const [gradInput, gradGrid] = applyMulti(samplerBackwardOp, [grad, input, grid], ctx.attrs);
    return [ctx.needsInputGrad[0] ? gradInput : null, ctx.needsInputGrad[1] ? gradGrid : null];
  },
});

/** torch.nn.functional.grid_sample on [N, C, H, W] input with an [N, H_out, W_out, 2] grid of (x, y) in [-1, 1];
 * `alignCorners` unset is false, with PyTorch's warning. */
export function gridSample(input: Tensor, grid: Tensor, options: GridSampleOptions = {}): Tensor {
  const mode = options.mode ?? "bilinear";
  const padding = options.paddingMode ?? "zeros";
  if ((mode as string) !== "bilinear" && (mode as string) !== "nearest") {
    if ((mode as string) === "bicubic") throw new NotImplementedError("grid_sample: mode 'bicubic' is not implemented in Gradlens (bilinear and nearest are)");
    throw new ValueError(`nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', but got: '${mode}'`);
  }
  if ((padding as string) !== "zeros" && (padding as string) !== "border" && (padding as string) !== "reflection") {
    throw new ValueError(`nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or 'reflection', but got: '${padding}'`);
  }
  const given = options.alignCorners ?? null;
  if (given === null) warnAlignCornersDefault();
  const sizes = `input with sizes [${input.shape.join(", ")}] and grid with sizes [${grid.shape.join(", ")}]`;
  if (input.dtype !== "float32" && input.dtype !== "float64") throw new RuntimeError(`"grid_sampler_2d_cpu" not implemented for '${scalarName(input.dtype)}'`);
  if (grid.dtype !== input.dtype) throw new RuntimeError(`expected scalar type ${scalarName(input.dtype)} but found ${scalarName(grid.dtype)}`);
  if (input.shape[0] !== grid.shape[0]) throw new RuntimeError(`grid_sampler(): expected grid and input to have same batch size, but got ${sizes}`);
  if (grid.shape[grid.ndim - 1] !== grid.ndim - 2) {
    throw new RuntimeError(`grid_sampler(): expected grid to have size ${grid.ndim - 2} in last dimension, but got grid with sizes [${grid.shape.join(", ")}]`);
  }
  for (let d = 2; d < input.ndim; d++) {
    if (input.shape[d] === 0) {
      throw new RuntimeError(`grid_sampler(): expected input to have non-empty spatial dimensions, but input has sizes [${input.shape.join(", ")}] with dimension ${d} being empty`);
    }
  }
  if (input.ndim !== grid.ndim || (input.ndim !== 4 && input.ndim !== 5)) {
    throw new RuntimeError(`grid_sampler(): expected 4D or 5D input and grid with same number of dimensions, but got ${sizes}`);
  }
  if (input.ndim === 5) throw new NotImplementedError("grid_sample: Gradlens samples 4-D input only; 5-D (volumetric) input is not implemented");
  return apply(samplerOp, [input, grid], { mode, padding, alignCorners: given ?? false });
}

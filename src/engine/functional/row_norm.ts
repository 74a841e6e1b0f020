/**
 * Layer and group normalisation: both normalise contiguous rows of the input by their own mean and biased variance
 * (a layer norm's rows are its last dims, a group norm's are a sample's channels of one group), then apply a weight
 * and bias per position (layer norm) or per channel (group norm). One op each, NativeLayerNormBackward0 and
 * NativeGroupNormBackward0; the gradient is a fused kernel, or differentiable ops when a graph of it is wanted.
 */
import { isGradEnabled } from "../autograd/grad_mode";
import { RuntimeError, ValueError } from "../errors";
import { apply, defineOp } from "../ops/op";
import { empty } from "../ops/operands";
import { formatShape, numelOf } from "../shape";
import type { Tensor } from "../tensor";
import { checkFloating } from "./layer_args";
import { underOneNode } from "./named_gradient";

interface RowNormAttrs {
  readonly kind: "layer" | "group";
  readonly eps: number;
  /** Elements per row. */
  readonly rowSize: number;
  /** group norm: groups, and spatial elements per channel (the affine parameters are per channel). */
  readonly groups: number;
  readonly spatial: number;
  readonly hasWeight: boolean;
  readonly hasBias: boolean;
}

interface RowStats {
  mean: Float64Array;
  rstd: Float64Array;
}

const statsByOutput = new WeakMap<Tensor, RowStats>();

/** Which affine parameter element j of row `row` uses. */
function affineIndexer(a: RowNormAttrs): (row: number, j: number) => number {
  if (a.kind === "layer") return (_row, j) => j;
  const perGroup = a.rowSize / a.spatial;
  return (row, j) => (row % a.groups) * perGroup + Math.floor(j / a.spatial);
}

function rowStats(x: Tensor, a: RowNormAttrs): RowStats {
  const d = x._data;
  const k = a.rowSize;
  const rows = k === 0 ? 0 : x.numel() / k;
  const mean = new Float64Array(rows);
  const rstd = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let i = r * k; i < (r + 1) * k; i++) sum += d[i];
    const m = sum / k;
    let sq = 0;
    for (let i = r * k; i < (r + 1) * k; i++) sq += (d[i] - m) * (d[i] - m);
    mean[r] = m;
    rstd[r] = 1 / Math.sqrt(sq / k + a.eps);
  }
  return { mean, rstd };
}

function split(inputs: readonly Tensor[], a: RowNormAttrs): { x: Tensor; w: Tensor | null; b: Tensor | null } {
  return { x: inputs[0], w: a.hasWeight ? inputs[1] : null, b: a.hasBias ? inputs[a.hasWeight ? 2 : 1] : null };
}

function rowNormForward(inputs: readonly Tensor[], a: RowNormAttrs): Tensor {
  const { x, w, b } = split(inputs, a);
  const stats = rowStats(x, a);
  const out = empty(x.shape.slice(), x.dtype);
  const src = x._data;
  const dst = out._data;
  const wd = w?._data;
  const bd = b?._data;
  const at = affineIndexer(a);
  const k = a.rowSize;
  for (let r = 0; r < stats.mean.length; r++) {
    const m = stats.mean[r];
    const s = stats.rstd[r];
    for (let j = 0, i = r * k; j < k; j++, i++) {
      const p = wd || bd ? at(r, j) : 0;
      dst[i] = (src[i] - m) * s * (wd ? wd[p] : 1) + (bd ? bd[p] : 0);
    }
  }
  statsByOutput.set(out, stats);
  return out;
}

function fusedBackward(g: Tensor, x: Tensor, w: Tensor | null, b: Tensor | null, stats: RowStats, a: RowNormAttrs, needs: readonly boolean[]): Array<Tensor | null> {
  const k = a.rowSize;
  const xd = x._data;
  const gd = g._data;
  const wd = w?._data;
  const at = affineIndexer(a);
  const params = (w ?? b)?.numel() ?? 0;
  const gx = needs[0] ? empty(x.shape.slice(), x.dtype) : null;
  const gw = needs[1] ? new Float64Array(params) : null;
  const gb = needs[2] ? new Float64Array(params) : null;
  for (let r = 0; r < stats.mean.length; r++) {
    const m = stats.mean[r];
    const s = stats.rstd[r];
    let sumG = 0;
    let sumGX = 0;
    for (let j = 0, i = r * k; j < k; j++, i++) {
      const p = at(r, j);
      const xhat = (xd[i] - m) * s;
      const gxhat = gd[i] * (wd ? wd[p] : 1);
      sumG += gxhat;
      sumGX += gxhat * xhat;
      if (gw) gw[p] += gd[i] * xhat;
      if (gb) gb[p] += gd[i];
    }
    if (gx) {
      const out = gx._data;
      for (let j = 0, i = r * k; j < k; j++, i++) {
        const xhat = (xd[i] - m) * s;
        const gxhat = gd[i] * (wd ? wd[at(r, j)] : 1);
        out[i] = s * (gxhat - sumG / k - (xhat * sumGX) / k);
      }
    }
  }
  const asTensor = (v: Float64Array | null, like: Tensor | null) => {
    if (!v || !like) return null;
    const t = empty(like.shape.slice(), like.dtype);
    t._data.set(v);
    return t;
  };
  return [gx, asTensor(gw, w), asTensor(gb, b)];
}

/** The gradients with differentiable ops: x seen as [rows, rowSize], the statistics recomputed from it. */
function compositeBackward(g: Tensor, x: Tensor, w: Tensor | null, b: Tensor | null, a: RowNormAttrs, needs: readonly boolean[]): Array<Tensor | null> {
  const rows = [x.numel() / a.rowSize, a.rowSize];
  const xr = x.reshape(rows);
  const centred = xr.sub(xr.mean(1, true));
  const rstd = centred.pow(2).mean(1, true).add(a.eps).pow(-0.5);
  const xhat = centred.mul(rstd).reshape(x.shape);
  const affine = w ?? b;
  const affineShape = a.kind === "layer" ? affine?.shape ?? [] : x.shape.map((d, i) => (i === 1 ? d : 1));
  const reduceDims = a.kind === "layer" ? x.shape.map((_, i) => i).slice(0, x.ndim - (affine?.ndim ?? 0)) : x.shape.map((_, i) => i).filter((i) => i !== 1);
  const gxhat = w ? g.mul(w.reshape(affineShape)) : g;
  let gx: Tensor | null = null;
  if (needs[0]) {
    const gr = gxhat.reshape(rows);
    const xh = xhat.reshape(rows);
    gx = gr.sub(gr.mean(1, true)).sub(xh.mul(gr.mul(xh).mean(1, true))).mul(rstd).reshape(x.shape);
  }
  const gw = needs[1] && w ? g.mul(xhat).sum(reduceDims).reshape(w.shape) : null;
  const gb = needs[2] && b ? g.sum(reduceDims).reshape(b.shape) : null;
  return [gx, gw, gb];
}

const layerNormOp = rowNormOp("NativeLayerNormBackward0");
const groupNormOp = rowNormOp("NativeGroupNormBackward0");

function rowNormOp(gradFnName: string) {
  return defineOp<RowNormAttrs>({
    name: gradFnName === "NativeLayerNormBackward0" ? "layerNorm" : "groupNorm",
    gradFnName,
    forward: (inputs, a) => rowNormForward(inputs, a),
    backward: ({ inputs, output, attrs: a, needsInputGrad }, g) => {
      const { x, w, b } = split(inputs, a);
      const needs = [needsInputGrad[0], a.hasWeight && needsInputGrad[1], a.hasBias && needsInputGrad[a.hasWeight ? 2 : 1]];
      // PyTorch's layer norm has a NativeLayerNormBackwardBackward0 node; its group norm's double backward is composite.
      const [gx, gw, gb] = isGradEnabled()
        ? a.kind === "layer" ? underOneNode("NativeLayerNormBackwardBackward0", compositeBackward(g, x, w, b, a, needs)) : compositeBackward(g, x, w, b, a, needs)
        : fusedBackward(g, x, w, b, statsByOutput.get(output) ?? rowStats(x, a), a, needs);
      const grads: Array<Tensor | null> = [gx];
      if (a.hasWeight) grads.push(gw);
      if (a.hasBias) grads.push(gb);
      return grads;
    },
    saves: { inputs: [0] },
  });
}

function inputsOf(x: Tensor, w: Tensor | null, b: Tensor | null): Tensor[] {
  const inputs = [x];
  if (w) inputs.push(w);
  if (b) inputs.push(b);
  return inputs;
}

export interface LayerNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  eps?: number;
}

/** torch.nn.functional.layer_norm: each row over the last dims `normalizedShape` to mean 0 and variance 1. */
export function layerNorm(input: Tensor, normalizedShape: number | readonly number[], options: LayerNormOptions = {}): Tensor {
  checkFloating(input, "layer_norm");
  const shape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
  const w = options.weight ?? null;
  const b = options.bias ?? null;
  const tail = input.shape.slice(input.ndim - shape.length);
  if (shape.length === 0) throw new RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, but got normalized_shape = []");
  for (const [name, t] of [["weight", w], ["bias", b]] as const) {
    if (t && (t.ndim !== shape.length || t.shape.some((d, i) => d !== shape[i]))) {
      throw new RuntimeError(`Expected ${name} to be of same shape as normalized_shape, but got ${name} of shape ${formatShape(t.shape)} and normalized_shape = ${formatShape(shape)}`);
    }
  }
  if (input.ndim < shape.length || tail.some((d, i) => d !== shape[i])) {
    throw new RuntimeError(`Given normalized_shape=${formatShape(shape)}, expected input with shape [*, ${shape.join(", ")}], but got input of size${formatShape(input.shape)}`);
  }
  const attrs: RowNormAttrs = { kind: "layer", eps: options.eps ?? 1e-5, rowSize: numelOf(shape), groups: 1, spatial: 1, hasWeight: w !== null, hasBias: b !== null };
  return apply(layerNormOp, inputsOf(input, w, b), attrs);
}

export interface GroupNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  eps?: number;
}

/** torch.nn.functional.group_norm over [N, C, *]: the channels split into `numGroups` groups, each normalised per
 * sample; weight and bias are per channel. */
export function groupNorm(input: Tensor, numGroups: number, options: GroupNormOptions = {}): Tensor {
  checkFloating(input, "group_norm");
  if (input.ndim < 2) throw new RuntimeError(`Expected at least 2 dimensions for input tensor but received ${input.ndim}`);
  const [n, c] = input.shape;
  if (!Number.isInteger(numGroups) || numGroups <= 0 || c % numGroups !== 0) {
    throw new RuntimeError(`Expected number of channels in input to be divisible by num_groups, but got input of shape ${formatShape(input.shape)} and num_groups=${numGroups}`);
  }
  const spatial = numelOf(input.shape.slice(2));
  if ((c / numGroups) * spatial === 1) {
    throw new ValueError(`Expected more than 1 value per channel when training, got input size torch.Size(${formatShape([n * c / numGroups, numGroups, ...input.shape.slice(2)])})`);
  }
  const w = options.weight ?? null;
  const b = options.bias ?? null;
  for (const [name, t] of [["weight", w], ["bias", b]] as const) {
    if (t && (t.ndim !== 1 || t.numel() !== c)) {
      throw new RuntimeError(`Expected ${name} to be a vector of size equal to the number of channels in input, but got ${name} of shape ${formatShape(t.shape)} and input of shape ${formatShape(input.shape)}`);
    }
  }
  const attrs: RowNormAttrs = { kind: "group", eps: options.eps ?? 1e-5, rowSize: (c / numGroups) * spatial, groups: numGroups, spatial, hasWeight: w !== null, hasBias: b !== null };
  return apply(groupNormOp, inputsOf(input, w, b), attrs);
}

/**
 * F.pad as PyTorch 1.13 dispatches it: constant padding is one op (ConstantPadNdBackward0, whose gradient is a
 * constant pad by the negated amounts, a crop); reflection and replication are plane maps (ReflectionPad2DBackward0,
 * ...); circular padding is, as in ATen, a fresh tensor filled by copies into slices of it (CopySlices nodes).
 */
import { NotImplementedError, RuntimeError } from "../errors";
import { gather, scatter } from "../kernels/strided";
import { copy_ } from "../ops/inplace";
import { type OpDef, apply, defineOp } from "../ops/op";
import { empty } from "../ops/operands";
import { slice } from "../ops/slicing";
import { contiguousStrides, formatShape } from "../shape";
import type { Tensor } from "../tensor";
import { MapCache, PlaneMapBuilder, applyPlaneMap } from "./plane_map";

export type PadMode = "constant" | "reflect" | "replicate" | "circular";

interface ConstantPadAttrs {
  /** PyTorch's order: (left, right) of the last dim, then of the one before, ... */
  readonly pads: readonly number[];
  readonly value: number;
}

/** The padded shape, with PyTorch's check of each padded dim. */
function paddedShape(shape: readonly number[], pads: readonly number[]): number[] {
  const out = shape.slice();
  for (let k = 0; k < pads.length / 2; k++) {
    const dim = shape.length - 1 - k;
    const size = shape[dim] + pads[2 * k] + pads[2 * k + 1];
    if (size <= 0 && !(size === 0 && shape[dim] === 0)) {
      throw new RuntimeError(`The input size ${shape[dim]}, plus negative padding ${pads[2 * k]} and ${pads[2 * k + 1]} resulted in a negative output size, which is invalid. Check dimension ${dim} of your input.`);
    }
    out[dim] = size;
  }
  return out;
}

function constantPadForward(x: Tensor, { pads, value }: ConstantPadAttrs): Tensor {
  const shape = paddedShape(x.shape, pads);
  const out = empty(shape, x.dtype);
  if (value !== 0) out._data.fill(value);
  // The kept block of x lands at an offset in out; negative pads crop x instead.
  const lengths = x.shape.slice();
  let inOffset = x._offset;
  let outOffset = 0;
  const outStrides = contiguousStrides(shape);
  for (let k = 0; k < pads.length / 2; k++) {
    const dim = x.ndim - 1 - k;
    const left = pads[2 * k];
    const right = pads[2 * k + 1];
    const cropLeft = Math.max(-left, 0);
    lengths[dim] = Math.max(0, x.shape[dim] - cropLeft - Math.max(-right, 0));
    inOffset += cropLeft * x._strides[dim];
    outOffset += Math.max(left, 0) * outStrides[dim];
  }
  const n = lengths.reduce((a, b) => a * b, 1);
  if (n === 0) return out;
  const block = new Float64Array(n);
  gather(x._storage.data, { shape: lengths, strides: x._strides, offset: inOffset }, block);
  scatter(out._data, { shape: lengths, strides: outStrides, offset: outOffset }, block);
  return out;
}

const constantPadOp: OpDef<ConstantPadAttrs> = defineOp<ConstantPadAttrs>({
  name: "constantPad",
  gradFnName: "ConstantPadNdBackward0",
  forward: ([x], a) => constantPadForward(x, a),
  // A crop: a constant pad by the negated amounts (PyTorch's constant_pad_nd_backward).
  backward: ({ attrs }, g) => [apply(constantPadOp, [g], { pads: attrs.pads.map((p) => -p), value: 0 })],
});

const padMaps = new MapCache();

/** Where output position o of a padded line of length `size` reads from. */
function reflectIndex(o: number, left: number, size: number): number {
  let i = o - left;
  if (i < 0) i = -i;
  if (i >= size) i = 2 * (size - 1) - i;
  return i;
}

function replicateIndex(o: number, left: number, size: number): number {
  return Math.min(Math.max(o - left, 0), size - 1);
}

/** Reflection or replication over the last 1 or 2 dims: each output element copies one input element. */
function indexPad(x: Tensor, pads: readonly number[], mode: "reflect" | "replicate"): Tensor {
  const dims = pads.length / 2;
  const h = dims === 2 ? x.shape[x.ndim - 2] : 1;
  const w = x.shape[x.ndim - 1];
  const [left, right] = [pads[0], pads[1]];
  const [top, bottom] = dims === 2 ? [pads[2], pads[3]] : [0, 0];
  if (mode === "reflect") {
    const check = (l: number, r: number, size: number, dim: number) => {
      if (l >= size || r >= size) {
        throw new RuntimeError(`Argument #4: Padding size should be less than the corresponding input dimension, but got: padding (${l}, ${r}) at dimension ${dim} of input ${formatShape(x.shape)}`);
      }
    };
    check(left, right, w, x.ndim - 1);
    if (dims === 2) check(top, bottom, h, x.ndim - 2);
  }
  const outH = h + top + bottom;
  const outW = w + left + right;
  if (outH < 1 || outW < 1) {
    throw new RuntimeError(`input (H: ${h} W: ${w}) is too small. Calculated output H: ${outH} W: ${outW}`);
  }
  const index = mode === "reflect" ? reflectIndex : replicateIndex;
  const map = padMaps.get(`${mode}:${h}x${w}:${pads.join(",")}`, () => {
    const b = new PlaneMapBuilder(h * w, outH * outW);
    for (let oh = 0; oh < outH; oh++) {
      const ih = dims === 2 ? index(oh, top, h) : 0;
      for (let ow = 0; ow < outW; ow++) {
        b.add(ih * w + index(ow, left, w));
        b.next();
      }
    }
    return b.build();
  });
  const outShape = x.shape.slice();
  outShape[x.ndim - 1] = outW;
  if (dims === 2) outShape[x.ndim - 2] = outH;
  const kind = mode === "reflect" ? "Reflection" : "Replication";
  const name = `${kind}Pad${dims}DBackward0`;
  return applyPlaneMap(x, { map, inShape: x.shape.slice(), outShape, names: [name, `${kind}Pad${dims}DBackwardBackward0`], selfInBackward: true });
}

/** ATen's _pad_circular: copy x into the middle of a new tensor, then each side from the opposite edge. */
function circularPad(x: Tensor, pads: readonly number[]): Tensor {
  const dims = pads.length / 2;
  const inShape = x.shape;
  const outShape = inShape.slice();
  for (let i = 0; i < dims; i++) {
    const l = pads[2 * (dims - i - 1)];
    const r = pads[2 * (dims - i - 1) + 1];
    const size = inShape[2 + i];
    outShape[2 + i] = size + l + r;
    if (l > size || r > size) throw new RuntimeError("Padding value causes wrapping around more than once.");
    if (outShape[2 + i] < 0) throw new RuntimeError("Negative padding value is resulting in an empty dimension");
  }
  const out = empty(outShape, x.dtype);
  let outSlice = out;
  let inSlice = x;
  for (let i = 0; i < dims; i++) {
    const dim = dims - i + 1;
    const l = pads[2 * i];
    const r = pads[2 * i + 1];
    outSlice = slice(outSlice, dim, Math.max(l, 0), outShape[dim] - Math.max(r, 0));
    inSlice = slice(inSlice, dim, Math.max(-l, 0), inShape[dim] - Math.max(-r, 0));
  }
  copy_(outSlice, inSlice);
  for (let i = 0; i < dims; i++) {
    const dim = dims - i + 1;
    const l = pads[2 * i];
    const r = pads[2 * i + 1];
    if (l > 0) copy_(slice(out, dim, 0, l), slice(out, dim, outShape[dim] - l - Math.max(r, 0), outShape[dim] - Math.max(r, 0)));
    if (r > 0) copy_(slice(out, dim, outShape[dim] - r, outShape[dim]), slice(out, dim, Math.max(l, 0), Math.max(l, 0) + r));
  }
  return out;
}

export interface PadOptions {
  mode?: PadMode;
  /** The fill of constant padding (PyTorch's `value`), 0 by default. */
  value?: number;
}

/**
 * torch.nn.functional.pad. `pads` lists (left, right) amounts from the last dim backwards, as in PyTorch:
 * `pad(x, [1, 1, 2, 0])` pads the last dim by 1 on each side and the one before by 2 on top.
 */
export function pad(input: Tensor, pads: readonly number[], modeOrOptions: PadMode | PadOptions = {}, value?: number): Tensor {
  const options: PadOptions = typeof modeOrOptions === "string" ? { mode: modeOrOptions, value } : modeOrOptions;
  const mode = options.mode ?? "constant";
  if (!Array.isArray(pads) || pads.some((p) => !Number.isInteger(p))) throw new TypeError("pad(): argument 'pad' must be tuple of ints");
  if (pads.length % 2 !== 0) throw new RuntimeError("Padding length must be divisible by 2");
  if (pads.length > input.ndim * 2) throw new RuntimeError("Padding length too large");
  if (mode === "constant") return apply(constantPadOp, [input], { pads: pads.slice(), value: options.value ?? 0 });
  if (mode !== "reflect" && mode !== "replicate" && mode !== "circular") throw new NotImplementedError(`Unrecognised padding mode ${String(mode)}`);
  if (options.value !== undefined) throw new RuntimeError(`Padding mode "${mode}" doesn't take in value argument`);
  const dims = pads.length / 2;
  // Circular padding of three dims (a [N, C, D, H, W] volume, nn.Conv3d's padding_mode) is the same copies.
  if (mode === "circular" && dims === 3 && input.ndim === 5) return circularPad(input, pads);
  if (dims >= 1 && dims <= 2 && (input.ndim === dims + 1 || input.ndim === dims + 2)) {
    if (mode === "circular") {
      if (input.ndim !== dims + 2) throw new RuntimeError(`Invalid padding size, expected ${2 * (input.ndim - 2)} but got ${pads.length}`);
      return circularPad(input, pads);
    }
    return indexPad(input, pads, mode);
  }
  throw new NotImplementedError("Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now");
}

/**
 * im2col and col2im for 2-D windows (1-D convolutions and pooling run through them with a height of 1): the columns
 * a convolution multiplies its weight with. Row (c, i, j) of the column matrix holds, for every sample b of a chunk
 * and every output position (oh, ow), the input element under kernel tap (i, j) of channel c, or 0 where the tap
 * falls on padding. The input is read through its strides, so a transposed or sliced tensor is not copied first.
 */
import type { DataArray } from "../dtype";
import type { FloatArray } from "./matmul_types";

/** A 2-D sliding window over an input of inH×inW, giving outH×outW positions. */
export interface Window2d {
  readonly inH: number;
  readonly inW: number;
  readonly outH: number;
  readonly outW: number;
  readonly kH: number;
  readonly kW: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly padH: number;
  readonly padW: number;
  readonly dilationH: number;
  readonly dilationW: number;
}

/** Where an [N, C, H, W] tensor's elements sit in its storage. */
export interface Strided4d {
  readonly data: DataArray;
  readonly offset: number;
  /** Strides of N, C, H and W. */
  readonly strides: readonly [number, number, number, number];
}

/** First and one-past-last output column whose tap j lands inside the input (the rest read padding). */
function validColumns(w: Window2d, j: number): [number, number] {
  const shift = w.padW - j * w.dilationW;
  const start = Math.max(0, Math.ceil(shift / w.strideW));
  const end = Math.min(w.outW, Math.ceil((w.inW + shift) / w.strideW));
  return [start, Math.max(start, end)];
}

/**
 * Fills `col` ([channels·kH·kW] × [count·outH·outW], row-major) from samples first..first+count-1 and channels
 * firstChannel..firstChannel+channels-1 of `src`.
 */
export function im2col(src: Strided4d, w: Window2d, first: number, count: number, firstChannel: number, channels: number, col: FloatArray): void {
  const { data, offset } = src;
  const [sN, sC, sH, sW] = src.strides;
  const plane = w.outH * w.outW;
  const rowLength = count * plane;
  let row = 0;
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < w.kH; i++) {
      for (let j = 0; j < w.kW; j++, row++) {
        const [owStart, owEnd] = validColumns(w, j);
        const iwFirst = owStart * w.strideW - w.padW + j * w.dilationW;
        const rowBase = row * rowLength;
        for (let b = 0; b < count; b++) {
          const sampleBase = offset + (first + b) * sN + (firstChannel + c) * sC;
          for (let oh = 0; oh < w.outH; oh++) {
            const at = rowBase + b * plane + oh * w.outW;
            const ih = oh * w.strideH - w.padH + i * w.dilationH;
            // Short runs: plain loops (a fill() call per row costs more than the row).
            if (ih < 0 || ih >= w.inH) {
              for (let ow = 0; ow < w.outW; ow++) col[at + ow] = 0;
              continue;
            }
            for (let ow = 0; ow < owStart; ow++) col[at + ow] = 0;
            let p = sampleBase + ih * sH + iwFirst * sW;
            const step = w.strideW * sW;
            for (let ow = owStart; ow < owEnd; ow++, p += step) col[at + ow] = data[p];
            for (let ow = owEnd; ow < w.outW; ow++) col[at + ow] = 0;
          }
        }
      }
    }
  }
}

/**
 * The adjoint of im2col: adds every entry of `col` into the input position it was read from. `dst` is a row-major
 * [N, C, inH, inW] array (channelsTotal channels per sample); padding taps are dropped.
 */
export function col2im(col: FloatArray, w: Window2d, first: number, count: number, firstChannel: number, channels: number, channelsTotal: number, dst: FloatArray): void {
  const plane = w.outH * w.outW;
  const rowLength = count * plane;
  const inPlane = w.inH * w.inW;
  let row = 0;
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < w.kH; i++) {
      for (let j = 0; j < w.kW; j++, row++) {
        const [owStart, owEnd] = validColumns(w, j);
        const iwFirst = owStart * w.strideW - w.padW + j * w.dilationW;
        const rowBase = row * rowLength;
        for (let b = 0; b < count; b++) {
          const planeBase = ((first + b) * channelsTotal + firstChannel + c) * inPlane;
          for (let oh = 0; oh < w.outH; oh++) {
            const ih = oh * w.strideH - w.padH + i * w.dilationH;
            if (ih < 0 || ih >= w.inH) continue;
            const at = rowBase + b * plane + oh * w.outW;
            let p = planeBase + ih * w.inW + iwFirst;
            for (let ow = owStart; ow < owEnd; ow++, p += w.strideW) dst[p] += col[at + ow];
          }
        }
      }
    }
  }
}

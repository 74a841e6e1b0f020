/**
 * A 3-D convolution and its two adjoints, as direct loops over a table of taps: for each output position and kernel
 * offset, the input position it reads (or -1 in the padding). Sums are taken in double and rounded once. Volumes in
 * the tutorials are small (a few thousand positions), where the table is cheap and a gemm would not pay.
 */
import type { FloatArray } from "./matmul_types";

/** The convolution that maps [batch, inChannels, ...inSize] to [batch, outChannels, ...outSize]. */
export interface Conv3dPlan {
  readonly batch: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly groups: number;
  readonly inSize: readonly [number, number, number];
  readonly outSize: readonly [number, number, number];
  readonly kernel: readonly [number, number, number];
  readonly stride: readonly number[];
  readonly padding: readonly number[];
  readonly dilation: readonly number[];
}

const volume = (s: readonly number[]) => s[0] * s[1] * s[2];

/** taps[o · kVol + k]: the input position that output position o reads through kernel offset k, or -1. */
function tapTable(p: Conv3dPlan): Int32Array {
  const [oD, oH, oW] = p.outSize;
  const [iD, iH, iW] = p.inSize;
  const [kD, kH, kW] = p.kernel;
  const kVol = kD * kH * kW;
  const taps = new Int32Array(oD * oH * oW * kVol);
  let t = 0;
  for (let od = 0; od < oD; od++) {
    for (let oh = 0; oh < oH; oh++) {
      for (let ow = 0; ow < oW; ow++) {
        for (let kd = 0; kd < kD; kd++) {
          const d = od * p.stride[0] - p.padding[0] + kd * p.dilation[0];
          for (let kh = 0; kh < kH; kh++) {
            const h = oh * p.stride[1] - p.padding[1] + kh * p.dilation[1];
            for (let kw = 0; kw < kW; kw++, t++) {
              const w = ow * p.stride[2] - p.padding[2] + kw * p.dilation[2];
              taps[t] = d >= 0 && d < iD && h >= 0 && h < iH && w >= 0 && w < iW ? (d * iH + h) * iW + w : -1;
            }
          }
        }
      }
    }
  }
  return taps;
}

function alike(a: FloatArray, n: number): FloatArray {
  return a instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
}

/** Calls visit(xBase, wBase, oBase) for every (sample, output channel, input channel of its group). */
function eachPair(p: Conv3dPlan, visit: (xBase: number, wBase: number, oBase: number) => void): void {
  const inPerGroup = p.inChannels / p.groups;
  const outPerGroup = p.outChannels / p.groups;
  const inVol = volume(p.inSize);
  const outVol = volume(p.outSize);
  const kVol = volume(p.kernel);
  for (let n = 0; n < p.batch; n++) {
    for (let oc = 0; oc < p.outChannels; oc++) {
      const g = Math.floor(oc / outPerGroup);
      for (let ic = 0; ic < inPerGroup; ic++) {
        visit((n * p.inChannels + g * inPerGroup + ic) * inVol, (oc * inPerGroup + ic) * kVol, (n * p.outChannels + oc) * outVol);
      }
    }
  }
}

/** out[n, oc] = Σ over the group's input channels and the kernel of w · x. */
export function conv3dForward(x: FloatArray, weight: FloatArray, p: Conv3dPlan): FloatArray {
  const taps = tapTable(p);
  const kVol = volume(p.kernel);
  const outVol = volume(p.outSize);
  const sums = new Float64Array(p.batch * p.outChannels * outVol);
  eachPair(p, (xBase, wBase, oBase) => {
    for (let o = 0, t = 0; o < outVol; o++) {
      let s = 0;
      for (let k = 0; k < kVol; k++, t++) {
        const i = taps[t];
        if (i >= 0) s += x[xBase + i] * weight[wBase + k];
      }
      sums[oBase + o] += s;
    }
  });
  const out = alike(x, sums.length);
  out.set(sums);
  return out;
}

/** The forward's adjoint in x: each output gradient spread back over the positions it read. */
export function conv3dInputGrad(gout: FloatArray, weight: FloatArray, p: Conv3dPlan): FloatArray {
  const taps = tapTable(p);
  const kVol = volume(p.kernel);
  const outVol = volume(p.outSize);
  const sums = new Float64Array(p.batch * p.inChannels * volume(p.inSize));
  eachPair(p, (xBase, wBase, oBase) => {
    for (let o = 0, t = 0; o < outVol; o++) {
      const g = gout[oBase + o];
      for (let k = 0; k < kVol; k++, t++) {
        const i = taps[t];
        if (i >= 0) sums[xBase + i] += g * weight[wBase + k];
      }
    }
  });
  const out = alike(gout, sums.length);
  out.set(sums);
  return out;
}

/** The forward's adjoint in w: Σ over samples and output positions of gout · x. */
export function conv3dWeightGrad(x: FloatArray, gout: FloatArray, p: Conv3dPlan): FloatArray {
  const taps = tapTable(p);
  const kVol = volume(p.kernel);
  const outVol = volume(p.outSize);
  const sums = new Float64Array(p.outChannels * (p.inChannels / p.groups) * kVol);
  eachPair(p, (xBase, wBase, oBase) => {
    for (let o = 0, t = 0; o < outVol; o++) {
      const g = gout[oBase + o];
      for (let k = 0; k < kVol; k++, t++) {
        const i = taps[t];
        if (i >= 0) sums[wBase + k] += g * x[xBase + i];
      }
    }
  });
  const out = alike(x, sums.length);
  out.set(sums);
  return out;
}

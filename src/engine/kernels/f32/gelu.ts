/**
 * float32 GELU and its backward as PyTorch 1.13 computes them (Activation.cpp), in both forms:
 * - "none": x·½·(1 + erf(x/√2)); backward dy·(cdf + x·pdf) with pdf = (2/√π·1/√2·½)·exp(−x²/2);
 * - "tanh": ½x·(1 + tanh(β(x + κx³))), β = √2·2/√π·½, κ = 0.044715; backward by the product rule as ATen spells it.
 * Whole 16-element blocks use SLEEF's erf/exp/tanh, leftover elements the C library's. GCC fuses some products into
 * the sums that follow them (x + κx³, 1 − t², 1 + 3κx², and cdf + x·pdf in the vectorised formula only) and not
 * others; each choice below was settled against PyTorch's results.
 * PyTorch sends the erf form of a contiguous tensor of more than one element to oneDNN instead (onednn_gelu.ts).
 */
import { f } from "./bits";
import { erff } from "./erf";
import { expf } from "./exp";
import { fmaf } from "./fma";
import { libmExpf } from "./libm";
import { libmErff, libmTanhf } from "./libm_fdlibm";
import { vectorEnd } from "./loops";
import type { F4, Lanes } from "./lanes";
import { type LaneKernel, runLanes } from "./lanes_run";
import { emitTanh, tanhf } from "./tanh";

export type GeluApproximate = "none" | "tanh";

const ALPHA = f(Math.SQRT1_2);
const BETA_TANH = f(Math.SQRT2 * (2 / Math.sqrt(Math.PI)) * 0.5);
const KAPPA = f(0.044715);
const BETA_ERF = f((2 / Math.sqrt(Math.PI)) * Math.SQRT1_2 * 0.5);
const THREE_KAPPA = f(3 * KAPPA);

type Erf = (x: number) => number;

function geluErf(x: number, erf: Erf): number {
  return f(f(x * 0.5) * f(1 + erf(f(x * ALPHA))));
}

function geluTanh(x: number, tanh: Erf): number {
  const cube = f(f(x * x) * x);
  const inner = f(BETA_TANH * fmaf(KAPPA, cube, x));
  return f(f(0.5 * x) * f(1 + tanh(inner)));
}

function geluErfBackward(dy: number, x: number, erf: Erf, exp: Erf, fused: boolean): number {
  const cdf = f(0.5 * f(1 + erf(f(x * ALPHA))));
  const pdf = f(BETA_ERF * exp(f(f(x * x) * -0.5)));
  return f(dy * (fused ? fmaf(x, pdf, cdf) : f(cdf + f(x * pdf))));
}

function geluTanhBackward(dy: number, x: number, tanh: Erf): number {
  const sq = f(x * x);
  const cube = f(sq * x);
  const t = tanh(f(BETA_TANH * fmaf(KAPPA, cube, x)));
  const left = f(0.5 * x);
  const leftDerivative = f(0.5 * f(1 + t));
  const tanhDerivative = fmaf(-t, t, 1);
  const innerDerivative = f(BETA_TANH * fmaf(THREE_KAPPA, sq, 1));
  return f(dy * f(leftDerivative + f(f(left * tanhDerivative) * innerDerivative)));
}

const libmErf = libmErff;

// ---- the tanh form's vectorised formula four lanes at a time (lanes.ts), the same steps ----

/** β·(x + κx³) with its sum fused; the sum follows x, so below 2^−120 it could reach the subnormal grid. */
function innerLanes(L: Lanes, x: F4, sq: F4): F4 {
  L.flagTiny(x, 2 ** -120);
  return L.mul(L.c(BETA_TANH), L.fma(L.c(KAPPA), L.mul(sq, x), x));
}

function emitGeluTanh(L: Lanes, x: F4): F4 {
  const t = emitTanh(L, innerLanes(L, x, L.mul(x, x)));
  return L.mul(L.mul(L.c(0.5), x), L.add(L.c(1), t));
}

function emitGeluTanhBackward(L: Lanes, dy: F4, x: F4): F4 {
  const sq = L.mul(x, x);
  const t = emitTanh(L, innerLanes(L, x, sq));
  const left = L.mul(L.c(0.5), x);
  const leftDerivative = L.mul(L.c(0.5), L.add(L.c(1), t));
  const tanhDerivative = L.fma(L.neg(t), t, L.c(1));
  const innerDerivative = L.mul(L.c(BETA_TANH), L.fma(L.c(THREE_KAPPA), sq, L.c(1)));
  return L.mul(dy, L.add(leftDerivative, L.mul(L.mul(left, tanhDerivative), innerDerivative)));
}

const GELU_TANH_LANES: LaneKernel = {
  name: "gelu tanh",
  emit: (L, [x]) => [emitGeluTanh(L, x)],
  exact: ([src], out, from, to) => {
    for (let i = from; i < to; i++) out[i] = geluTanh(src[i], tanhf);
  },
};

const GELU_TANH_BACKWARD_LANES: LaneKernel = {
  name: "gelu tanh backward",
  inputs: 2,
  emit: (L, [dy], [x]) => [emitGeluTanhBackward(L, dy, x)],
  exact: ([grad, input], out, from, to) => {
    for (let i = from; i < to; i++) out[i] = geluTanhBackward(grad[i], input[i], tanhf);
  },
};

export function geluArray(src: Float32Array, out: Float32Array, approximate: GeluApproximate): void {
  const split = vectorEnd(src.length);
  if (approximate === "tanh") {
    if (!runLanes(GELU_TANH_LANES, [src], out, 0, split)) GELU_TANH_LANES.exact([src], out, 0, split, []);
    for (let i = split; i < src.length; i++) out[i] = geluTanh(src[i], libmTanhf);
  } else {
    for (let i = 0; i < split; i++) out[i] = geluErf(src[i], erff);
    for (let i = split; i < src.length; i++) out[i] = geluErf(src[i], libmErf);
  }
}

/** gelu_backward(grad, input). */
export function geluBackwardArray(grad: Float32Array, input: Float32Array, out: Float32Array, approximate: GeluApproximate): void {
  const split = vectorEnd(out.length);
  if (approximate === "tanh") {
    if (!runLanes(GELU_TANH_BACKWARD_LANES, [grad, input], out, 0, split)) GELU_TANH_BACKWARD_LANES.exact([grad, input], out, 0, split, []);
    for (let i = split; i < out.length; i++) out[i] = geluTanhBackward(grad[i], input[i], libmTanhf);
  } else {
    for (let i = 0; i < split; i++) out[i] = geluErfBackward(grad[i], input[i], erff, expf, true);
    for (let i = split; i < out.length; i++) out[i] = geluErfBackward(grad[i], input[i], libmErf, libmExpf, false);
  }
}

/**
 * Every functional layer's gradient against central differences in float64 (autograd.gradcheck), and for the layers
 * PyTorch gives a double backward, the gradient of the gradient too (gradgradcheck: the first backward run with
 * createGraph inside the checked function).
 */
import { strict as assert } from "node:assert";
import * as gl from "../../src/engine";
import { F, autograd, type Tensor } from "../../src/engine";

gl.manualSeed(11);
const r = (...shape: number[]) => gl.randn(shape, { dtype: "float64" }).requiresGrad_(true);
const rm = gl.tensor([0.2, -0.4, 0.1], { dtype: "float64" });
const rv = gl.tensor([1.3, 0.6, 2.0], { dtype: "float64" });

type Fn = (...t: Tensor[]) => Tensor;

const CASES: Array<[string, () => Tensor[], Fn]> = [
  ["conv1d stride, padding, dilation, bias", () => [r(2, 3, 9), r(4, 3, 3), r(4)], (x, w, b) => F.conv1d(x, w, b, { stride: 2, padding: 2, dilation: 2 })],
  ["conv2d groups, same padding (even kernel)", () => [r(2, 4, 5, 5), r(4, 2, 2, 3)], (x, w) => F.conv2d(x, w, null, { groups: 2, padding: "same" })],
  ["conv2d stride and padding per dim", () => [r(1, 2, 6, 7), r(3, 2, 3, 2), r(3)], (x, w, b) => F.conv2d(x, w, b, { stride: [2, 1], padding: [1, 0] })],
  ["conv_transpose1d", () => [r(2, 2, 5), r(2, 3, 3), r(3)], (x, w, b) => F.convTranspose1d(x, w, b, { stride: 3, padding: 1 })],
  ["conv_transpose2d output_padding, groups, dilation", () => [r(1, 4, 3, 3), r(4, 2, 2, 2)], (x, w) => F.convTranspose2d(x, w, null, { stride: 2, outputPadding: 1, groups: 2, dilation: 2 })],
  ["max_pool2d padding, dilation, ceil_mode", () => [r(2, 2, 7, 6)], (x) => F.maxPool2d(x, 3, { stride: 2, padding: 1, dilation: 2, ceilMode: true })],
  ["max_pool1d", () => [r(2, 3, 8)], (x) => F.maxPool1d(x, 3, { stride: 2 })],
  ["avg_pool2d count_include_pad false, ceil_mode", () => [r(2, 2, 7, 6)], (x) => F.avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false })],
  ["avg_pool1d", () => [r(2, 2, 7)], (x) => F.avgPool1d(x, 2)],
  ["adaptive_avg_pool2d", () => [r(2, 2, 5, 7)], (x) => F.adaptiveAvgPool2d(x, [3, 4])],
  ["adaptive_max_pool2d", () => [r(2, 2, 5, 7)], (x) => F.adaptiveMaxPool2d(x, [2, 3])],
  ["adaptive_avg_pool1d and adaptive_max_pool1d", () => [r(2, 2, 7)], (x) => F.adaptiveAvgPool1d(x, 3).add(F.adaptiveMaxPool1d(x, 3))],
  ["batch_norm training", () => [r(4, 3, 5), r(3), r(3)], (x, w, b) => F.batchNorm(x, null, null, { weight: w, bias: b, training: true })],
  ["batch_norm eval", () => [r(4, 3, 5), r(3), r(3)], (x, w, b) => F.batchNorm(x, rm, rv, { weight: w, bias: b })],
  ["layer_norm", () => [r(3, 2, 4), r(2, 4), r(2, 4)], (x, w, b) => F.layerNorm(x, [2, 4], { weight: w, bias: b })],
  ["group_norm", () => [r(2, 6, 3), r(6), r(6)], (x, w, b) => F.groupNorm(x, 3, { weight: w, bias: b })],
  ["instance_norm", () => [r(2, 3, 5), r(3), r(3)], (x, w, b) => F.instanceNorm(x, { weight: w, bias: b })],
  ["embedding", () => [r(6, 3)], (w) => F.embedding(gl.tensor([[1, 2, 4], [4, 3, 1]], { dtype: "int64" }), w)],
  ["pad constant, reflect, replicate, circular", () => [r(1, 2, 4, 5)], (x) =>
    F.pad(x, [1, 2, 0, 1], { value: 0.5 }).sum().add(F.pad(x, [2, 1, 1, 2], "reflect").sum()).add(F.pad(x, [1, 0, 2, 1], "replicate").pow(2).sum()).add(F.pad(x, [1, 2, 2, 1], "circular").pow(3).sum())],
  ["normalize", () => [r(3, 4)], (x) => F.normalize(x)],
  ["cosine_similarity", () => [r(3, 5), r(1, 5)], (a, b) => F.cosineSimilarity(a, b)],
  ["pairwise_distance", () => [r(3, 4), r(3, 4)], (a, b) => F.pairwiseDistance(a, b)],
  ["pixel_shuffle and pixel_unshuffle", () => [r(1, 8, 2, 4)], (x) => F.pixelShuffle(x, 2).pow(2).sum().add(F.pixelUnshuffle(x, 2).pow(3).sum())],
  ["unfold and fold", () => [r(1, 2, 5, 5)], (x) => F.fold(F.unfold(x, 2, { padding: 1, stride: 2 }).pow(2), [5, 5], 2, { padding: 1, stride: 2 })],
  ["interpolate nearest and bilinear", () => [r(1, 2, 3, 4)], (x) =>
    F.interpolate(x, { scaleFactor: 1.7 }).pow(2).sum().add(F.interpolate(x, { size: [5, 3], mode: "bilinear", alignCorners: true }).pow(2).sum())],
  ["interpolate linear", () => [r(2, 2, 4)], (x) => F.interpolate(x, { scaleFactor: 2.5, mode: "linear" })],
  ["scaled_dot_product_attention causal", () => [r(2, 3, 4), r(2, 3, 4), r(2, 3, 2)], (q, k, v) => F.scaledDotProductAttention(q, k, v, { isCausal: true })],
  ["scaled_dot_product_attention boolean mask", () => [r(3, 4), r(2, 4), r(2, 2)], (q, k, v) =>
    F.scaledDotProductAttention(q, k, v, { attnMask: gl.tensor([[true, false], [true, true], [false, true]]) })],
];

/** The sum of squares of every first-order gradient, as a function of the inputs (built with createGraph). */
function gradientNorm(fn: Fn): Fn {
  return (...xs) =>
    gl.enableGrad(() => {
      const out = fn(...xs);
      const grads = autograd.grad(out.mul(out).sum(), xs, { createGraph: true, allowUnused: true });
      return grads.filter((g): g is Tensor => g !== null).map((g) => g.pow(2).sum()).reduce((a, b) => a.add(b));
    });
}

const DOUBLE = new Set([
  "conv1d stride, padding, dilation, bias", "conv2d groups, same padding (even kernel)", "conv_transpose2d output_padding, groups, dilation",
  "max_pool2d padding, dilation, ceil_mode", "avg_pool2d count_include_pad false, ceil_mode", "adaptive_max_pool2d", "batch_norm training",
  "batch_norm eval", "layer_norm", "group_norm", "embedding", "pad constant, reflect, replicate, circular", "interpolate nearest and bilinear",
]);

describe("gradcheck of every layer in float64", () => {
  for (const [name, make, fn] of CASES) {
    it(name, () => assert.equal(autograd.gradcheck(fn, make()), true));
    if (DOUBLE.has(name)) it(`${name}: gradient of the gradient`, () => assert.equal(autograd.gradcheck(gradientNorm(fn), make()), true));
  }
});

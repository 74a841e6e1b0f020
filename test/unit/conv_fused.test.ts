/**
 * Convolutions with im2col fused into the WebAssembly kernel's packing (kernels/conv_fused.ts) against the same
 * convolutions through the column matrix (kernels/conv.ts's own loops): forward, input, weight and bias gradients,
 * bit for bit, over shapes that exercise padding, stride, dilation, groups, 1-D signals, transposed convolutions, a
 * batch split in chunks (where the weight gradient is summed chunk by chunk), and the shapes that stay unfused.
 */
import { strict as assert } from "node:assert";
import { F, manualSeed, randn, type Tensor } from "../../src/engine";
import { fusion } from "../../src/engine/kernels/conv_fused";

interface Case {
  x: number[];
  w: number[];
  options: Record<string, unknown>;
  transposed?: boolean;
}

const CASES: Case[] = [
  { x: [64, 1, 28, 28], w: [6, 1, 5, 5], options: { padding: 2 } },
  { x: [16, 6, 14, 14], w: [16, 6, 5, 5], options: {} },
  { x: [8, 3, 17, 19], w: [8, 3, 3, 3], options: { stride: 2, padding: 1 } },
  { x: [4, 4, 16, 16], w: [6, 2, 3, 3], options: { padding: [1, 2], dilation: 2, groups: 2 } },
  { x: [40, 8, 32, 32], w: [16, 8, 3, 3], options: { padding: 1 } },
  { x: [5, 4, 12, 12], w: [8, 4, 1, 1], options: { stride: [2, 1] } },
  { x: [16, 4, 50], w: [8, 4, 5], options: { padding: 2 } },
  { x: [6, 8, 10, 10], w: [8, 4, 3, 3], options: { stride: 2, padding: 1 }, transposed: true },
  { x: [4, 3, 9, 9], w: [2, 3, 3, 3], options: {} },
];

function run(c: Case): Float32Array[] {
  manualSeed(7);
  const x = randn(c.x).requiresGrad_(true);
  const w = randn(c.w).requiresGrad_(true);
  const b = randn([c.transposed ? c.w[1] : c.w[0]]).requiresGrad_(true);
  const conv = c.transposed ? F.convTranspose2d : c.x.length === 3 ? F.conv1d : F.conv2d;
  const y = (conv as (x: Tensor, w: Tensor, b: Tensor, o: Record<string, unknown>) => Tensor)(x, w, b, c.options);
  y.backward(randn(y.shape));
  return [y, x.grad!, w.grad!, b.grad!].map((t) => Float32Array.from(t.detach().reshape(-1).tolist() as number[]));
}

describe("fused convolutions give the column-matrix convolutions' bits", () => {
  afterEach(() => {
    fusion.enabled = true;
  });

  for (const c of CASES) {
    it(`${JSON.stringify(c.x)} ⋆ ${JSON.stringify(c.w)} ${JSON.stringify(c.options)}${c.transposed ? " transposed" : ""}`, () => {
      fusion.enabled = true;
      const fused = run(c);
      fusion.enabled = false;
      const plain = run(c);
      ["output", "input gradient", "weight gradient", "bias gradient"].forEach((what, k) => {
        const bad = fused[k].findIndex((v, i) => !Object.is(v, plain[k][i]));
        assert.equal(bad, -1, `${what} differs at ${bad}: ${fused[k][bad]} against ${plain[k][bad]}`);
      });
    });
  }
});

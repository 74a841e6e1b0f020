/**
 * Gradlens's batch and instance normalisation (float32 and float64) against PyTorch 1.13's, bit for bit (mismatch
 * count 0): the output, the running statistics after the call, and the gradients of input, weight and bias, in
 * training and evaluation, for output gradients that take each of ATen's backward loops (a contiguous gradient: the
 * contiguous kernel, or the channels-last one for [N, C]; the gradient of a sum or a permuted one: the TensorIterator
 * loops). Fixtures: scripts/fixtures/bitexact_batchnorm_fixtures.py → test/fixtures/bitexact_batchnorm.json (Debian's
 * PyTorch 1.13 on AVX2, one thread).
 */
import { strict as assert } from "node:assert";
import { F, ones, tensor, type Tensor } from "../../src/engine";
import { batchNormBackwardPlanes, batchNormBackwardRows, batchNormBackwardStrided, type BatchNormGrads } from "../../src/engine/kernels/f32/batch_norm_backward";
import { batchNormApply, linearTerms, planeStats, rowStats } from "../../src/engine/kernels/f32/batch_norm_forward";
import { batchNormApplyWasm, batchNormBackwardPlanesWasm, batchNormBackwardStridedWasm } from "../../src/engine/kernels/f32/batch_norm_wasm";
import { FLOAT32 } from "../../src/engine/kernels/f32/precision";
import { loadFixture } from "./helpers/compare";
import { MismatchReport, decodeF32 } from "./helpers/bits";

type DType = "float32" | "float64";

interface BatchNormCase {
  op: "batchNorm" | "instanceNorm";
  dtype: DType;
  shape: number[];
  training: boolean;
  momentum: number;
  eps: number;
  grad: "random" | "sum" | "mean" | "permuted";
  x: string;
  /** The output gradient ("random"), or its values in memory order ("permuted": the tensor of reversed shape). */
  g?: string;
  w?: string;
  b?: string;
  runningMean?: string;
  runningVar?: string;
  out: string;
  runningMeanAfter?: string;
  runningVarAfter?: string;
  gradX: string;
  gradW?: string;
  gradB?: string;
}

const fixture = loadFixture<{ cases: BatchNormCase[] }>("bitexact_batchnorm.json");

type Floats = Float32Array | Float64Array;

function decode(b64: string, dtype: DType): Floats {
  if (dtype === "float32") return decodeF32(b64);
  const bytes = Buffer.from(b64, "base64");
  const out = new Float64Array(bytes.length / 8);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

function make(values: Floats, shape: number[], dtype: DType): Tensor {
  return tensor(Array.from(values), { dtype }).reshape(shape);
}

function valuesIn(t: Tensor, dtype: DType): Floats {
  const v = t.detach().reshape(-1).tolist() as number[];
  return dtype === "float32" ? Float32Array.from(v) : Float64Array.from(v);
}

/** Positions where the bits differ (any NaN equals any NaN). */
function differing(actual: Floats, expected: Floats): number[] {
  assert.equal(actual.length, expected.length, "element count");
  const out: number[] = [];
  for (let i = 0; i < expected.length; i++) if (!(Object.is(actual[i], expected[i]) || (actual[i] !== actual[i] && expected[i] !== expected[i]))) out.push(i);
  return out;
}

function labelOf(c: BatchNormCase): string {
  const affine = [c.w ? "weight" : "", c.b ? "bias" : ""].filter(Boolean).join("+") || "no affine";
  const mode = c.training ? `train momentum=${c.momentum}` : "eval";
  return `${c.op} ${c.dtype} [${c.shape.join("×")}] ${mode} ${affine} eps=${c.eps} grad of ${c.grad}`;
}

function outputGradient(c: BatchNormCase, y: Tensor): void {
  if (c.grad === "sum") y.sum().backward();
  else if (c.grad === "mean") y.mean().backward();
  else if (c.grad === "random") y.backward(make(decode(c.g!, c.dtype), c.shape, c.dtype));
  else {
    const reversed = c.shape.slice().reverse();
    y.backward(make(decode(c.g!, c.dtype), reversed, c.dtype).permute(reversed.map((_, i) => reversed.length - 1 - i)));
  }
}

describe("batch and instance norm, bit for bit against PyTorch 1.13", () => {
  const report = new MismatchReport();
  after(() => report.print("batch and instance norm"));

  for (const c of fixture.cases) {
    it(labelOf(c), () => {
      const t = c.dtype;
      const channels = [c.shape[1]];
      const x = make(decode(c.x, t), c.shape, t).requiresGrad_(true);
      const w = c.w ? make(decode(c.w, t), channels, t).requiresGrad_(true) : null;
      const b = c.b ? make(decode(c.b, t), channels, t).requiresGrad_(true) : null;
      const rm = c.runningMean ? make(decode(c.runningMean, t), channels, t) : null;
      const rv = c.runningVar ? make(decode(c.runningVar, t), channels, t) : null;
      const y =
        c.op === "batchNorm"
          ? F.batchNorm(x, rm, rv, { weight: w, bias: b, training: c.training, momentum: c.momentum, eps: c.eps })
          : F.instanceNorm(x, { runningMean: rm, runningVar: rv, weight: w, bias: b, useInputStats: c.training, momentum: c.momentum, eps: c.eps });
      outputGradient(c, y);
      const results: Array<[string, Tensor | null, string | undefined]> = [
        ["output", y, c.out],
        ["running mean", rm, c.runningMeanAfter],
        ["running var", rv, c.runningVarAfter],
        ["grad of input", x.grad, c.gradX],
        ["grad of weight", w?.grad ?? null, c.gradW],
        ["grad of bias", b?.grad ?? null, c.gradB],
      ];
      const failures: string[] = [];
      for (const [what, actual, b64] of results) {
        if (!b64) continue;
        assert.ok(actual, `${what} exists`);
        const expected = decode(b64, t);
        const got = valuesIn(actual, t);
        const bad = differing(got, expected);
        report.add(`${labelOf(c)}: ${what}`, bad.length, expected.length);
        if (bad.length) failures.push(`${what}: ${bad.length} of ${expected.length} differ: ${bad.slice(0, 3).map((i) => `[${i}] got ${got[i]} want ${expected[i]}`).join("; ")}`);
      }
      assert.equal(failures.length, 0, failures.join("\n"));
    });
  }
});

/** The output gradient's values in row-major order, as the kernels read them. */
function gradientValues(c: BatchNormCase): Float32Array {
  const numel = c.shape.reduce((p, d) => p * d, 1);
  if (c.grad === "sum") return new Float32Array(numel).fill(1);
  if (c.grad === "mean") return new Float32Array(numel).fill(Math.fround(1 / numel));
  if (c.grad === "random") return decodeF32(c.g!);
  return valuesIn(permutedGradient(c), "float32") as Float32Array;
}

/** The "permuted" case's output gradient: a view of its values in memory order. */
function permutedGradient(c: BatchNormCase): Tensor {
  const reversed = c.shape.slice().reverse();
  return make(decodeF32(c.g!), reversed, "float32").permute(reversed.map((_, i) => reversed.length - 1 - i));
}

/** at::sum of the output gradient (not contiguous) over all dims but the channels, as the engine computes it: in the
 * order of its memory. */
function gradientSum(c: BatchNormCase): Float32Array {
  const dims = c.shape.map((_, i) => i).filter((i) => i !== 1);
  const g = c.grad === "sum" ? ones([]).expand(c.shape) : permutedGradient(c);
  return valuesIn(g.sum(dims), "float32") as Float32Array;
}

/**
 * float32 batch norm through each kernel directly, on the case's input: the JS kernels (the fallback, and the only
 * ones for [N, C]) and the WebAssembly ones, in blocks of one or two samples so that the channels' sums cross blocks.
 */
describe("batch norm kernels (JS and WebAssembly), bit for bit against PyTorch 1.13", () => {
  const report = new MismatchReport();
  after(() => report.print("batch norm kernels"));

  for (const c of fixture.cases.filter((k) => k.op === "batchNorm" && k.dtype === "float32")) {
    it(labelOf(c), () => {
      const [n, ch] = c.shape;
      const s = c.shape.slice(2).reduce((p, d) => p * d, 1);
      const layout = { n, c: ch, s };
      const x = decodeF32(c.x);
      const weight = c.w ? decodeF32(c.w) : null;
      const stats = { mean: new Float64Array(ch), invstd: new Float64Array(ch), varSum: new Float64Array(ch) };
      if (c.training) {
        if (s === 1) rowStats(FLOAT32, x, n, ch, c.eps, stats);
        else planeStats(FLOAT32, x, layout, c.eps, stats);
      } else {
        // Evaluation: the forward's invstd is formed in float, the backward's in double.
        const f = Math.fround;
        stats.mean.set(decodeF32(c.runningMean!));
        stats.invstd.set(decodeF32(c.runningVar!).map((v) => f(1 / f(Math.sqrt(f(v + f(c.eps)))))));
      }
      const { alpha, beta } = linearTerms(FLOAT32, stats.mean, stats.invstd, weight, c.b ? decodeF32(c.b) : null);
      if (!c.training) stats.invstd.set(decodeF32(c.runningVar!).map((v) => 1 / Math.sqrt(v + c.eps)));
      const results: Array<[string, Float32Array, string | undefined]> = [];
      const y = new Float32Array(x.length);
      batchNormApply(FLOAT32, x, layout, alpha, beta, y);
      results.push(["JS output", y, c.out]);
      if (s > 1) {
        const wy = new Float32Array(x.length);
        assert.ok(batchNormApplyWasm(x, layout, alpha, beta, wy, ch * s), "the WebAssembly kernels run here");
        results.push(["wasm output", wy, c.out]);
      }
      const g = gradientValues(c);
      // ATen's kernels take a contiguous gradient (a permuted [N, 1] one is).
      const contiguous = c.grad === "random" || c.grad === "mean" || (c.grad === "permuted" && permutedGradient(c).isContiguous());
      const channels = { mean: stats.mean, invstd: stats.invstd, weight };
      const grads = (): BatchNormGrads & { dx: Float32Array } => ({ dx: new Float32Array(x.length), dgamma: c.w ? new Float32Array(ch) : null, dbeta: c.b ? new Float32Array(ch) : null });
      const collect = (what: string, out: BatchNormGrads & { dx: Float32Array }) => {
        results.push([`${what} grad of input`, out.dx, c.gradX]);
        if (out.dgamma) results.push([`${what} grad of weight`, out.dgamma as Float32Array, c.gradW]);
        if (out.dbeta) results.push([`${what} grad of bias`, out.dbeta as Float32Array, c.gradB]);
      };
      const js = grads();
      const sum = contiguous ? null : gradientSum(c);
      if (sum) batchNormBackwardStrided(FLOAT32, g, x, channels, sum, layout, c.training, js);
      else if (s === 1) batchNormBackwardRows(FLOAT32, g, x, channels, n, ch, c.training, js);
      else batchNormBackwardPlanes(FLOAT32, g, x, channels, layout, c.training, js);
      collect("JS kernel", js);
      if (s > 1) {
        const wasm = grads();
        const capacity = (n % 2 ? 1 : 2) * ch * s;
        assert.ok(sum ? batchNormBackwardStridedWasm(g, x, channels, sum, layout, c.training, wasm, capacity) : batchNormBackwardPlanesWasm(g, x, channels, layout, c.training, wasm, capacity));
        collect("wasm", wasm);
      }
      const failures: string[] = [];
      for (const [what, got, b64] of results) {
        if (!b64) continue;
        const expected = decodeF32(b64);
        const bad = differing(got, expected);
        report.add(`${labelOf(c)}: ${what}`, bad.length, expected.length);
        if (bad.length) failures.push(`${what}: ${bad.length} of ${expected.length} differ: ${bad.slice(0, 3).map((i) => `[${i}] got ${got[i]} want ${expected[i]}`).join("; ")}`);
      }
      assert.equal(failures.length, 0, failures.join("\n"));
    });
  }
});

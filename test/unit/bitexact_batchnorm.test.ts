/**
 * Gradlens's batch and instance normalisation (float32 and float64) against PyTorch 1.13's, bit for bit (mismatch
 * count 0): the output, the running statistics after the call, and the gradients of input, weight and bias, in
 * training and evaluation, for output gradients that take each of ATen's backward loops (a contiguous gradient: the
 * contiguous kernel, or the channels-last one for [N, C]; the gradient of a sum or a permuted one: the TensorIterator
 * loops). Fixtures: scripts/fixtures/bitexact_batchnorm_fixtures.py → test/fixtures/bitexact_batchnorm.json (Debian's
 * PyTorch 1.13 on AVX2, one thread).
 */
import { strict as assert } from "node:assert";
import { F, tensor, type Tensor } from "../../src/engine";
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

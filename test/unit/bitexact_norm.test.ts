/**
 * Gradlens's layer and group normalisation (float32 and float64) against PyTorch 1.13's, bit for bit (mismatch count
 * 0): the output, each row's mean and rstd (as torch.native_layer_norm / native_group_norm return them), and the
 * gradients of input, weight and bias. Fixtures: scripts/fixtures/bitexact_norm_fixtures.py →
 * test/fixtures/bitexact_norm.json (Debian's PyTorch 1.13 on AVX2, one thread): row sizes 1 to 8199, with and
 * without weight and bias, several eps, ordinary, offset, tiny, subnormal, huge, overflowing, constant and mixed rows.
 * float32 layer norm runs on WebAssembly SIMD where the engine has it; its JS kernels (the fallback) are checked too.
 */
import { strict as assert } from "node:assert";
import { F, tensor, type Tensor } from "../../src/engine";
import { layerNormApply, layerNormBackward } from "../../src/engine/kernels/f32/layer_norm";
import { layerNormBackwardWasm, layerNormForwardWasm } from "../../src/engine/kernels/f32/layer_norm_wasm";
import { normStats } from "../../src/engine/kernels/f32/moments";
import { FLOAT32, FLOAT64 } from "../../src/engine/kernels/f32/precision";
import { loadFixture } from "./helpers/compare";
import { MismatchReport, decodeF32, describeMismatches, mismatches, valuesOf } from "./helpers/bits";

interface NormCase {
  op: "layerNorm" | "groupNorm";
  dtype: "float32" | "float64";
  kind: string;
  shape: number[];
  normalizedShape?: number[];
  groups?: number;
  eps: number;
  x: string;
  w?: string;
  b?: string;
  /** Absent where PyTorch 1.13's backward fails (group norm with a bias and no weight): forward only. */
  g?: string;
  out: string;
  mean: string;
  rstd: string;
  gradX?: string | null;
  gradW?: string;
  gradB?: string;
}

const fixture = loadFixture<{ cases: NormCase[] }>("bitexact_norm.json");

type Floats = Float32Array | Float64Array;

function decode(b64: string, dtype: NormCase["dtype"]): Floats {
  if (dtype === "float32") return decodeF32(b64);
  const bytes = Buffer.from(b64, "base64");
  const out = new Float64Array(bytes.length / 8);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

function leaf(values: Floats, shape: number[], dtype: NormCase["dtype"]): Tensor {
  return tensor(Array.from(values), { dtype }).reshape(shape).requiresGrad_(true);
}

function valuesIn(t: Tensor, dtype: NormCase["dtype"]): Floats {
  return dtype === "float32" ? valuesOf(t) : Float64Array.from(t.detach().reshape(-1).tolist() as number[]);
}

/** Positions where the bits differ (any NaN equals any NaN). */
function differing(actual: ArrayLike<number>, expected: Floats): number[] {
  if (expected instanceof Float32Array) return mismatches(actual, expected);
  assert.equal(actual.length, expected.length, "element count");
  const out: number[] = [];
  for (let i = 0; i < expected.length; i++) if (!(Object.is(actual[i], expected[i]) || (actual[i] !== actual[i] && expected[i] !== expected[i]))) out.push(i);
  return out;
}

function labelOf(c: NormCase): string {
  const affine = [c.w ? "weight" : "", c.b ? "bias" : ""].filter(Boolean).join("+") || "no affine";
  const over = c.op === "layerNorm" ? `over [${c.normalizedShape!.join("×")}]` : `${c.groups} groups`;
  return `${c.op} ${c.dtype} [${c.shape.join("×")}] ${over} ${c.kind} ${affine} eps=${c.eps}`;
}

/** The kernel's statistics for the case's rows (the op keeps them with its output for the backward). */
function stats(c: NormCase, x: Floats): [Floats, Floats] {
  const rowSize = c.op === "layerNorm" ? c.normalizedShape!.reduce((p, d) => p * d, 1) : x.length / (c.shape[0] * c.groups!);
  const rows = rowSize === 0 ? 0 : x.length / rowSize;
  const like = () => (x instanceof Float32Array ? new Float32Array(rows) : new Float64Array(rows));
  const [mean, rstd] = [like(), like()];
  normStats(x instanceof Float32Array ? FLOAT32 : FLOAT64, x, rows, rowSize, c.eps, mean, rstd);
  return [mean, rstd];
}

type Result = [string, ArrayLike<number>, string | undefined | null];

/** float32 layer norm through each kernel directly: the WebAssembly one (mean and rstd as it computes them; blocks of
 * a few rows, so that rows and the weight's gradients cross blocks) and the JS fallback, on the case's statistics. */
function kernelResults(c: NormCase, xv: Float32Array): Result[] {
  const size = c.normalizedShape!.reduce((p, d) => p * d, 1);
  const rows = size === 0 ? 0 : xv.length / size;
  const [w, b] = [c.w ? decodeF32(c.w) : null, c.b ? decodeF32(c.b) : null];
  const [wasmY, wasmMean, wasmRstd, jsY] = [new Float32Array(xv.length), new Float32Array(rows), new Float32Array(rows), new Float32Array(xv.length)];
  const block = 3 * size;
  assert.ok(layerNormForwardWasm(xv, w, b, rows, size, c.eps, wasmY, wasmMean, wasmRstd, block), "the WebAssembly kernels run here");
  const [mean, rstd] = [decodeF32(c.mean), decodeF32(c.rstd)];
  layerNormApply(FLOAT32, xv, w, b, rows, size, mean, rstd, jsY);
  const results: Result[] = [["wasm mean", wasmMean, c.mean], ["wasm rstd", wasmRstd, c.rstd], ["wasm output", wasmY, c.out], ["JS kernel output", jsY, c.out]];
  if (c.g) {
    const g = decodeF32(c.g);
    const grads = () => [new Float32Array(xv.length), w ? new Float32Array(size) : null, b ? new Float32Array(size) : null] as const;
    const [dx, dw, db] = grads();
    layerNormBackward(FLOAT32, g, xv, mean, rstd, w, rows, size, dx, dw, db);
    const [wdx, wdw, wdb] = grads();
    assert.ok(layerNormBackwardWasm(g, xv, mean, rstd, w, rows, size, wdx, wdw, wdb, block));
    results.push(["JS kernel grad of input", dx, c.gradX], ["JS kernel grad of weight", dw ?? [], c.gradW], ["JS kernel grad of bias", db ?? [], c.gradB]);
    results.push(["wasm grad of input", wdx, c.gradX], ["wasm grad of weight", wdw ?? [], c.gradW], ["wasm grad of bias", wdb ?? [], c.gradB]);
  }
  return results;
}

describe("layer and group norm, bit for bit against PyTorch 1.13", () => {
  const report = new MismatchReport();
  after(() => report.print("layer and group norm"));

  for (const c of fixture.cases) {
    it(labelOf(c), () => {
      const t = c.dtype;
      const xv = decode(c.x, t);
      const affineShape = c.op === "layerNorm" ? c.normalizedShape! : [c.shape[1]];
      const x = leaf(xv, c.shape, t);
      const w = c.w ? leaf(decode(c.w, t), affineShape, t) : null;
      const b = c.b ? leaf(decode(c.b, t), affineShape, t) : null;
      const y = c.op === "layerNorm" ? F.layerNorm(x, c.normalizedShape!, { weight: w, bias: b, eps: c.eps }) : F.groupNorm(x, c.groups!, { weight: w, bias: b, eps: c.eps });
      const [mean, rstd] = stats(c, xv);
      const results: Result[] = [["output", valuesIn(y, t), c.out], ["mean", mean, c.mean], ["rstd", rstd, c.rstd]];
      if (c.g) {
        y.backward(tensor(Array.from(decode(c.g, t)), { dtype: t }).reshape(c.shape));
        results.push(["grad of input", valuesIn(x.grad!, t), c.gradX], ["grad of weight", w ? valuesIn(w.grad!, t) : [], c.gradW], ["grad of bias", b ? valuesIn(b.grad!, t) : [], c.gradB]);
      }
      if (c.op === "layerNorm" && xv instanceof Float32Array) results.push(...kernelResults(c, xv));
      const failures: string[] = [];
      for (const [what, actual, b64] of results) {
        if (!b64) continue;
        const expected = decode(b64, t);
        const bad = differing(actual, expected);
        report.add(`${labelOf(c)}: ${what}`, bad.length, expected.length);
        if (bad.length) failures.push(`${what}: ${bad.length} of ${expected.length} differ: ${describeMismatches(bad, actual, Float32Array.from(expected), what.endsWith("mean") || what.endsWith("rstd") ? [] : [["x", Float32Array.from(xv)]])}`);
      }
      assert.equal(failures.length, 0, failures.join("\n"));
    });
  }
});

/**
 * Gradlens's float32 layer and group normalisation against PyTorch 1.13's, bit for bit (mismatch count 0): the
 * output, each row's mean and rstd (as torch.native_layer_norm / native_group_norm return them), and the gradients
 * of input, weight and bias. Fixtures: scripts/fixtures/bitexact_norm_fixtures.py → test/fixtures/bitexact_norm.json
 * (Debian's PyTorch 1.13 on AVX2, one thread): row sizes 1 to 4096, with and without weight and bias, several eps,
 * ordinary, offset, tiny, subnormal, huge, overflowing, constant and mixed rows.
 */
import { strict as assert } from "node:assert";
import { F, tensor, type Tensor } from "../../src/engine";
import { normStats } from "../../src/engine/kernels/f32/moments";
import { loadFixture } from "./helpers/compare";
import { MismatchReport, decodeF32, describeMismatches, mismatches, valuesOf } from "./helpers/bits";

interface NormCase {
  op: "layerNorm" | "groupNorm";
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

function leaf(b64: string, shape: number[]): Tensor {
  return tensor(decodeF32(b64)).reshape(shape).requiresGrad_(true);
}

function labelOf(c: NormCase): string {
  const affine = [c.w ? "weight" : "", c.b ? "bias" : ""].filter(Boolean).join("+") || "no affine";
  const over = c.op === "layerNorm" ? `over [${c.normalizedShape!.join("×")}]` : `${c.groups} groups`;
  return `${c.op} [${c.shape.join("×")}] ${over} ${c.kind} ${affine} eps=${c.eps}`;
}

/** The kernel's statistics for the case's rows (the op keeps them with its output for the backward). */
function stats(c: NormCase, x: Float32Array): [Float32Array, Float32Array] {
  const rowSize = c.op === "layerNorm" ? c.normalizedShape!.reduce((p, d) => p * d, 1) : x.length / (c.shape[0] * c.groups!);
  const rows = rowSize === 0 ? 0 : x.length / rowSize;
  const mean = new Float32Array(rows);
  const rstd = new Float32Array(rows);
  normStats(x, rows, rowSize, c.eps, mean, rstd);
  return [mean, rstd];
}

describe("float32 layer and group norm, bit for bit against PyTorch 1.13", () => {
  const report = new MismatchReport();
  after(() => report.print("layer and group norm"));

  for (const c of fixture.cases) {
    it(labelOf(c), () => {
      const xv = decodeF32(c.x);
      const x = leaf(c.x, c.shape);
      const w = c.w ? leaf(c.w, c.op === "layerNorm" ? c.normalizedShape! : [c.shape[1]]) : null;
      const b = c.b ? leaf(c.b, c.op === "layerNorm" ? c.normalizedShape! : [c.shape[1]]) : null;
      const y = c.op === "layerNorm" ? F.layerNorm(x, c.normalizedShape!, { weight: w, bias: b, eps: c.eps }) : F.groupNorm(x, c.groups!, { weight: w, bias: b, eps: c.eps });
      const [mean, rstd] = stats(c, xv);
      const results: Array<[string, ArrayLike<number>, string | undefined | null]> = [["output", valuesOf(y), c.out], ["mean", mean, c.mean], ["rstd", rstd, c.rstd]];
      if (c.g) {
        y.backward(tensor(decodeF32(c.g)).reshape(c.shape));
        results.push(["grad of input", valuesOf(x.grad!), c.gradX], ["grad of weight", w ? valuesOf(w.grad!) : [], c.gradW], ["grad of bias", b ? valuesOf(b.grad!) : [], c.gradB]);
      }
      const failures: string[] = [];
      for (const [what, actual, b64] of results) {
        if (!b64) continue;
        const expected = decodeF32(b64);
        const bad = mismatches(actual, expected);
        report.add(`${labelOf(c)}: ${what}`, bad.length, expected.length);
        if (bad.length) failures.push(`${what}: ${bad.length} of ${expected.length} differ: ${describeMismatches(bad, actual, expected, what === "mean" || what === "rstd" ? [] : [["x", xv]])}`);
      }
      assert.equal(failures.length, 0, failures.join("\n"));
    });
  }
});

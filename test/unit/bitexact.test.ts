/**
 * Gradlens's float32 results against PyTorch 1.13's, bit for bit: every element of every output and gradient must
 * have PyTorch's exact bits (mismatch count 0). Fixtures: scripts/fixtures/bitexact_fixtures.py →
 * test/fixtures/bitexact_*.json (Debian's PyTorch 1.13 on AVX2, one thread).
 */
import { strict as assert } from "node:assert";
import { F, tensor, type Tensor } from "../../src/engine";
import { loadFixture } from "./helpers/compare";
import { MismatchReport, decodeF32, describeMismatches, mismatches, valuesOf } from "./helpers/bits";

interface PointwiseCase {
  op: string;
  kind: "flat" | "rows";
  rowSize?: number;
  args?: { exponent?: number };
  x: string;
  y?: string;
  g: string;
  out: string;
  grad: string;
  gradY?: string;
  gradFn?: string | null;
}

const UNARY: Record<string, (x: Tensor) => Tensor> = {
  exp: (x) => x.exp(),
  expm1: (x) => x.expm1(),
  log: (x) => x.log(),
  log1p: (x) => x.log1p(),
  sin: (x) => x.sin(),
  cos: (x) => x.cos(),
  tan: (x) => x.tan(),
  tanh: (x) => x.tanh(),
  sigmoid: (x) => x.sigmoid(),
  erf: (x) => x.erf(),
  sqrt: (x) => x.sqrt(),
  rsqrt: (x) => x.rsqrt(),
  gelu: (x) => F.gelu(x),
  geluTanh: (x) => F.gelu(x, { approximate: "tanh" }),
  softplus: (x) => F.softplus(x),
  softplusBeta: (x) => F.softplus(x, 2, 5),
  relu: (x) => x.relu(),
  neg: (x) => x.neg(),
  abs: (x) => x.abs(),
  reciprocal: (x) => x.reciprocal(),
};

function leaf(values: Float32Array): Tensor {
  return tensor(values).requiresGrad_(true);
}

/** Runs forward and backward on one tensor (or, for "rows" cases, on each row as a tensor of its own). */
function run(c: PointwiseCase): { out: Float32Array; grad: Float32Array; gradY?: Float32Array; gradFn: string | null } {
  const x = decodeF32(c.x);
  const g = decodeF32(c.g);
  const y = c.y ? decodeF32(c.y) : undefined;
  const size = c.kind === "rows" ? c.rowSize! : x.length;
  const out = new Float32Array(x.length);
  const grad = new Float32Array(x.length);
  const gradY = y ? new Float32Array(x.length) : undefined;
  let gradFn: string | null = null;
  for (let at = 0; at < x.length; at += size) {
    const xs = leaf(x.subarray(at, at + size));
    const ys = y ? leaf(y.subarray(at, at + size)) : undefined;
    const result = c.op === "powScalar" ? xs.pow(c.args!.exponent!) : c.op === "powTensor" ? xs.pow(ys!) : UNARY[c.op](xs);
    result.backward(tensor(g.subarray(at, at + size)));
    gradFn = result.gradFn?.name ?? null;
    out.set(valuesOf(result), at);
    grad.set(valuesOf(xs.grad!), at);
    if (gradY) gradY.set(valuesOf(ys!.grad!), at);
  }
  return { out, grad, gradY, gradFn };
}

describe("bit-exact float32: pointwise ops and their gradients against PyTorch 1.13", function () {
  this.timeout(120000);
  const fixture = loadFixture<{ cases: PointwiseCase[] }>("bitexact_pointwise.json");
  const report = new MismatchReport();
  after(() => report.print("pointwise"));

  for (const c of fixture.cases) {
    const label = `${c.op}${c.args?.exponent !== undefined ? `(${c.args.exponent})` : ""} [${c.kind}]`;
    it(label, () => {
      const { out, grad, gradY, gradFn } = run(c);
      const x = decodeF32(c.x);
      const g = decodeF32(c.g);
      const checks: Array<[string, Float32Array, Float32Array]> = [
        ["forward", out, decodeF32(c.out)],
        ["grad", grad, decodeF32(c.grad)],
      ];
      if (gradY) checks.push(["grad of exponent", gradY, decodeF32(c.gradY!)]);
      const failures: string[] = [];
      for (const [what, actual, expected] of checks) {
        const bad = mismatches(actual, expected);
        report.add(`${label} ${what}`, bad.length, expected.length);
        if (bad.length) failures.push(`${what}: ${bad.length} of ${expected.length} differ: ${describeMismatches(bad, actual, expected, [["x", x], ["g", g]])}`);
      }
      if (c.gradFn !== undefined) assert.equal(gradFn, c.gradFn, "grad_fn name");
      assert.equal(failures.length, 0, failures.join("\n"));
    });
  }
});

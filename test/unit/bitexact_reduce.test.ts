/**
 * Gradlens's float32 reductions, softmax family, losses, Linear and factories against PyTorch 1.13, bit for bit
 * (mismatch count 0). Matrix products themselves (Linear's output and weight gradient) go through BLAS in PyTorch,
 * whose summation order depends on the build: those are held to float32 tolerance, except thin products, which
 * follow OpenBLAS's order exactly. Fixtures: scripts/fixtures/bitexact_fixtures.py → test/fixtures/bitexact_*.json.
 */
import { strict as assert } from "node:assert";
import { F, addmm, arange, linspace, logspace, tensor, type Tensor } from "../../src/engine";
import { loadFixture } from "./helpers/compare";
import { MismatchReport, decodeF32, describeMismatches, mismatches, valuesOf } from "./helpers/bits";

interface Case {
  op: string;
  shape?: number[];
  dims?: number[] | null;
  dim?: number;
  keepdim?: boolean;
  p?: number | "inf";
  kw?: { unbiased?: boolean };
  /** The op runs on x.transpose(0, 1), a strided view. */
  transposed?: boolean;
  reduction?: "mean" | "sum" | "none";
  target?: number[];
  args?: number[];
  x?: string;
  y?: string;
  w?: string;
  b?: string;
  g?: string;
  out: string;
  outShape?: number[];
  /** null where PyTorch leaves .grad None (the 0-"norm" has no gradient). */
  grad?: string | null;
  gradX?: string;
  gradY?: string;
  gradW?: string;
  gradB?: string;
  gradFn?: string | null;
  /** matmul: addmm with a bias; mat2 stored [n, k] and read transposed (a Linear's weight.t()). */
  bias?: boolean;
  mat2T?: boolean;
}

function leaf(b64: string, shape: number[]): Tensor {
  return tensor(decodeF32(b64)).reshape(shape).requiresGrad_(true);
}

/** Checks each named result bit for bit; `close` names those held to float32 tolerance instead (BLAS products). */
function compare(report: MismatchReport, label: string, results: Array<[string, Tensor | null, string | undefined]>, close: string[] = []): void {
  const failures: string[] = [];
  for (const [what, t, b64] of results) {
    if (b64 === undefined) continue;
    assert.ok(t, `${what}: no result`);
    const actual = valuesOf(t);
    const expected = decodeF32(b64);
    if (close.includes(what)) {
      const scale = Math.max(...Array.from(expected, Math.abs), 1e-30);
      const worst = Math.max(...Array.from(actual, (v, i) => Math.abs(v - expected[i]) / (Math.abs(expected[i]) + scale * 1e-3)));
      assert.ok(worst < 1e-4, `${what}: relative error ${worst}`);
      continue;
    }
    const bad = mismatches(actual, expected);
    report.add(`${label} ${what}`, bad.length, expected.length);
    if (bad.length) failures.push(`${what}: ${bad.length} of ${expected.length} differ: ${describeMismatches(bad, actual, expected, [])}`);
  }
  assert.equal(failures.length, 0, failures.join("\n"));
}

function labelOf(c: Case): string {
  const parts = [c.op, c.transposed ? "of a transposed view" : "", c.kw?.unbiased === false ? "unbiased=false" : "", c.shape ? `[${c.shape.join("×")}]` : "", c.dims !== undefined ? `dims=${c.dims === null ? "all" : c.dims.join(",")}` : "", c.dim !== undefined ? `dim=${c.dim}` : "", c.keepdim ? "keepdim" : "", c.p !== undefined ? `p=${c.p}` : "", c.reduction ?? "", c.args ? `(${c.args.map((a) => +a.toFixed(4)).join(", ")})` : ""];
  return parts.filter(Boolean).join(" ");
}

function runReduce(c: Case, report: MismatchReport): void {
  const x = leaf(c.x!, c.shape!);
  const input = c.transposed ? x.transpose(0, 1) : x;
  const dims = c.dims ?? null;
  let y: Tensor;
  if (c.transposed) y = input.sum(dims, c.keepdim);
  else if (c.op === "norm") y = x.norm(c.p === "inf" ? Infinity : c.p!, dims, c.keepdim);
  else if (c.op === "var" || c.op === "std") y = x[c.op](dims, { unbiased: c.kw?.unbiased });
  else if (c.op === "logsumexp") y = x.logsumexp(dims!);
  else if (c.op === "prod") y = dims ? x.prod(dims[0]) : x.prod();
  else if (c.op === "cumsum") y = x.cumsum(dims![0]);
  else y = c.op === "sum" ? x.sum(dims, c.keepdim) : x.mean(dims, c.keepdim);
  assert.deepEqual(y.shape, c.outShape, "shape");
  y.backward(tensor(decodeF32(c.g!)).reshape(y.shape));
  if (c.grad === null) assert.equal(x.grad, null, "PyTorch leaves .grad None");
  compare(report, labelOf(c), [["forward", y, c.out], ["grad", x.grad, c.grad ?? undefined]]);
  assert.equal(y.gradFn?.name, c.gradFn, "grad_fn name");
}

function runComposite(c: Case, report: MismatchReport): void {
  const label = labelOf(c);
  switch (c.op) {
    case "softmax":
    case "logSoftmax": {
      const x = leaf(c.x!, c.shape!);
      const y = (c.op === "softmax" ? F.softmax : F.logSoftmax)(x, c.dim!);
      y.backward(tensor(decodeF32(c.g!)).reshape(c.shape!));
      compare(report, label, [["forward", y, c.out], ["grad", x.grad, c.grad ?? undefined]]);
      assert.equal(y.gradFn?.name, c.gradFn, "grad_fn name");
      return;
    }
    case "crossEntropy": {
      const x = leaf(c.x!, c.shape!);
      const y = F.crossEntropy(x, tensor(c.target!, { dtype: "int64" }), { reduction: c.reduction });
      y.backward(tensor(decodeF32(c.g!)).reshape(c.outShape!));
      compare(report, label, [["forward", y, c.out], ["grad", x.grad, c.grad ?? undefined]]);
      assert.equal(y.gradFn?.name, c.gradFn, "grad_fn name");
      return;
    }
    case "mseLoss": {
      const a = leaf(c.x!, c.shape!);
      const b = leaf(c.y!, c.shape!);
      const y = F.mseLoss(a, b, { reduction: c.reduction });
      y.backward(tensor(decodeF32(c.g!)).reshape(c.outShape!));
      compare(report, label, [["forward", y, c.out], ["grad", a.grad, c.grad ?? undefined], ["grad of target", b.grad, c.gradY]]);
      assert.equal(y.gradFn?.name, c.gradFn, "grad_fn name");
      return;
    }
    case "linear": {
      const [batch, fin, fout] = c.shape!;
      const x = leaf(c.x!, [batch, fin]);
      const w = leaf(c.w!, [fout, fin]);
      const b = leaf(c.b!, [fout]);
      const y = F.linear(x, w, b);
      y.backward(tensor(decodeF32(c.g!)).reshape([batch, fout]));
      // Products OpenBLAS forms on one thread, and thin ones, are exact (its fma chains); others within float32
      // tolerance.
      const thin = (m: number, n: number, k: number) => m < 4 || n < 4 || m * n * k <= 65536 * 4;
      const close = [
        ...(thin(batch, fout, fin) ? [] : ["forward"]),
        ...(thin(batch, fin, fout) ? [] : ["grad of x"]),
        ...(thin(fout, fin, batch) ? [] : ["grad of W"]),
      ];
      compare(report, label, [["forward", y, c.out], ["grad of x", x.grad, c.gradX], ["grad of W", w.grad, c.gradW], ["grad of bias", b.grad, c.gradB]], close);
      assert.equal(y.gradFn?.name, c.gradFn, "grad_fn name");
      return;
    }
    case "matmul": {
      // mm or addmm through OpenBLAS's order (every case is one it runs on one thread, or thin): all bits PyTorch's.
      const [m, k, n] = c.shape!;
      const x = leaf(c.x!, [m, k]);
      const w = leaf(c.w!, c.mat2T ? [n, k] : [k, n]);
      const b = c.bias ? leaf(c.b!, [n]) : null;
      const mat2 = c.mat2T ? w.t() : w;
      const y = b ? addmm(b, x, mat2) : x.mm(mat2);
      y.backward(tensor(decodeF32(c.g!)).reshape([m, n]));
      const results: Array<[string, Tensor | null, string | undefined]> = [["forward", y, c.out], ["grad of mat1", x.grad, c.gradX], ["grad of mat2", w.grad, c.gradW]];
      if (b) results.push(["grad of bias", b.grad, c.gradB]);
      compare(report, label, results);
      assert.equal(y.gradFn?.name, c.gradFn, "grad_fn name");
      return;
    }
    case "broadcast": {
      const [rows, cols] = c.shape!;
      const x = leaf(c.x!, [rows, cols]);
      const b = leaf(c.b!, [cols]);
      const y = x.add(b).mul(b);
      y.backward(tensor(decodeF32(c.g!)).reshape([rows, cols]));
      compare(report, label, [["forward", y, c.out], ["grad of x", x.grad, c.gradX], ["grad of b", b.grad, c.gradB]]);
      return;
    }
    case "linspace":
      return compare(report, label, [["values", linspace(c.args![0], c.args![1], c.args![2]), c.out]]);
    case "arange":
      return compare(report, label, [["values", arange(c.args![0], c.args![1], c.args![2]), c.out]]);
    case "logspace":
      return compare(report, label, [["values", logspace(c.args![0], c.args![1], c.args![2], c.args![3]), c.out]]);
    default:
      throw new Error(`unknown case ${c.op}`);
  }
}

describe("bit-exact float32: reductions against PyTorch 1.13", function () {
  this.timeout(120000);
  const report = new MismatchReport();
  after(() => report.print("reductions"));
  for (const c of loadFixture<{ cases: Case[] }>("bitexact_reduce.json").cases) it(labelOf(c), () => runReduce(c, report));
});

describe("bit-exact float32: softmax, losses, Linear, broadcasting backward, factories against PyTorch 1.13", function () {
  this.timeout(120000);
  const report = new MismatchReport();
  after(() => report.print("composites"));
  for (const c of loadFixture<{ cases: Case[] }>("bitexact_composite.json").cases) it(labelOf(c), () => runComposite(c, report));
});

/** Comparing engine tensors with values PyTorch wrote to a fixture. */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tensor, type DType, type Tensor } from "../../../src/engine";

/** JSON has no NaN or infinities: fixtures spell them as strings. */
export type FixtureValue = number | "nan" | "inf" | "-inf";

export function decode(v: FixtureValue): number {
  return v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : v;
}

export function fromFixture(values: FixtureValue[], shape: number[], dtype: DType, requiresGrad: boolean): Tensor {
  const t = tensor(values.map(decode), { dtype }).reshape(shape);
  return requiresGrad ? t.detach().requiresGrad_(true) : t;
}

/** float32 results of transcendental functions and of sums may differ from PyTorch's in the last bits (PyTorch
 * uses vectorised float32 formulas and float32 accumulation; we round a double once): allow a few float32 ulps of
 * the value, plus, for sums that cancel, a few ulps of the tensor's largest value (the scale of the summed terms). */
const F32_REL = 4 * 2 ** -23;
const F64_REL = 1e-12;

export function assertClose(t: Tensor, expected: FixtureValue[], exact: boolean, what: string): void {
  const actual = (t.detach().reshape(-1).tolist() as Array<number | boolean>).map(Number);
  assert.equal(actual.length, expected.length, `${what}: element count`);
  const rel = t.dtype === "float64" ? F64_REL : F32_REL;
  const scale = Math.max(...expected.map((v) => Math.abs(decode(v))).filter(Number.isFinite), 1e-30);
  actual.forEach((a, i) => {
    const e = decode(expected[i]);
    if (Number.isNaN(e)) return assert.ok(Number.isNaN(a), `${what}[${i}]: expected nan, got ${a}`);
    if (exact || !Number.isFinite(e) || t.dtype === "int64" || t.dtype === "bool") {
      return assert.ok(Object.is(a, e) || a === e, `${what}[${i}]: expected ${e}, got ${a}`);
    }
    const tolerance = rel * Math.abs(e) + rel * scale;
    assert.ok(Math.abs(a - e) <= tolerance, `${what}[${i}]: expected ${e}, got ${a} (diff ${a - e}, tolerance ${tolerance})`);
  });
}

/** Reads a JSON fixture from test/fixtures/. */
export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(__dirname, "..", "..", "fixtures", name), "utf8")) as T;
}

/** For composite layers (RNNs, attention), whose float32 sums PyTorch adds in another order: agreement within `rtol`
 * of the element plus `rtol` of the tensor's largest value. */
export function assertNear(t: Tensor, expected: FixtureValue[], what: string, rtol = 1e-5): void {
  const actual = (t.detach().reshape(-1).tolist() as number[]).map(Number);
  assert.equal(actual.length, expected.length, `${what}: element count`);
  const scale = Math.max(...expected.map((v) => Math.abs(decode(v))).filter(Number.isFinite), 1e-30);
  actual.forEach((a, i) => {
    const e = decode(expected[i]);
    const tolerance = rtol * (Math.abs(e) + scale);
    assert.ok(Math.abs(a - e) <= tolerance, `${what}[${i}]: expected ${e}, got ${a} (diff ${a - e}, tolerance ${tolerance})`);
  });
}

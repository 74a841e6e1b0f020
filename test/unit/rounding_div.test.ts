/**
 * div with a rounding mode and floor_divide against PyTorch 1.13 (scripts/fixtures/rounding_div_fixtures.py): every
 * element exactly (signed zeros included), the result's dtype, grad_fn and zero gradient, and PyTorch's errors.
 */
import { strict as assert } from "node:assert";
import { div, floorDivide, tensor, type DType, type Tensor } from "../../src/engine";
import { decode, loadFixture, type FixtureValue } from "./helpers/compare";

interface Case {
  name: string;
  mode: "trunc" | "floor" | "floor_divide";
  dtype: DType;
  a: FixtureValue[];
  aShape: number[];
  b?: FixtureValue[];
  bShape?: number[];
  bDtype?: DType;
  scalar?: number;
  out: FixtureValue[];
  outShape: number[];
  outDtype: DType;
  gradFn: string | null;
  grad?: FixtureValue[];
}

const fixture = loadFixture<{ cases: Case[]; errors: Array<{ what: string; message: string }> }>("rounding_div.json");

function make(values: FixtureValue[], shape: number[], dtype: DType): Tensor {
  return tensor(values.map(decode), { dtype }).reshape(shape);
}

function assertSame(actual: Tensor, expected: FixtureValue[], what: string): void {
  const got = actual.detach().reshape(-1).tolist() as number[];
  assert.equal(got.length, expected.length, `${what}: element count`);
  got.forEach((v, i) => {
    const e = decode(expected[i]);
    assert.ok(Object.is(v, e), `${what}[${i}]: expected ${Object.is(e, -0) ? "-0" : e}, got ${Object.is(v, -0) ? "-0" : v}`);
  });
}

describe("div with a rounding mode, and floor_divide, against PyTorch 1.13", () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const floating = c.dtype !== "int64";
      const a = make(c.a, c.aShape, c.dtype).requiresGrad_(floating && c.mode !== "floor_divide");
      const b = c.b ? make(c.b, c.bShape!, c.bDtype!) : c.scalar!;
      const out = c.mode === "floor_divide" ? floorDivide(a, b) : div(a, b, { roundingMode: c.mode });
      assert.deepEqual(out.shape, c.outShape);
      assert.equal(out.dtype, c.outDtype);
      assertSame(out, c.out, "output");
      assert.equal(out.gradFn?.name ?? null, c.gradFn);
      if (c.grad) {
        out.sum().backward();
        assertSame(a.grad!, c.grad, "gradient");
      }
    });
  }

  it("the method, the in-place form and the aliases", () => {
    const x = tensor([7, -7, 5.5]);
    assertSame(x.div(2, { roundingMode: "floor" }), [3, -4, 2], "div method");
    assertSame(x.divide(2, { roundingMode: "trunc" }), [3, -3, 2], "divide");
    assertSame(x.clone().div_(2, { roundingMode: "floor" }), [3, -4, 2], "div_");
    assertSame(x.clone().floorDivide_(-2), [-4, 3, -3], "floorDivide_");
    assertSame(x.div(2, { roundingMode: null }), [3.5, -3.5, 2.75], "null is true division");
  });

  it("PyTorch's errors", () => {
    const [intByZeroTrunc, intByZeroFloor, unknown] = fixture.errors;
    const one = tensor([1], { dtype: "int64" });
    const zero = tensor([0], { dtype: "int64" });
    assert.throws(() => div(one, zero, { roundingMode: "trunc" }), (e: Error) => e.message === intByZeroTrunc.message);
    assert.throws(() => div(one, zero, { roundingMode: "floor" }), (e: Error) => e.message === intByZeroFloor.message);
    assert.throws(() => div(tensor([1]), 2, { roundingMode: "round" as never }), (e: Error) => e.message === unknown.message);
  });
});

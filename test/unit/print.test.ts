/** Printing: PyTorch's repr, NumPy's repr and Python's %-formatting, against the text they print. */
import { strict as assert } from "node:assert";
import { formatNumpyArray, formatTensor, setPrintOptions, sprintf, type PrintDType } from "../../src/engine/print";
import { decode, type FixtureValue, loadFixture } from "./helpers/compare";

interface TensorCase {
  name: string;
  shape: number[];
  dtype: PrintDType;
  values: FixtureValue[];
  suffixes: string[];
  options: { precision?: number; sci_mode?: boolean; threshold?: number; linewidth?: number } | null;
  expected: string;
}

const fixture = loadFixture<{
  tensors: TensorCase[];
  numpy: Array<{ shape: number[]; dtype: PrintDType; values: FixtureValue[]; expected: string }>;
  sprintf: Array<{ format: string; args: Array<number | string>; expected: string }>;
}>("print.json");

describe("printing as PyTorch 1.13 prints", () => {
  for (const c of fixture.tensors) {
    it(`tensor ${JSON.stringify(c.shape)} ${c.dtype}: ${c.expected.split("\n")[0].slice(0, 50)}`, () => {
      if (c.options) {
        setPrintOptions({ precision: c.options.precision, threshold: c.options.threshold, linewidth: c.options.linewidth, sciMode: c.options.sci_mode ?? null });
      }
      try {
        const values = c.dtype === "float32" ? Float32Array.from(c.values.map(decode)) : c.values.map(decode);
        assert.equal(formatTensor({ shape: c.shape, dtype: c.dtype, values }, c.suffixes), c.expected);
      } finally {
        setPrintOptions({ profile: "default" });
      }
    });
  }
});

describe("printing as NumPy prints", () => {
  for (const c of fixture.numpy) {
    it(c.expected.replace(/\n/g, " "), () => {
      const values = c.dtype === "float32" ? Float32Array.from(c.values.map(decode)) : c.values.map(decode);
      assert.equal(formatNumpyArray({ shape: c.shape, dtype: c.dtype, values }), c.expected);
    });
  }
});

describe("sprintf as Python's % operator", () => {
  for (const c of fixture.sprintf) {
    it(`${c.format} % ${JSON.stringify(c.args)}`, () => assert.equal(sprintf(c.format, ...c.args), c.expected));
  }
  it("a one-element tensor formats as its number", () => {
    assert.equal(sprintf("%.4e", { valueOf: () => 0.041748 }), "4.1748e-02");
  });
  it("wrong argument counts are errors, as in Python", () => {
    assert.throws(() => sprintf("%d %d", 1), /not enough arguments/);
    assert.throws(() => sprintf("%d", 1, 2), /not all arguments converted/);
  });
});

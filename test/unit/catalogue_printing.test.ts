/**
 * Printing in the snippet's console as Python's print: `console.log(x.shape)` is `torch.Size([1, 6, 28, 28])` while
 * `shape` stays a plain array; and the dtypes Gradlens leaves out are refused with a message that says so. Runs the
 * built worker (npm run build first).
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as gl from "../../src/engine";
import { runSnippet } from "../../src/runner/run";

const dir = mkdtempSync(path.join(tmpdir(), "gradlens-catalogue-"));

describe("printing shapes and sizes as torch.Size", function () {
  this.timeout(30_000);

  it("console.log of a tensor's shape, size() and a gradient's shape print as torch.Size; other arrays as arrays", async () => {
    const file = path.join(dir, "shapes.ts");
    writeFileSync(
      file,
      [
        'import { zeros, randn } from "gradlens";',
        "const x = zeros(1, 6, 28, 28);",
        "console.log(x.shape);",
        'console.log("shape:", x.shape);',
        "console.log(x.size());",
        "const w = randn([3, 2], { requiresGrad: true });",
        "w.sum().backward();",
        "console.log(w.grad!.shape);",
        "console.log([1, 2]);",
        "console.log(x.shape.length, x.shape[1], Array.isArray(x.shape));",
        "console.log(`${x.size()}`);",
      ].join("\n"),
    );
    const trace = await runSnippet({ file });
    assert.equal(trace.status, "ok", trace.error?.message);
    assert.deepEqual(
      trace.console.map((l) => l.text),
      ["torch.Size([1, 6, 28, 28])", "shape: torch.Size([1, 6, 28, 28])", "torch.Size([1, 6, 28, 28])", "torch.Size([3, 2])", "[ 1, 2 ]", "4 6 true", "torch.Size([1, 6, 28, 28])"],
    );
  });

  it("size() is a plain array to compare and serialise", () => {
    const s = gl.zeros(2, 3).size();
    assert.deepEqual(s, [2, 3]);
    assert.equal(JSON.stringify(s), "[2,3]");
    assert.equal(Object.getPrototypeOf(s), Array.prototype);
  });
});

describe("float16 and bfloat16 are refused with a clear message", () => {
  for (const [what, call] of [
    ["zeros", () => gl.zeros([2], { dtype: "float16" as never })],
    ["to", () => gl.ones(2).to("float16" as never)],
    ["to torch name", () => gl.ones(2).to("torch.bfloat16" as never)],
    ["half", () => gl.ones(2).half()],
    ["bfloat16", () => gl.ones(2).bfloat16()],
    ["type", () => gl.ones(2).type("torch.HalfTensor")],
  ] as const) {
    it(what, () => assert.throws(call, /(float16|bfloat16) is not supported by Gradlens \(it computes in float32 and float64 only\); use "float32" or "float64"/));
  }

  it("an unknown dtype names the ones there are", () => {
    assert.throws(() => gl.ones(2).to("float8" as never), /to\(\): dtype must be one of "float32", "float64", "int64", "bool", but got "float8"/);
  });
});

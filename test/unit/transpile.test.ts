/** The snippet transpiler: types gone, lines kept, names bound, imports rewritten. */
import { strict as assert } from "node:assert";
import { SnippetSyntaxError, transpile } from "../../src/runner/transpile";

describe("transpile", () => {
  const source = [
    'import { tensor, type Tensor } from "gradlens";',
    "interface Shape {",
    "  rows: number;",
    "}",
    "const x: Tensor = tensor([1, 2]);",
    "let y = x",
    "  .mul(2);",
    "function f(t: Tensor): Tensor {",
    "  return t.add(1);",
    "}",
    "y = f(y);",
  ].join("\n");
  const { code } = transpile(source, "snippet.ts");
  const lines = code.split("\n");

  it("keeps every line where the user wrote it", () => {
    assert.equal(lines.length, source.split("\n").length);
    assert.match(lines[4], /const x = __gl\.b\(\(tensor\(\[1, 2\]\)\),"x",5,/);
    assert.match(lines[6], /\.mul\(2\)\),"y",6,/);
    assert.match(lines[10], /y = __gl\.b\(\(f\(y\)\),"y",11,/);
  });

  it("rewrites the gradlens import to the engine the worker provides", () => {
    assert.match(lines[0], /^const \{tensor\}=__gradlens;/);
  });

  it("marks statement lines and restores the caller's line after a function returns", () => {
    assert.match(lines[4], /^__gl\.l\(5\);/);
    assert.match(lines[7], /\{const __saved=__gl\.e\(\);try\{/);
    assert.match(lines[9], /\}finally\{__gl\.x\(__saved\);\}\}/);
  });

  it("reports syntax errors at the user's line and column", () => {
    assert.throws(() => transpile("const a = 1;\nconst b = (2;\n", "bad.ts"), (e: SnippetSyntaxError) => e.line === 2 && e.column !== null);
  });
});

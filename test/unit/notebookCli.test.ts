/**
 * `gradlens run notebook.ipynb`: each cell's output under its number, the checks, the exit codes as for files, one
 * JSON and one HTML report for the whole notebook, and --write saving the outputs into the notebook as valid
 * nbformat 4 (checked against Jupyter's own schema, test/fixtures/nbformat.v4.5.schema.json). Runs the built CLI.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import Ajv from "ajv-draft-04";
import { type CodeCell, GRADLENS_KERNELSPEC, type Notebook, parseNotebook, TYPESCRIPT_LANGUAGE_INFO } from "../../src/runner/notebook/ipynb";
import { CELL_MIME, type CellPayload } from "../../src/runner/notebook/outputs";

const root = path.join(__dirname, "..", "..");
const dir = mkdtempSync(path.join(tmpdir(), "gradlens-nb-cli-"));
const seed0 = path.join(root, "examples", "notebooks", "seed0_autograd_basics.ipynb");
const schema = JSON.parse(readFileSync(path.join(root, "test", "fixtures", "nbformat.v4.5.schema.json"), "utf8")) as object;
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

function gradlens(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, "bin", "gradlens.js"), ...args], { cwd: root, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A TypeScript notebook with these code cells (a string) and markdown cells ({ md }). */
function notebook(name: string, cells: Array<string | { md: string } | { code: string; tags: string[] }>): string {
  const nb: Notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: GRADLENS_KERNELSPEC, language_info: TYPESCRIPT_LANGUAGE_INFO },
    cells: cells.map((c, i) => {
      if (typeof c === "object" && "md" in c) return { cell_type: "markdown", id: `c${i}`, metadata: {}, source: c.md };
      const source = typeof c === "string" ? c : c.code;
      const tags = typeof c === "string" ? undefined : c.tags;
      return { cell_type: "code", id: `c${i}`, metadata: tags ? { tags } : {}, source, outputs: [], execution_count: null };
    }),
  };
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(nb));
  return file;
}

describe("gradlens run notebook.ipynb", function () {
  this.timeout(60_000);

  it("prints each cell's output under its number, Out[n] for a value, and the checks; exit 0", () => {
    const r = gradlens("run", seed0);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /In \[3\]: \(cell 4\)\ntensor\(\[\[3\., 4\.\],\n {8}\[5\., 6\.\]\], grad_fn=<AddBackward0>\)\n/);
    assert.match(r.stdout, /In \[4\]: \(cell 5\)\nbackward #1 \(line 2\) of y\n {2}x\.grad = tensor\(\[\[2\., 4\.\],/);
    assert.match(r.stdout, /✓ {2}x\.grad {4}full {2}4\/4/);
    assert.match(r.stdout, /Out\[5\]: tensor\(\[\[2\., 4\.\],\n {8}\[6\., 8\.\]\]\)\n/);
    assert.match(r.stdout, /Out\[6\]: array\(\[\[-3\., {2}0\.\],\n {7}\[ 5\., 12\.\]\], dtype=float32\)/);
    assert.match(r.stdout, /18-th Loss: 8\.1230e-06\n/);
  });

  it("--quiet prints only what the cells printed and showed", () => {
    const r = gradlens("run", seed0, "--quiet");
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.startsWith("tensor([[3., 4.],\n        [5., 6.]], grad_fn=<AddBackward0>)\n"), r.stdout.slice(0, 200));
    assert.doesNotMatch(r.stdout, /In \[|backward #/);
  });

  it("stops at a failing cell, exit 2, the error at the cell's own line; later cells are not run", () => {
    const file = notebook("fails.ipynb", ['import { ones } from "gradlens";', "const a = ones(2);\n\na.matmul(ones(3));", "console.log('after');"]);
    const r = gradlens("run", file);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /RuntimeError: inconsistent tensor size, expected tensor \[2\] and src \[3\] to have the same number of elements, but got 2 and 3 elements respectively\n {2}at .*fails\.ipynb#cell-2, line 3/);
    assert.match(r.stderr, /1 cell was not run \(cell 3\): an earlier cell failed/);
    assert.doesNotMatch(r.stdout, /after/);
    const all = gradlens("run", file, "--allow-errors");
    assert.equal(all.code, 2);
    assert.match(all.stdout, /after/);
  });

  it("goes on past a cell tagged raises-exception (Jupyter's convention), and that error does not fail the run", () => {
    const file = notebook("expected.ipynb", ['import { tensor } from "gradlens";', { code: "tensor([1], { requiresGrad: true }).numpy()", tags: ["raises-exception"] }, "console.log('after');"]);
    const r = gradlens("run", file);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /RuntimeError: Can't call numpy\(\) on Tensor that requires grad\. .*\n.*\(expected: the cell is tagged raises-exception\)/);
    assert.match(r.stdout, /after/);
  });

  it("exit 1 when a gradient check fails, naming the op", () => {
    const custom = readFileSync(path.join(root, "examples", "wrong_custom_backward.ts"), "utf8");
    const [imports, ...rest] = custom.split("\n").slice(1);
    const file = notebook("wrong.ipynb", [imports, rest.join("\n")]);
    const r = gradlens("run", file);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /✗ {2}w\.grad/);
    assert.match(r.stdout, /✗ {2}SquareBackward backward/);
  });

  it("refuses a notebook whose cells are Python, and a file that is not a notebook, with exit 2", () => {
    const py = path.join(dir, "python.ipynb");
    writeFileSync(py, JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: "python3", display_name: "Python 3", language: "python" }, language_info: { name: "python" } }, cells: [{ cell_type: "code", id: "a", metadata: {}, source: "import torch", outputs: [], execution_count: null }] }));
    const r = gradlens("run", py);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /its code cells are python; Gradlens runs notebooks whose code cells are TypeScript/);
    const bad = path.join(dir, "bad.ipynb");
    writeFileSync(bad, "{ not json");
    assert.equal(gradlens("run", bad).code, 2);
    assert.equal(gradlens("run", "examples/seed0_autograd_basics.ts", "--write").code, 64);
  });

  it("--json writes every cell's run, and --html one report for the notebook, cell by cell", () => {
    const json = path.join(dir, "nb.json");
    const html = path.join(dir, "nb.html");
    const r = gradlens("run", seed0, "--json", json, "--html", html, "--quiet");
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(readFileSync(json, "utf8")) as { version: number; status: string; cells: Array<{ cell: number; executionCount: number; value: string | null; trace: { version: number; backwards: unknown[] } }> };
    assert.equal(out.version, 1);
    assert.equal(out.status, "ok");
    assert.deepEqual(out.cells.map((c) => c.executionCount), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    assert.deepEqual(out.cells.map((c) => c.cell), [2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 14]);
    assert.equal(out.cells[3].trace.backwards.length, 1);
    const page = readFileSync(html, "utf8");
    assert.match(page, /Content-Security-Policy" content="default-src 'none'; script-src 'nonce-/);
    assert.doesNotMatch(page, /(src|href)="https?:/);
    assert.match(page, /그래디언트\(gradient\)를 자동으로 구함/);
  });

  it("--write saves the outputs into the notebook as nbconvert --execute does: valid nbformat 4.5, markdown untouched", () => {
    const file = path.join(dir, "seed0.ipynb");
    copyFileSync(seed0, file);
    const before = parseNotebook(readFileSync(seed0, "utf8"), seed0);
    const r = gradlens("run", file, "--write", "--quiet");
    assert.equal(r.code, 0, r.stderr);
    const written = JSON.parse(readFileSync(file, "utf8")) as unknown;
    assert.ok(validate(written), JSON.stringify(validate.errors?.slice(0, 3)));
    const nb = parseNotebook(readFileSync(file, "utf8"), file);
    assert.deepEqual(nb.cells.filter((c) => c.cell_type === "markdown"), before.cells.filter((c) => c.cell_type === "markdown").map((c) => ({ ...c, source: [c.source].flat().join("").split(/(?<=\n)/) })));
    const code = nb.cells.filter((c): c is CodeCell => c.cell_type === "code");
    assert.deepEqual(code.map((c) => c.execution_count), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    // x1, x2, x3, y printed (stdout); x.grad shown (execute_result); the backward cell's graph (display_data).
    const [printed] = code[2].outputs;
    assert.deepEqual(printed, { output_type: "stream", name: "stdout", text: ["tensor([[3., 4.],\n", "        [5., 6.]], grad_fn=<AddBackward0>)\n", "tensor([[-1.,  0.],\n", "        [ 1.,  2.]], grad_fn=<SubBackward0>)\n", "tensor([[-3.,  0.],\n", "        [ 5., 12.]], grad_fn=<MulBackward0>)\n", "tensor(14., grad_fn=<SumBackward0>)\n"] });
    assert.deepEqual(code[4].outputs, [{ output_type: "execute_result", execution_count: 5, data: { "text/plain": ["tensor([[2., 4.],\n", "        [6., 8.]])"] }, metadata: {} }]);
    const graph = code[3].outputs.find((o) => o.output_type === "display_data");
    assert.ok(graph && graph.output_type === "display_data");
    assert.match(String(graph.data["text/plain"]), /^Gradlens: \d+ tensors, 5 grad_fn nodes; backward \(line 2\): gradients match numerics/);
    const payload = graph.data[CELL_MIME] as CellPayload;
    assert.deepEqual(payload.trace.nodes.map((n) => n.name).sort(), ["AccumulateGrad", "AddBackward0", "MulBackward0", "SubBackward0", "SumBackward0"]);
    // Cells that built no graph have no Gradlens view.
    assert.ok(!code[0].outputs.length && !code[4].outputs.some((o) => o.output_type === "display_data"));
  });

  it("--write records an error as Jupyter does, at the cell's own line", () => {
    const file = notebook("error.ipynb", ['import { ones } from "gradlens";', "\nones(2).matmul(ones(3));"]);
    assert.equal(gradlens("run", file, "--write").code, 2);
    const written = JSON.parse(readFileSync(file, "utf8")) as Notebook;
    assert.ok(validate(written), JSON.stringify(validate.errors?.slice(0, 3)));
    const [error] = (written.cells[1] as CodeCell).outputs;
    assert.equal(error.output_type, "error");
    assert.ok(error.output_type === "error");
    assert.equal(error.ename, "RuntimeError");
    assert.equal(error.traceback[1], "    at line 2 of the cell");
  });
});

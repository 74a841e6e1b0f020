/**
 * The seed notebooks, ported (examples/notebooks/): Run All, as a user would, and each code cell prints what PyTorch
 * 1.13 prints for the seed's own cell run in order (test/fixtures/notebooks.json, written by
 * scripts/fixtures/notebooks_fixtures.py, which also checks that output against what each seed shows).
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parseNotebook } from "../../src/runner/notebook/ipynb";
import { stdoutText } from "../../src/runner/notebook/outputs";
import { type NotebookRun, runNotebook, typescriptCells } from "../../src/runner/notebook/runNotebook";
import { loadFixture } from "./helpers/compare";

interface ExpectedCell {
  seedLine: number;
  stdout: string;
  value: string | null;
  error: { name: string; message: string } | null;
  raises: boolean;
  differsFromSeed: string | null;
}

const fixture = loadFixture<{ torch: string; notebooks: Record<string, ExpectedCell[]> }>("notebooks.json");

/** The first sentence of PyTorch's message: the rest names Python's keywords (retain_graph=True). */
function firstSentence(message: string): string {
  return message.split(/\.\s/)[0];
}

describe("seed notebooks, Run All", function () {
  this.timeout(120_000);
  for (const [name, expected] of Object.entries(fixture.notebooks)) {
    describe(name, () => {
      const file = path.join(__dirname, "..", "..", "examples", "notebooks", `${name}.ipynb`);
      let run: NotebookRun;
      before(async () => {
        const nb = parseNotebook(readFileSync(file, "utf8"), file);
        assert.equal(typescriptCells(nb, file).length, expected.length, "one expected output per code cell");
        run = await runNotebook(nb, file, { timeoutMs: 20_000 });
      });

      it("runs every code cell, going on only past the cells tagged raises-exception", () => {
        assert.deepEqual(run.notRun, []);
        assert.equal(run.cells.length, expected.length);
        assert.deepEqual(run.cells.map((c) => c.executionCount), expected.map((_, i) => i + 1));
        assert.equal(run.status, "ok");
      });

      expected.forEach((want, i) => {
        const label = `cell ${i + 1} (the seed's line ${want.seedLine})${want.differsFromSeed ? ` — ${want.differsFromSeed}` : ""}`;
        it(`${label}: prints what PyTorch prints`, () => {
          const { run: cell } = run.cells[i];
          assert.equal(stdoutText(cell.trace), want.stdout);
          assert.equal(cell.value?.text ?? null, want.value);
          if (!want.error) assert.equal(cell.trace.error, null, cell.trace.error?.message);
          else {
            assert.equal(cell.trace.error?.name, want.error.name);
            if (want.error.name !== "SyntaxError") assert.ok(cell.trace.error!.message.startsWith(firstSentence(want.error.message)), cell.trace.error!.message);
          }
        });
      });
    });
  }
});

/**
 * "Learning PyTorch with Examples": the polynomial fit, tensor and autograd versions, ported to Gradlens
 * (examples/tutorials/polynomial_*.ts), print what PyTorch 1.13 prints, digit for digit: every loss.item() of
 * every hundredth step and the fitted coefficients (test/fixtures/bitexact_tutorial.json, from
 * scripts/fixtures/bitexact_fixtures.py). Runs the built worker (npm run build first; npm test does).
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { runSnippet } from "../../src/runner/run";
import { loadFixture } from "./helpers/compare";

const printed = loadFixture<{ printed: Record<string, string> }>("bitexact_tutorial.json").printed;
const tutorials = path.join(__dirname, "..", "..", "examples", "tutorials");

describe("bit-exact float32: the polynomial fit of Learning PyTorch with Examples", function () {
  this.timeout(60_000);
  for (const name of ["polynomial_tensor", "polynomial_autograd"]) {
    it(`${name}.ts prints PyTorch's loss.item() digits at every printed step`, async () => {
      const trace = await runSnippet({ file: path.join(tutorials, `${name}.ts`), checkBudgetMs: 0, timeoutMs: 50_000 });
      assert.equal(trace.status, "ok", trace.error?.message);
      const text = trace.console.map((l) => `${l.text}\n`).join("");
      assert.equal(text, printed[name]);
    });
  }
});

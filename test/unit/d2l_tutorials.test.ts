/**
 * d2l.ai's softmax regression (3.6) and MLP (4.2, 4.3) chapters ported to Gradlens (examples/tutorials/d2l_*.ts) print
 * what the same programs print under PyTorch 1.13, character for character: the small tensors, y_hat[range(n), y]'s
 * cross-entropy, the accuracy, every epoch's loss and accuracies, the printed model (test/fixtures/d2l.json, from
 * scripts/fixtures/d2l_fixtures.py). Runs the built worker (npm run build first; npm test does).
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { runSnippet } from "../../src/runner/run";
import { loadFixture } from "./helpers/compare";

const printed = loadFixture<{ printed: Record<string, string> }>("d2l.json").printed;
const tutorials = path.join(__dirname, "..", "..", "examples", "tutorials");

describe("d2l's softmax regression and MLP chapters, ported", function () {
  this.timeout(60_000);
  for (const name of ["d2l_softmax_regression", "d2l_mlp"]) {
    it(`${name}.ts prints what PyTorch prints`, async () => {
      const trace = await runSnippet({ file: path.join(tutorials, `${name}.ts`), checkBudgetMs: 0, timeoutMs: 50_000 });
      assert.equal(trace.status, "ok", trace.error?.message);
      const text = trace.console.map((l) => `${l.text}\n`).join("");
      assert.equal(text, printed[name]);
    });
  }
});

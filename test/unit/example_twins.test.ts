/**
 * The training examples (examples/lenet_digits.ts, makemore_mlp.ts, char_rnn.ts, mlp_batchnorm_dropout.ts) print what
 * their PyTorch twins print (scripts/fixtures/examples/, run by scripts/fixtures/examples_fixtures.py into
 * test/fixtures/examples.json), to the character: the printed models, every epoch's loss, accuracies, batch norm's
 * running statistics, the sampled names. Runs the built worker (npm run build first; npm test does).
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { runSnippet } from "../../src/runner/run";
import { loadFixture } from "./helpers/compare";

const { outputs } = loadFixture<{ outputs: Record<string, string> }>("examples.json");
const examples = path.join(__dirname, "..", "..", "examples");

describe("the training examples print what their PyTorch twins print", function () {
  this.timeout(60_000);
  for (const [name, expected] of Object.entries(outputs)) {
    it(`examples/${name}.ts`, async () => {
      const trace = await runSnippet({ file: path.join(examples, `${name}.ts`), checkBudgetMs: 0, timeoutMs: 50_000 });
      assert.equal(trace.status, "ok", trace.error?.message);
      const printed = trace.console.map((l) => `${l.text}\n`).join("");
      assert.equal(printed, expected);
    });
  }
});

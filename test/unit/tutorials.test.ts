/**
 * The tutorials ported to examples/tutorials/, run as a user runs them (through the runner), print what PyTorch 1.13
 * prints for the Python originals (scripts/fixtures/tutorials/, run by scripts/fixtures/tutorials_fixtures.py).
 * Two differences of language are set aside before comparing: JavaScript prints booleans as true/false where Python
 * prints True/False, and Python prints a grad_fn with its memory address.
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { runSnippet } from "../../src/runner/run";
import { loadFixture } from "./helpers/compare";

const { outputs } = loadFixture<{ outputs: Record<string, string> }>("tutorials.json");
const dir = path.join(__dirname, "..", "..", "examples", "tutorials");

const pythonBooleans = (text: string) => text.replace(/\btrue\b/g, "True").replace(/\bfalse\b/g, "False");
const withoutAddresses = (text: string) => text.replace(/ object at 0x[0-9a-f]+>/g, " object>");

describe("tutorials ported to Gradlens print what PyTorch prints", function () {
  this.timeout(60_000);
  for (const [name, expected] of Object.entries(outputs)) {
    it(name, async function () {
      const trace = await runSnippet({ file: path.join(dir, `${name}.ts`) });
      assert.equal(trace.status, "ok", trace.error?.message);
      const printed = trace.console.map((l) => `${l.text}\n`).join("");
      assert.equal(pythonBooleans(printed), withoutAddresses(expected));
    });
  }
});

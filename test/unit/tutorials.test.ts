/**
 * The tutorials ported to examples/tutorials/, run as a user runs them (through the runner), print what PyTorch 1.13
 * prints for the Python originals (scripts/fixtures/tutorials/, run by scripts/fixtures/tutorials_fixtures.py),
 * character for character. What differs only because the languages print differently is set aside first, on both
 * sides alike: JavaScript prints booleans as true/false and null where Python prints True/False and None, a float
 * with an integral value without Python's ".0" (0 for 0.0), and an exponent without its leading zero (1e-9 for Python's
 * 1e-09, in PyTorch's tensor prints too); Python prints a grad_fn with its memory address. Runs the built worker
 * (npm run build first; npm test does).
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { runSnippet } from "../../src/runner/run";
import { loadFixture } from "./helpers/compare";

const { outputs } = loadFixture<{ outputs: Record<string, string> }>("tutorials.json");
const dir = path.join(__dirname, "..", "..", "examples", "tutorials");

/** The ports that train for long: "Control Flow + Weight Sharing" runs 30,000 steps of x⁴ and x⁵ (SLEEF's pow). */
const TIME_LIMIT_MS: Record<string, number> = { polynomial_dynamic: 150_000 };

function languageNeutral(text: string): string {
  return text
    .replace(/\btrue\b/g, "True")
    .replace(/\bfalse\b/g, "False")
    .replace(/\bnull\b/g, "None")
    .replace(/ object at 0x[0-9a-f]+>/g, " object>")
    .replace(/e([+-])0(\d)\b/g, "e$1$2")
    .replace(/(?<![\w.])(-?\d+)\.0(?![\w.])/g, "$1");
}

describe("tutorials ported to Gradlens print what PyTorch prints", function () {
  for (const [name, expected] of Object.entries(outputs)) {
    it(name, async function () {
      const timeoutMs = TIME_LIMIT_MS[name] ?? 30_000;
      this.timeout(timeoutMs + 10_000);
      const trace = await runSnippet({ file: path.join(dir, `${name}.ts`), checkBudgetMs: 0, timeoutMs });
      assert.equal(trace.status, "ok", trace.error?.message);
      const printed = trace.console.map((l) => `${l.text}\n`).join("");
      assert.equal(languageNeutral(printed), languageNeutral(expected));
    });
  }
});

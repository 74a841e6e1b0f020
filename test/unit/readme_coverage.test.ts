/**
 * README.md documents the engine's whole public surface: every top-level export, every F.*, nn.*, optim.*, linalg.*,
 * autograd.*, utils.data.* name and every Tensor method appears in it as a word. A name added without a line in the
 * README fails here, listing what is missing.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as engine from "../../src/engine";

const readme = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const mentioned = (name: string) => new RegExp(`(^|[^A-Za-z0-9_$])${escape(name)}($|[^A-Za-z0-9_$])`).test(readme);
const ownNames = (obj: object) => Object.keys(obj).filter((k) => !k.startsWith("_") && k !== "default" && k !== "__esModule");

const groups: Record<string, string[]> = {
  "top level": ownNames(engine),
  F: ownNames(engine.F),
  nn: ownNames(engine.nn),
  "nn.init": ownNames(engine.nn.init),
  "nn.utils": ownNames(engine.nn.utils),
  optim: ownNames(engine.optim),
  "optim.lr_scheduler": ownNames(engine.optim.lr_scheduler),
  linalg: ownNames(engine.linalg),
  autograd: ownNames(engine.autograd),
  "autograd.functional": ownNames(engine.autograd.functional),
  "utils.data": ownNames(engine.utils.data),
  "Tensor methods": Object.getOwnPropertyNames(engine.Tensor.prototype).filter((k) => k !== "constructor" && !k.startsWith("_")),
};

describe("README.md documents the engine's public names", () => {
  for (const [group, names] of Object.entries(groups)) {
    it(`${group} (${names.length} names)`, () => {
      assert.ok(names.length > 0, `no ${group} names found: the engine's exports moved`);
      const missing = [...new Set(names)].filter((n) => !mentioned(n)).sort();
      assert.deepEqual(missing, [], `not in README.md: ${missing.join(", ")}`);
    });
  }
});

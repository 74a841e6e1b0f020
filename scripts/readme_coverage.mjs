// Lists the engine's public names that README.md never mentions: top-level exports, F.*, nn.*, optim.*,
// optim.lr_scheduler.*, linalg.*, autograd.*, utils.data.* and Tensor methods. Run after `npm run build`:
//   node scripts/readme_coverage.mjs            (exit 1 when something is missing)
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const engine = require("../dist/engine.js");
const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

// A name counts as documented when it appears as a whole word (`x.abs()`, `abs`, `F.dropout1d`, ...).
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const mentioned = (name) => new RegExp(`(^|[^A-Za-z0-9_$])${escape(name)}($|[^A-Za-z0-9_$])`).test(readme);

const ownNames = (obj) => Object.keys(obj).filter((k) => !k.startsWith("_") && k !== "default" && k !== "__esModule");
const groups = {
  "top level": ownNames(engine),
  F: ownNames(engine.F),
  nn: ownNames(engine.nn),
  "nn.init": ownNames(engine.nn.init ?? {}),
  "nn.utils": ownNames(engine.nn.utils ?? {}),
  optim: ownNames(engine.optim),
  "optim.lr_scheduler": ownNames(engine.optim.lr_scheduler ?? {}),
  linalg: ownNames(engine.linalg),
  autograd: ownNames(engine.autograd),
  "autograd.functional": ownNames(engine.autograd.functional ?? {}),
  "utils.data": ownNames(engine.utils.data ?? {}),
  "Tensor methods": Object.getOwnPropertyNames(engine.Tensor.prototype).filter(
    (k) => k !== "constructor" && !k.startsWith("_"),
  ),
};

let missingTotal = 0;
for (const [group, names] of Object.entries(groups)) {
  const missing = [...new Set(names)].filter((n) => !mentioned(n)).sort();
  missingTotal += missing.length;
  console.log(`${group}: ${names.length} names, ${missing.length} not in README.md`);
  if (missing.length > 0) console.log(`  ${missing.join(", ")}`);
}
process.exitCode = missingTotal > 0 ? 1 : 0;

/**
 * The suite's entry, loaded by the extension host (both runners use it unchanged): it runs the compiled
 * `*.test.js` files beside it with mocha's TDD interface, and settles when they are done.
 */
import { readdirSync } from "node:fs";
import * as path from "node:path";
import Mocha from "mocha";

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: "tdd", color: false, timeout: 60_000 });
  const only = process.env.GRADLENS_SUITE;
  for (const f of readdirSync(__dirname).filter((f) => f.endsWith(".test.js")).sort()) {
    // The untrusted-workspace suite runs alone, in a workbench started with Workspace Trust on.
    if ((only === "untrusted") !== f.startsWith("untrusted")) continue;
    mocha.addFile(path.join(__dirname, f));
  }
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures ? reject(new Error(`${failures} extension test(s) failed`)) : resolve()));
  });
}

/**
 * The extension-host suite's entry: VS Code's extension host loads it and calls `run()` under both runners
 * (runOffline.mjs: code-server + Chromium; runElectron.mjs: @vscode/test-electron). build.mjs bundles it beside the
 * test files, so it runs every compiled `*.test.js` below its own folder, with mocha's TDD interface (suite/test).
 *
 * Groups: a test file whose name starts with `untrusted` runs only in a workspace that is NOT trusted (Restricted
 * Mode); every other test file runs in a trusted workspace. Trust is fixed when a window opens, so the runners start
 * one extension host per group and say which through GRADLENS_TEST_GROUP ("trusted", the default, or "untrusted").
 * GRADLENS_TEST_GREP, if set, keeps only tests whose full title matches that regular expression.
 *
 * When mocha is done, run() logs `GRADLENS_SUITE_RESULT <passes> passed, <failures> failed` before it settles: a runner
 * can then tell a finished suite from an extension host that died (the web workbench reports that as exit code 0).
 */
import { readdirSync } from "node:fs";
import * as path from "node:path";
import Mocha from "mocha";

export type TestGroup = "trusted" | "untrusted";

export function testGroup(): TestGroup {
  const group = process.env.GRADLENS_TEST_GROUP ?? "trusted";
  if (group !== "trusted" && group !== "untrusted") throw new Error(`GRADLENS_TEST_GROUP must be trusted or untrusted, not ${group}`);
  return group;
}

/** The compiled test files of a group below `dir`, in a stable order. */
export function testFiles(dir: string, group: TestGroup): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".test.js"))
    .filter((f) => path.basename(f).startsWith("untrusted") === (group === "untrusted"))
    .sort()
    .map((f) => path.join(dir, f));
}

export function run(): Promise<void> {
  const group = testGroup();
  const files = testFiles(__dirname, group);
  if (files.length === 0) return Promise.reject(new Error(`no ${group} *.test.js files in ${__dirname}: run node test/extension/build.mjs`));

  // Output goes through the extension host's console to the runner, which prints it: no colours.
  const mocha = new Mocha({ ui: "tdd", color: false, timeout: 60_000, slow: 10_000 });
  const grep = process.env.GRADLENS_TEST_GREP;
  if (grep) mocha.grep(new RegExp(grep));
  for (const f of files) mocha.addFile(f);
  console.log(`Gradlens extension tests, ${group} workspace: ${files.map((f) => path.relative(__dirname, f)).join(", ")}`);

  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        console.log(`GRADLENS_SUITE_RESULT ${runner.stats?.passes ?? 0} passed, ${failures} failed`);
        if (failures > 0) reject(new Error(`${failures} extension test(s) failed`));
        else resolve();
      });
    } catch (e) {
      // A test file that throws while loading: report it as a failed run, not a hung one.
      reject(e instanceof Error ? e : new Error(String(e)));
    }
  });
}

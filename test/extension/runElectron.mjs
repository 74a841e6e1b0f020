// Runs the extension-host suite in a downloaded VS Code 1.100.0 (Electron), with @vscode/test-electron: for machines
// with internet. Offline machines and CI use runOffline.mjs (code-server + Chromium) for the same suite.
//
//   node test/extension/runElectron.mjs [--group all|trusted|untrusted] [--workspace <dir>] [--grep <regexp>]
//                                       [--vscode <executable>] [--extension <dir>] [--tests <index.js>]
//
// VS Code is downloaded once into .vscode-test/ (git-ignored), unless --vscode names a VS Code (Electron) executable
// to use instead. On Linux without a display, run this under `xvfb-run -a`. --extension and --tests as in runOffline.mjs.
// Each group gets a fresh profile and workspace (testProfile.mjs), as in runOffline.mjs. The trusted group goes through
// runTests(). runTests() always passes --disable-workspace-trust, so the untrusted group starts the same VS Code
// directly, with the arguments runTests() would use minus that one. There are no screenshots here: screenshot.ts
// resolves with undefined when no runner answers.
// Exit code: 0 every group passed, 1 otherwise.
import { spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { downloadAndUnzipVSCode, runTests } from "@vscode/test-electron";
import { groupsWithTests, makeProfile } from "./testProfile.mjs";

const VSCODE_VERSION = "1.100.0";
const root = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");

const { values: opts } = parseArgs({
  options: {
    group: { type: "string", default: "all" },
    workspace: { type: "string" },
    grep: { type: "string" },
    vscode: { type: "string" },
    extension: { type: "string", default: root },
    tests: { type: "string", default: join(root, "out", "test", "extension", "index.js") },
  },
});
const tests = resolve(opts.tests);
const extension = resolve(opts.extension);
const vscodeExecutablePath = opts.vscode && resolve(opts.vscode);

async function runGroup(group) {
  console.log(`\n=== extension tests, ${group} workspace (VS Code ${VSCODE_VERSION}) ===`);
  const profile = makeProfile(root, group, opts.workspace && resolve(opts.workspace));
  const extensionTestsEnv = { GRADLENS_TEST_GROUP: group, GRADLENS_TEST_GREP: opts.grep };
  const launchArgs = [profile.workspace, "--disable-extensions", `--user-data-dir=${profile.userData}`, `--extensions-dir=${profile.extensions}`];
  try {
    if (group === "trusted") {
      await runTests({ version: VSCODE_VERSION, vscodeExecutablePath, extensionDevelopmentPath: extension, extensionTestsPath: tests, launchArgs, extensionTestsEnv });
      return 0;
    }
    const executable = vscodeExecutablePath ?? (await downloadAndUnzipVSCode(VSCODE_VERSION));
    return await launch(executable, [
      ...launchArgs,
      "--no-sandbox",
      "--disable-gpu-sandbox",
      "--disable-updates",
      "--skip-welcome",
      "--skip-release-notes",
      `--extensionDevelopmentPath=${extension}`,
      `--extensionTestsPath=${tests}`,
    ], extensionTestsEnv);
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    return 1;
  } finally {
    rmSync(profile.temp, { recursive: true, force: true });
  }
}

/** Starts VS Code, prints its output, resolves with its exit code; Ctrl+C ends it too. */
function launch(executable, args, extraEnv) {
  return new Promise((resolveCode, reject) => {
    const child = spawn(executable, args, { env: { ...process.env, ...extraEnv }, stdio: ["ignore", "inherit", "inherit"] });
    const stop = () => child.kill("SIGTERM");
    process.once("SIGINT", stop);
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      process.off("SIGINT", stop);
      resolveCode(code ?? (signal ? 1 : 0));
    });
  });
}

if (!existsSync(tests)) {
  console.error(`${relative(root, tests)} is missing: run node test/extension/build.mjs first`);
  process.exit(1);
}
if (!["all", "trusted", "untrusted"].includes(opts.group)) {
  console.error("--group must be all, trusted or untrusted");
  process.exit(1);
}
if (process.platform === "linux" && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
  console.warn("no display: VS Code (Electron) needs one; on a headless machine run this under `xvfb-run -a`");
}
let failed = false;
for (const group of opts.group === "all" ? groupsWithTests(tests) : [opts.group]) {
  const code = await runGroup(group);
  console.log(`=== ${group}: ${code === 0 ? "passed" : `FAILED (exit code ${code})`} ===`);
  failed ||= code !== 0;
}
process.exit(failed ? 1 : 0);

// The same suite in a downloaded VS Code 1.100 (for machines with internet): @vscode/test-electron's runner.
import { runTests } from "@vscode/test-electron";
import { mkdtempSync, cpSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const workspace = mkdtempSync(join(tmpdir(), "gradlens-ws-"));
cpSync(join(root, "examples"), workspace, { recursive: true });
try {
  await runTests({
    version: "1.100.0",
    extensionDevelopmentPath: root,
    extensionTestsPath: join(root, "out", "test", "extension", "index"),
    launchArgs: [workspace, "--disable-extensions", "--disable-workspace-trust"],
  });
} catch (e) {
  console.error(e);
  process.exit(1);
}

/** Live mode re-runs after an edit; a hung snippet ends with a message and the extension keeps working. */
import { strict as assert } from "node:assert";
import * as vscode from "vscode";
import { findFile, gradlens, nextRun, open, runFile, writeFile } from "./helpers";

suite("Gradlens live mode and limits", () => {
  test("live mode re-runs a .grad.ts file after an edit", async () => {
    const api = await gradlens();
    const uri = await writeFile("live.grad.ts", 'import { tensor } from "gradlens";\n\nconst x = tensor([1, 2], { requiresGrad: true });\nconst y = x.mul(3).sum();\ny.backward();\n');
    const editor = await open(uri);
    assert.equal(api.live.isLive(editor.document), true);
    const first = nextRun(api, uri);
    await editor.edit((e) => e.insert(new vscode.Position(5, 0), "const z = x.mul(2);\n"));
    const run = await first;
    assert.ok(run.trace.tensors.some((t) => t.name === "z"), "the edit's new tensor z is in the re-run's Trace");
    await vscode.commands.executeCommand("workbench.action.files.revert");
  });

  test("a snippet stuck in an endless loop ends with a timeout at its line, and the next run works", async () => {
    const api = await gradlens();
    const config = vscode.workspace.getConfiguration("gradlens");
    await config.update("timeLimitMs", 1500, vscode.ConfigurationTarget.Global);
    try {
      const uri = await writeFile("hang.ts", 'import { tensor } from "gradlens";\nconst x = tensor([1]);\nlet i = 0;\nwhile (true) {\n  i++;\n}\n');
      const hung = await runFile(api, uri);
      assert.equal(hung.trace.error?.kind, "timeout");
      assert.ok([4, 5].includes(hung.trace.error?.at?.line ?? -1), `stuck at line ${hung.trace.error?.at?.line}`);
      const ok = await runFile(api, await findFile("**/seed0*.ts"));
      assert.equal(ok.trace.status, "ok");
    } finally {
      await config.update("timeLimitMs", undefined, vscode.ConfigurationTarget.Global);
    }
  });
});

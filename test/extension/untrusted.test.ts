/** In Restricted Mode (an untrusted workspace) Gradlens runs nothing: no command, no live mode. */
import { strict as assert } from "node:assert";
import * as vscode from "vscode";
import { findFile, gradlens, open, sleep } from "./helpers";

suite("Gradlens in an untrusted workspace", () => {
  test("the workspace is untrusted, and Run File runs nothing", async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const api = await gradlens();
    const uri = await findFile("**/seed0*.ts");
    const editor = await open(uri);
    void vscode.commands.executeCommand("gradlens.runFile");
    await sleep(2000);
    assert.equal(api.runner.lastResult(uri), undefined);
    assert.equal(api.live.isLive(editor.document), false);
  });
});

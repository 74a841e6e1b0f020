/** In Restricted Mode the notebook kernel runs nothing: a cell asked to run says why, and no kernel process starts. */
import { strict as assert } from "node:assert";
import * as vscode from "vscode";
import { showWithKernel } from "../../src/extension/notebook/commands";
import { findFile, gradlens, sleep } from "./helpers";

suite("Gradlens notebooks in an untrusted workspace", () => {
  test("a cell does not run; if VS Code lets the kernel be asked, the cell's output says Restricted Mode", async () => {
    const api = await gradlens();
    assert.equal(vscode.workspace.isTrusted, false);
    const nb = await vscode.workspace.openNotebookDocument(await findFile("**/notebooks/seed0_autograd_basics.ipynb"));
    let ran = false;
    const sub = api.notebooks.kernel.onDidRunCell(() => (ran = true));
    // VS Code may ask whether to trust the folder (a dialog the test workbench refuses) and never settle: not awaited.
    void Promise.resolve(showWithKernel(nb)).then(() => vscode.commands.executeCommand("notebook.cell.execute", { ranges: [{ start: 1, end: 2 }], document: nb.uri })).catch(() => undefined);
    await sleep(4000);
    sub.dispose();
    assert.equal(ran, false, "no cell ran");
    assert.deepEqual(api.notebooks.kernel.variables(nb), []);
    const errors = nb.cellAt(1).outputs.flatMap((o) => o.items).filter((i) => i.mime === "application/vnd.code.notebook.error");
    for (const e of errors) assert.match(new TextDecoder().decode(e.data), /Restricted Mode/);
  });
});

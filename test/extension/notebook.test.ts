/**
 * Notebooks in a real workbench: the seed notebook opened, the Gradlens kernel chosen, Run All, and each cell's text
 * output compared with what PyTorch 1.13 prints for the seed's cell (test/fixtures/notebooks.json); the renderer
 * paints the graph under the cells that built one (test-results/extension-notebook-seed0*.png); inline values and
 * CodeLens in cells; Interrupt and Restart; New Notebook.
 */
import { strict as assert } from "node:assert";
import * as vscode from "vscode";
import type { GradlensApi } from "../../src/extension/extension";
import type { CellRunEvent } from "../../src/extension/notebook/kernel";
import { showWithKernel } from "../../src/extension/notebook/commands";
import type { RendererPainted } from "../../src/extension/notebook/rendererHost";
import fixture from "../fixtures/notebooks.json";
import { findFile, gradlens, nextEvent, panelShows, screenshot, sleep } from "./helpers";

const CELL_MIME = "application/vnd.gradlens.cell+json";
const decoder = new TextDecoder();

interface Expected {
  stdout: string;
  value: string | null;
  error: { name: string; message: string } | null;
}

/** The text a cell shows: its stdout, its Out[n], its error. */
function shown(cell: vscode.NotebookCell): { stdout: string; value: string | null; error: { name: string; message: string } | null; graph: boolean } {
  let stdout = "";
  let value: string | null = null;
  let error: { name: string; message: string } | null = null;
  let graph = false;
  for (const output of cell.outputs) {
    for (const item of output.items) {
      if (item.mime === "application/vnd.code.notebook.stdout") stdout += decoder.decode(item.data);
      else if (item.mime === "application/vnd.code.notebook.error") error = JSON.parse(decoder.decode(item.data)) as { name: string; message: string };
      else if (item.mime === CELL_MIME) graph = true;
      else if (item.mime === "text/plain" && output.metadata?.outputType === "execute_result") value = decoder.decode(item.data);
    }
  }
  return { stdout, value, error, graph };
}

/** Resolves with the kernel's runs of `count` cells of the notebook, started by whatever happens after this call. */
function cellRuns(api: GradlensApi, nb: vscode.NotebookDocument, count: number, timeoutMs = 90_000): Promise<CellRunEvent[]> {
  const runs: CellRunEvent[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`only ${runs.length} of ${count} cells ran within ${timeoutMs} ms`));
    }, timeoutMs);
    const sub = api.notebooks.kernel.onDidRunCell((e) => {
      if (e.notebook !== nb) return;
      runs.push(e);
      if (runs.length < count) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(runs);
    });
  });
}

async function openSeed(): Promise<{ nb: vscode.NotebookDocument; editor: vscode.NotebookEditor }> {
  const uri = await findFile("**/notebooks/seed0_autograd_basics.ipynb");
  const nb = await vscode.workspace.openNotebookDocument(uri);
  const editor = await showWithKernel(nb);
  return { nb, editor };
}

suite("Gradlens notebooks", () => {
  test("seed 0: the Gradlens kernel, Run All: every cell prints what PyTorch prints, and the graph is drawn under each cell that built one", async () => {
    const api = await gradlens();
    const { nb, editor } = await openSeed();
    const code = nb.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code);
    const expected = fixture.notebooks.seed0_autograd_basics as Expected[];
    assert.equal(code.length, expected.length);
    const painted: RendererPainted[] = [];
    const paints = api.notebooks.renderer.onDidPaint((p) => painted.push(p));
    const done = cellRuns(api, nb, code.length);
    await vscode.commands.executeCommand("notebook.execute");
    const runs = await done;
    assert.deepEqual(runs.map((r) => r.cell.index), code.map((c) => c.index));
    assert.deepEqual(code.map((c) => c.executionSummary?.executionOrder), runs.map((r) => r.executionCount));
    expected.forEach((want, i) => {
      const got = shown(code[i]);
      assert.equal(got.stdout, want.stdout, `cell ${code[i].index + 1}: printed`);
      assert.equal(got.value, want.value, `cell ${code[i].index + 1}: Out[n]`);
      assert.equal(got.error, null, `cell ${code[i].index + 1}: error`);
      assert.equal(code[i].executionSummary?.success, true);
      const built = runs[i].run.trace.nodes.length > 0 || runs[i].run.trace.backwards.length > 0;
      assert.equal(got.graph, built, `cell ${code[i].index + 1}: a Gradlens view exactly when the cell built a graph`);
    });
    // The cell that builds x1..y and the one that runs backward() are near the top: the renderer draws both.
    const graphCells = runs.filter((r) => r.run.trace.nodes.length > 0).slice(0, 2);
    editor.revealRange(new vscode.NotebookRange(graphCells[0].cell.index, graphCells[1].cell.index + 1), vscode.NotebookEditorRevealType.AtTop);
    const deadline = Date.now() + 30_000;
    while (!graphCells.every((r) => painted.some((p) => p.startedAt === r.run.trace.startedAt)) && Date.now() < deadline) await sleep(200);
    paints.dispose();
    for (const r of graphCells) {
      const p = painted.find((x) => x.startedAt === r.run.trace.startedAt);
      assert.ok(p, `the renderer painted the graph of cell ${r.cell.index + 1}`);
      assert.equal(p.boxes, 5, "x, Add, Sub, Mul, Sum");
    }
    await sleep(500);
    await screenshot("extension-notebook-seed0");
    // The backward() cell: its graph with x's .grad and the numerical checks under it.
    editor.revealRange(new vscode.NotebookRange(graphCells[1].cell.index, graphCells[1].cell.index + 1), vscode.NotebookEditorRevealType.AtTop);
    await sleep(1000);
    await screenshot("extension-notebook-seed0-backward");
  });

  test("inline values, hovers and the CodeLens on backward() work in notebook cells", async () => {
    const api = await gradlens();
    const { nb } = await openSeed();
    const code = nb.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code);
    const done = cellRuns(api, nb, code.length);
    await vscode.commands.executeCommand("notebook.execute");
    await done;
    const forward = code.find((c) => c.document.getText().includes("const x1 ="))!;
    const inline = api.inline.decorationsFor(forward.document.uri);
    assert.ok(inline.some((d) => d.line === 1 && /^x1 = \[\[3\., 4\.\], \[5\., 6\.\]\]/.test(d.text)), inline.map((d) => `${d.line}: ${d.text}`).join(" | "));
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>("vscode.executeHoverProvider", forward.document.uri, new vscode.Position(0, 8));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === "string" ? c : c.value))).join("\n");
    assert.match(text, /grad_fn=<AddBackward0>/);
    const backward = code.find((c) => c.document.getText().includes("y.backward()"))!;
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>("vscode.executeCodeLensProvider", backward.document.uri);
    const lens = lenses.find((l) => l.range.start.line === 1);
    assert.ok(lens?.command, "a CodeLens on the backward() line of the cell");
    assert.match(lens.command.title, /gradients match numerics, max rel err/);
    // The panel shows a cell's run as it shows a file's: from the command, and from the renderer's button, which
    // hands back the Trace its output holds (a saved notebook's too).
    const result = api.runner.lastResult(backward.document.uri)!;
    let painted = panelShows(api, result.trace.startedAt);
    await vscode.commands.executeCommand("gradlens.showPanel", { uri: backward.document.uri });
    assert.equal((await painted).boxes, 5);
    const forwardRun = api.runner.lastResult(forward.document.uri)!;
    painted = panelShows(api, forwardRun.trace.startedAt);
    await vscode.commands.executeCommand("gradlens.openCellRunInPanel", JSON.parse(JSON.stringify(forwardRun.trace)), nb.uri);
    assert.equal((await painted).boxes, 5);
  });

  test("Interrupt stops a hung cell and the kernel keeps its variables; Restart starts afresh and says what was lost", async () => {
    const api = await gradlens();
    const cells = ["const kept = 42;", "let n = 0;\nwhile (true) {\n  n++;\n}", "kept"].map((s) => new vscode.NotebookCellData(vscode.NotebookCellKind.Code, s, "typescript"));
    const nb = await vscode.workspace.openNotebookDocument("jupyter-notebook", new vscode.NotebookData(cells));
    await showWithKernel(nb);
    let runs = cellRuns(api, nb, 1);
    await vscode.commands.executeCommand("notebook.cell.execute", { ranges: [{ start: 0, end: 1 }], document: nb.uri });
    await runs;
    runs = cellRuns(api, nb, 1, 30_000);
    void vscode.commands.executeCommand("notebook.cell.execute", { ranges: [{ start: 1, end: 2 }], document: nb.uri });
    await sleep(1500);
    await vscode.commands.executeCommand("notebook.cancelExecution");
    const [hung] = await runs;
    assert.equal(hung.run.trace.error?.name, "InterruptedError");
    assert.match(hung.run.trace.error!.message, /interrupted while at line 3\. The kernel kept its variables\./);
    assert.equal(shown(nb.cellAt(1)).error?.name, "InterruptedError");
    runs = cellRuns(api, nb, 1);
    await vscode.commands.executeCommand("notebook.cell.execute", { ranges: [{ start: 2, end: 3 }], document: nb.uri });
    assert.equal((await runs)[0].run.value?.text, "42");

    const lost = await vscode.commands.executeCommand<string[]>("gradlens.restartNotebookKernel", nb.uri);
    assert.deepEqual(lost, ["kept", "n"]);
    runs = cellRuns(api, nb, 1);
    await vscode.commands.executeCommand("notebook.cell.execute", { ranges: [{ start: 2, end: 3 }], document: nb.uri });
    const [after] = await runs;
    assert.equal(after.executionCount, 1, "numbering starts again after a restart");
    assert.equal(after.run.trace.error?.name, "ReferenceError");
    await vscode.commands.executeCommand("workbench.action.revertAndCloseActiveEditor");
  });

  test("Gradlens: New Notebook writes a starter notebook with the Gradlens kernel, and Run All works", async () => {
    const api = await gradlens();
    const editor = await vscode.commands.executeCommand<vscode.NotebookEditor>("gradlens.newNotebook");
    const nb = editor.notebook;
    assert.match(nb.uri.path, /example(-\d+)?\.ipynb$/);
    const code = nb.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code);
    const painted = nextEvent(api.notebooks.renderer.onDidPaint, (p) => p.file.includes("example"), "the renderer painted no graph of the new notebook", 60_000);
    const done = cellRuns(api, nb, code.length);
    await vscode.commands.executeCommand("notebook.execute");
    const runs = await done;
    assert.ok(runs.every((r) => r.run.trace.error === null), runs.map((r) => r.run.trace.error?.message).join(" | "));
    assert.equal(shown(code[code.length - 1]).value !== null, true);
    assert.ok(runs.some((r) => r.run.trace.backwards.length && r.run.trace.status === "ok"));
    assert.ok((await painted).boxes > 0);
    await screenshot("extension-notebook-new");
  });
});

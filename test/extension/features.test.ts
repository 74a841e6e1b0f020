/**
 * What a user sees after running a snippet, in a real extension host: inline values at the right lines, the hover,
 * the CodeLens titles, the Problems view, the status of a wrong custom backward and of a snippet that throws.
 */
import { strict as assert } from "node:assert";
import * as vscode from "vscode";
import { findFile, gradlens, lineOf, nextEvent, nextRun, open, panelShows, runFile, screenshot, writeFile } from "./helpers";

suite("Gradlens features", () => {
  test("Run File on the first seed: inline values and grads with check marks at their lines", async () => {
    const api = await gradlens();
    const uri = await findFile("**/seed0*.ts");
    const result = await runFile(api, uri);
    assert.equal(result.trace.status, "ok", result.trace.error?.message);
    const document = await vscode.workspace.openTextDocument(uri);
    const shown = new Map(api.inline.decorationsFor(uri).map((d) => [d.line, d]));

    const x1 = shown.get(lineOf(document, "x1 ="));
    assert.ok(x1, "a decoration on the x1 line");
    assert.match(x1.text, /^x1 = \[\[3\., 4\.\], \[5\., 6\.\]\]/);

    const x = shown.get(lineOf(document, "const x ="));
    assert.ok(x, "a decoration on the x line");
    assert.match(x.text, /∇ \[\[2\., 4\.\], \[6\., 8\.\]\] ✓$/);
    assert.equal(x.state, "ok");
  });

  test("hover on a tensor's line shows PyTorch's print, the grad and the grad_fn chain", async () => {
    const api = await gradlens();
    const uri = await findFile("**/seed0*.ts");
    await runFile(api, uri);
    const document = await vscode.workspace.openTextDocument(uri);
    const line = lineOf(document, "x1 =");
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>("vscode.executeHoverProvider", uri, new vscode.Position(line - 1, 8));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === "string" ? c : c.value))).join("\n");
    assert.match(text, /tensor\(\[\[3\., 4\.\],\n\s+\[5\., 6\.\]\], grad_fn=<AddBackward0>\)/);
    assert.match(text, /`AddBackward0` → `AccumulateGrad`/);
  });

  test("CodeLens on backward() says the gradients match the numerics", async () => {
    const api = await gradlens();
    const uri = await findFile("**/seed0*.ts");
    await runFile(api, uri);
    const document = await vscode.workspace.openTextDocument(uri);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>("vscode.executeCodeLensProvider", uri);
    const line = lineOf(document, ".backward()");
    const lens = lenses.find((l) => l.range.start.line === line - 1);
    assert.ok(lens?.command, "a CodeLens on the first backward() line");
    assert.match(lens.command.title, /gradients match numerics, max rel err/);
    assert.deepEqual(vscode.languages.getDiagnostics(uri), []);
  });

  test("a wrong custom backward: ✗ inline, a failing CodeLens and problems naming the op", async () => {
    const api = await gradlens();
    const uri = await findFile("**/wrong_custom_backward.ts");
    const result = await runFile(api, uri);
    assert.equal(result.trace.status, "check-failed");
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>("vscode.executeCodeLensProvider", uri);
    assert.ok(lenses.some((l) => /\.grad is wrong/.test(l.command?.title ?? "")), lenses.map((l) => l.command?.title).join(" | "));
    const problems = vscode.languages.getDiagnostics(uri);
    assert.ok(problems.some((p) => /does not match the numerical derivative/.test(p.message)), problems.map((p) => p.message).join(" | "));
    assert.ok(problems.some((p) => p.code === "node-check" && /Backward/.test(p.message)), "a problem names the custom op");
    assert.ok(api.inline.decorationsFor(uri).some((d) => d.state === "failed" && d.text.endsWith("✗")));
  });

  test("a snippet that throws: a problem at the throwing line, with the message", async () => {
    const api = await gradlens();
    const uri = await writeFile("throws.ts", 'import { tensor } from "gradlens";\n\nconst a = tensor([1, 2, 3]);\nconst b = a.matmul(tensor([1, 2]));\n');
    const result = await runFile(api, uri);
    assert.equal(result.trace.status, "error");
    const [problem] = vscode.languages.getDiagnostics(uri);
    assert.ok(problem, "a problem for the error");
    assert.equal(problem.range.start.line, 3);
    assert.match(problem.message, /inconsistent tensor size/);
  });

  test("the panel opens beside the editor and paints the run's graph", async () => {
    const api = await gradlens();
    const uri = await findFile("**/seed0*.ts");
    const result = await runFile(api, uri);
    const painted = panelShows(api, result.trace.startedAt);
    await vscode.commands.executeCommand("gradlens.showPanel");
    assert.equal(api.panel.isOpen, true);
    const shown = await painted;
    // x and the four ops to y; z and its first loss; the loop's z and loss, its 18 copies folded into one.
    assert.equal(shown.boxes, 9);
    await open(uri);
    await screenshot("extension-panel-seed0");
  });

  test("a tensor too big for the Trace: the panel asks for its values and they arrive whole", async () => {
    const api = await gradlens();
    const uri = await writeFile("big_tensor.ts", 'import { arange } from "gradlens";\n\nconst w = arange(20000).reshape(200, 100).requiresGrad_();\nw.mul(w).sum().backward();\n');
    // The panel shows each new run (if it is already open) on its first leaf, w, and asks for w's values at once.
    const arrived = nextEvent(api.panel.onDidShowValues, () => true, "the values of w did not arrive");
    const result = await runFile(api, uri);
    const w = result.trace.tensors.find((t) => t.name === "w")!;
    assert.equal(w.value.values, null, "20,000 values do not travel inside the Trace");
    await vscode.commands.executeCommand("gradlens.showPanel");
    const shown = await arrived;
    // 0 + 1 + … + 19999
    assert.deepEqual([shown.startedAt, shown.id, shown.count, shown.sum], [result.trace.startedAt, w.id, 20000, (19999 * 20000) / 2]);
  });
});

suite("Gradlens IntelliSense", () => {
  test('import … from "gradlens" resolves with nothing installed in the workspace', async function () {
    this.timeout(90_000);
    const uri = await writeFile("intellisense.ts", 'import { tensor } from "gradlens";\n\nconst x = tensor([1, 2], { requiresGrad: true });\nx.backward();\n');
    await open(uri);
    // The TypeScript server starts lazily: ask until it answers with the engine's types.
    let text = "";
    for (let i = 0; i < 80 && !/requiresGrad|Tensor/.test(text); i++) {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>("vscode.executeHoverProvider", uri, new vscode.Position(2, 11));
      text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === "string" ? c : c.value))).join("\n");
      if (!/Tensor/.test(text)) await new Promise((r) => setTimeout(r, 1000));
    }
    assert.match(text, /tensor\(data: NestedData, options\?: TensorOptions\): Tensor/);
    const problems = vscode.languages.getDiagnostics(uri).filter((d) => d.source === "ts");
    assert.deepEqual(problems.map((p) => p.message), []);
  });
});

suite("Gradlens commands", () => {
  test("New Snippet writes a ready example into the workspace, opens it and runs it", async () => {
    const api = await gradlens();
    await vscode.commands.executeCommand("gradlens.newSnippet");
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor && /example(-\d+)?\.grad\.ts$/.test(editor.document.fileName), editor?.document.fileName);
    const result = api.runner.lastResult(editor.document.uri);
    assert.equal(result?.trace.status, "ok", result?.trace.error?.message);
    assert.ok(result.trace.backwards.length >= 1);
  });

  test("Run Selection runs only the selected lines, keeping their line numbers", async () => {
    const api = await gradlens();
    const uri = await writeFile("selection.ts", 'import { tensor } from "gradlens";\nconst a = tensor([1, 2]);\nconst b = a.mul(2);\nthrow new Error("not selected");\n');
    const editor = await open(uri);
    editor.selection = new vscode.Selection(1, 0, 2, 100);
    const done = nextRun(api, uri);
    await vscode.commands.executeCommand("gradlens.runSelection");
    const { trace } = await done;
    assert.equal(trace.status, "ok", trace.error?.message);
    assert.equal(trace.tensors.find((t) => t.name === "b")?.at?.line, 3);
  });

  test("Export HTML Report writes a self-contained page of the last run", async () => {
    const api = await gradlens();
    const uri = await findFile("**/seed0*.ts");
    await runFile(api, uri);
    const written = await vscode.commands.executeCommand<vscode.Uri>("gradlens.exportHtml", uri);
    const html = Buffer.from(await vscode.workspace.fs.readFile(written)).toString("utf8");
    assert.match(html, /Content-Security-Policy/);
    assert.match(html, /AddBackward0/);
    assert.doesNotMatch(html, /<script[^>]+src=["']https?:/);
  });
});

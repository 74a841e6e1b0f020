/**
 * Findings in a real extension host: in Problems at their lines with their words (three bug examples), gone when the
 * bug is fixed; the panel opened by Run File beside the editor with the focus left in the editor (unless
 * gradlens.panel.openOnRun is never), and never by a live re-run; a non-leaf's gradient inline; a screenshot of the
 * coloured graph and the gradient-flow charts.
 */
import { strict as assert } from "node:assert";
import * as vscode from "vscode";
import { findFile, gradlens, lineOf, nextRun, open, panelShows, runFile, screenshot, sleep, writeFile } from "./helpers";

async function setOpenOnRun(value: "always" | "never" | undefined): Promise<void> {
  await vscode.workspace.getConfiguration("gradlens").update("panel.openOnRun", value, vscode.ConfigurationTarget.Global);
}

async function closePanel(): Promise<void> {
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) if (tab.input instanceof vscode.TabInputWebview) await vscode.window.tabGroups.close(tab);
  }
}

suite("Gradlens findings", () => {
  const cases: Array<{ file: string; rule: string; at: string; message: RegExp }> = [
    { file: "cut_graph_detach.ts", rule: "cut-graph", at: "const features = encoder.call(x).detach();", message: /^encoder\.weight and encoder\.bias got no gradient from backward\(\): the path to the loss is cut at line 11 by \.detach\(\)\. Fix: Remove \.detach\(\)/ },
    { file: "missing_zero_grad.ts", rule: "missing-zero-grad", at: "  loss.backward();", message: /^The gradients of model\.weight and model\.bias grow from one iteration to the next: .* Fix: Call optimizer\.zeroGrad\(\)/ },
    { file: "nan_log.ts", rule: "non-finite", at: "const logp = p.log();", message: /^The forward pass of log at line 7 made the run's first -inf: its input ranges over \[0, 0\.667\]/ },
    { file: "broadcast_loss.ts", rule: "broadcast-loss", at: "  const loss = F.mseLoss(model.call(x), y);", message: /^The loss at line 13 compares an input of shape \[16, 1\] with a target of shape \[16\]: they broadcast to \[16, 16\]/ },
  ];
  for (const c of cases) {
    test(`${c.file}: a ${c.rule} warning in Problems at its line`, async () => {
      const api = await gradlens();
      const uri = await findFile(`**/bugs/${c.file}`);
      await runFile(api, uri);
      const document = await vscode.workspace.openTextDocument(uri);
      const problems = vscode.languages.getDiagnostics(uri).filter((d) => d.code === c.rule);
      assert.equal(problems.length, 1, vscode.languages.getDiagnostics(uri).map((d) => `${d.code}: ${d.message}`).join("\n"));
      const [p] = problems;
      assert.equal(p.severity, vscode.DiagnosticSeverity.Warning);
      assert.equal(p.source, "gradlens");
      assert.equal(p.range.start.line + 1, lineOf(document, c.at));
      assert.match(p.message, c.message);
    });
  }

  test("the bug fixed: its finding leaves Problems", async () => {
    const api = await gradlens();
    const original = await vscode.workspace.openTextDocument(await findFile("**/bugs/cut_graph_detach.ts"));
    const uri = await writeFile("cut_graph_fixed.ts", original.getText().replace("encoder.call(x).detach()", "encoder.call(x)"));
    const result = await runFile(api, uri);
    assert.deepEqual(result.trace.findings, []);
    assert.deepEqual(vscode.languages.getDiagnostics(uri).map((d) => d.message), []);
  });

  test("Run File opens the panel beside the editor and the focus stays in the editor; a live re-run never opens it", async () => {
    const api = await gradlens();
    await setOpenOnRun(undefined);
    await closePanel();
    const uri = await findFile("**/mlp_training.ts");
    const editor = await open(uri);
    const done = nextRun(api, uri);
    await vscode.commands.executeCommand("gradlens.runFile");
    const result = await done;
    const painted = panelShows(api, result.trace.startedAt);
    await painted;
    assert.equal(api.panel.isOpen, true);
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), uri.toString(), "the editor keeps the focus");
    assert.notEqual(vscode.window.tabGroups.activeTabGroup.activeTab?.input instanceof vscode.TabInputWebview, true);
    const panelTab = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview);
    assert.ok(panelTab && panelTab.group.viewColumn !== editor.viewColumn, "the panel sits beside the editor");
    // The coloured graph and the gradient-flow charts, as a user sees them (the sidebar closed to give the panel room).
    await vscode.commands.executeCommand("workbench.action.closeSidebar");
    await sleep(1500);
    await screenshot("extension-gradient-flow");
    await vscode.commands.executeCommand("workbench.action.toggleSidebarVisibility");

    await closePanel();
    const live = await writeFile("live_edit.grad.ts", 'import { tensor } from "gradlens";\nconst x = tensor([1, 2], { requiresGrad: true });\nx.mul(x).sum().backward();\n');
    const liveEditor = await open(live);
    const rerun = nextRun(api, live);
    await liveEditor.edit((e) => e.insert(new vscode.Position(3, 0), "const y = x.add(1);\n"));
    await rerun;
    await sleep(500);
    assert.equal(api.panel.isOpen, false, "a live re-run does not open the panel");
  });

  test("gradlens.panel.openOnRun = never: Run File leaves the panel closed", async () => {
    const api = await gradlens();
    await closePanel();
    await setOpenOnRun("never");
    try {
      const uri = await findFile("**/seed2*.ts");
      await runFile(api, uri);
      await sleep(500);
      assert.equal(api.panel.isOpen, false);
    } finally {
      await setOpenOnRun(undefined);
    }
  });

  test("a non-leaf's line shows the gradient that reached it in backward", async () => {
    const api = await gradlens();
    const uri = await findFile("**/seed2*.ts");
    await runFile(api, uri);
    const document = await vscode.workspace.openTextDocument(uri);
    const shown = new Map(api.inline.decorationsFor(uri).map((d) => [d.line, d.text]));
    // w1 = w², w2 = 3w1, w3 = w2³, z = Σ w3: dz/dw1 = 9·w2² = 81 at w = 1.
    assert.match(shown.get(lineOf(document, "const w1 ="))!, /^w1 = \[\[1\., 1\.\], \[1\., 1\.\]\] {2}∇ \[\[81\., 81\.\], \[81\., 81\.\]\]$/);
  });
});

/**
 * The panel as a person sees it: each example's static report opened in headless Chromium (Debian's, driven by
 * playwright-core), checked for the graph, the values, the check table and the chart, clicked, and photographed
 * into test-results/ (look at them).
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { Browser, Page } from "playwright-core";
import { readReportAssets, renderHtmlReport } from "../../src/runner/htmlReport";
import { runSnippetWithValues } from "../../src/runner/run";
import { launchChromium, openExampleReport, results, root } from "./helpers/chromium";

let browser: Browser;

function openReport(example: string): Promise<{ page: Page; errors: string[] }> {
  return openExampleReport(browser, example, example.replace(/\.ts$/, ".html"), { width: 1280, height: 900 });
}

describe("the HTML report in Chromium", function () {
  this.timeout(60_000);

  before(async () => {
    browser = await launchChromium();
  });
  after(async () => browser?.close());

  it("seed 0: the graph of the notebook, x.grad beside x, passing checks, the loss chart; a click selects a path", async () => {
    const { page, errors } = await openReport("seed0_autograd_basics.ts");
    const titles = await page.locator(".box .title").allTextContents();
    for (const name of ["x", "AddBackward0", "SubBackward0", "MulBackward0", "SumBackward0", "MseLossBackward0"]) assert.ok(titles.includes(name), `${name} in ${titles}`);
    assert.equal(await page.locator(".check-table tr.fail").count(), 0);
    assert.ok((await page.locator(".check-table tr.pass").count()) >= 2);
    // The loss at each of the 19 backward calls, drawn by uPlot with axes and a legend.
    assert.equal(await page.locator(".flow .chart-title").first().textContent(), "Loss at each backward");
    assert.equal(await page.locator(".flow .chart-box").first().locator(".uplot canvas").count(), 1);
    assert.equal(await page.locator(".flow .chart-box").first().locator(".u-legend .u-series").count(), 2);
    await page.locator(".box", { hasText: "AddBackward0" }).first().click();
    assert.equal(await page.locator(".box.selected .title").textContent(), "AddBackward0");
    assert.ok((await page.locator(".box.on-path").count()) >= 3, "the path from x1 to the loss is highlighted");
    await page.locator(".box.leaf", { hasText: "x" }).first().click();
    const table = await page.locator("aside.detail table.values").textContent();
    assert.match(table ?? "", /value\.grad/);
    assert.deepEqual(await page.locator("aside.detail table.values tr:nth-child(2) td").allTextContents(), ["0", "1", "2", "2"]);
    await page.screenshot({ path: path.join(results, "report-seed0.png"), fullPage: true });
    assert.deepEqual(errors, []);
  });

  it("a wrong custom backward: failing rows first, the op marked red, a click on a row shows its line", async () => {
    const { page, errors } = await openReport("wrong_custom_backward.ts");
    const first = await page.locator(".check-table tr").nth(1).locator("td").allTextContents();
    assert.equal(first[0], "✗");
    assert.equal(await page.locator(".box.failing .title", { hasText: "SquareBackward" }).count(), 1);
    await page.locator(".check-table tr.fail", { hasText: "SquareBackward" }).click();
    assert.equal(await page.locator(".src-line.current").getAttribute("data-line"), "17");
    await page.screenshot({ path: path.join(results, "report-wrong-custom-backward.png"), fullPage: true });
    assert.deepEqual(errors, []);
  });

  it("a NaN gradient is highlighted in the values table", async () => {
    const { page, errors } = await openReport("nan_gradient.ts");
    await page.locator(".box.leaf").first().click();
    assert.ok((await page.locator(".detail td.nonfinite").count()) >= 1);
    assert.match(await page.locator(".detail .stats .bad").first().textContent() ?? "", /1 NaN/);
    await page.screenshot({ path: path.join(results, "report-nan.png"), fullPage: true });
    assert.deepEqual(errors, []);
  });

  for (const example of ["seed1_gradient_descent.ts", "seed2_pytorch_autograd.ts", "seed3_linear_layer.ts", "seed4_autograd_chapter.ts", "mlp_training.ts"]) {
    it(`${example}: renders its graph and checks without errors`, async () => {
      const { page, errors } = await openReport(example);
      assert.ok((await page.locator(".box").count()) > 0);
      assert.ok((await page.locator(".check-table tr").count()) > 1);
      await page.screenshot({ path: path.join(results, `report-${example.replace(/\.ts$/, "")}.png`) });
      assert.deepEqual(errors, []);
    });
  }

  it("inside VS Code, a tensor too big for the Trace is asked for when opened, and its values and grad arrive", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "gradlens-report-")), "big.ts");
    writeFileSync(file, 'import { arange } from "gradlens";\nconst w = arange(11000).reshape(110, 100).requiresGrad_();\nw.mul(w).sum().backward();\n');
    const { trace, valuesOnDemand } = await runSnippetWithValues({ file, checkBudgetMs: 10_000 });
    const w = trace.tensors.find((t) => t.name === "w")!;
    const kept = valuesOnDemand.get(w.id)!;
    const html = path.join(results, "values-on-demand.html");
    writeFileSync(html, renderHtmlReport(trace, readReportAssets(path.join(root, "dist"))));
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    // The webview's side of VS Code: messages to the extension are collected, answers are posted as VS Code does.
    // (A string, not a function: tsx would wrap a function's inner arrows in helpers the page does not have.)
    await page.addInitScript(`window.posted = [];
      window.acquireVsCodeApi = () => ({ postMessage: (m) => window.posted.push(m), getState: () => undefined, setState: () => undefined });`);
    await page.goto(`file://${html}`);
    await page.locator(".box.leaf", { hasText: "w" }).first().click();
    assert.match(await page.locator("aside.detail").textContent() ?? "", /Loading all 11000 values/);
    const asked = await page.evaluate(() => (window as unknown as { posted: Array<{ type: string }> }).posted.filter((m) => m.type === "fetchTensor"));
    assert.deepEqual(asked, [{ type: "fetchTensor", startedAt: trace.startedAt, id: w.id }]);
    await page.evaluate(`window.postMessage({ type: "tensorValues", startedAt: ${JSON.stringify(trace.startedAt)}, id: ${w.id}, values: {
      value: new Float64Array(${JSON.stringify(Array.from(kept.value))}), grad: new Float64Array(${JSON.stringify(Array.from(kept.grad!))}),
      numerical: new Float64Array(${JSON.stringify(Array.from(kept.numerical!, (v) => (Number.isNaN(v) ? null : v)))}.map((v) => v ?? NaN)) } }, "*")`);
    await page.locator("aside.detail table.values").waitFor();
    // w = 0, 1, …, 10999, its gradient 2w, and the numerical derivative of sum(w²) beside it; the table lists 400.
    const row = async (i: number) => page.locator(`aside.detail table.values tr:nth-child(${i + 2}) td`).allTextContents();
    // The check may sample: where it did not compute an element, the column says so with "–".
    for (const i of [1, 7, 399]) {
      const [index, value, grad, numerical] = await row(i);
      assert.deepEqual([index, value, grad], [String(i), String(i), String(2 * i)]);
      if (Number.isNaN(kept.numerical![i])) assert.equal(numerical, "–");
      else assert.ok(Math.abs(Number(numerical) - 2 * i) <= 1e-3 * 2 * i, `numerical ${numerical} beside ${grad}`);
    }
    const computed = [...Array(400).keys()].filter((i) => !Number.isNaN(kept.numerical![i]));
    assert.ok(computed.length >= 5, `${computed.length} of the first 400 elements checked`);
    for (const i of computed.slice(0, 5)) {
      const numerical = (await row(i))[3];
      assert.ok(Math.abs(Number(numerical) - 2 * i) <= 1e-3 * 2 * i + 1e-5, `element ${i}: numerical ${numerical}`);
    }
    const maps = page.locator("aside.detail .heatmaps canvas");
    assert.deepEqual(await page.locator("aside.detail .heatmaps figcaption").allTextContents(), ["value", ".grad", "numerical"]);
    assert.equal(await maps.count(), 3);
    assert.ok((await maps.first().boundingBox())!.width <= 220);
    await page.screenshot({ path: path.join(results, "report-values-on-demand.png") });
    assert.deepEqual(errors, []);
  });

  it("dark theme toggle in the static page", async () => {
    const { page } = await openReport("seed2_pytorch_autograd.ts");
    await page.locator("button.theme").click();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "dark");
    await page.screenshot({ path: path.join(results, "report-dark.png") });
  });
});

/**
 * The notebook report (`gradlens run notebook.ipynb --html`) as a person sees it in headless Chromium: every cell in
 * order with its printed output and Out[n], and under each cell that built a graph the same Gradlens view the
 * notebook renderer draws (in a shadow root); photographed into test-results/notebook-report-seed0.png.
 */
import { strict as assert } from "node:assert";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { Browser } from "playwright-core";
import { parseNotebook } from "../../src/runner/notebook/ipynb";
import { readNotebookReportAssets, renderNotebookReport } from "../../src/runner/notebook/report";
import { runNotebook } from "../../src/runner/notebook/runNotebook";
import { launchChromium, openPage, results, root } from "./helpers/chromium";

describe("the notebook report in Chromium", function () {
  this.timeout(120_000);
  let browser: Browser;

  before(async () => {
    browser = await launchChromium();
  });
  after(async () => browser?.close());

  it("seed 0: cells in order with their output, and the graph, .grad and checks under the cells that built a graph", async () => {
    const file = path.join(root, "examples", "notebooks", "seed0_autograd_basics.ipynb");
    const nb = parseNotebook(readFileSync(file, "utf8"), file);
    const run = await runNotebook(nb, file);
    const html = path.join(results, "notebook-report-seed0.html");
    writeFileSync(html, renderNotebookReport(nb, run, readNotebookReportAssets(path.join(root, "dist"))));
    const { page, errors } = await openPage(browser, html, { width: 1100, height: 1300 });
    await page.waitForFunction(() => document.querySelectorAll(".gradlens").length > 0 && [...document.querySelectorAll(".gradlens")].every((h) => h.shadowRoot?.querySelector(".box")));
    assert.deepEqual(await page.locator(".cell.code .input .prompt").allTextContents(), ["In [1]:", "In [2]:", "In [3]:", "In [4]:", "In [5]:", "In [6]:", "In [7]:", "In [8]:", "In [9]:", "In [10]:", "In [11]:"]);
    assert.match(await page.locator(".cell.markdown").first().textContent() ?? "", /^# auto_grad$/);
    const printed = await page.locator("pre.stdout").first().textContent();
    assert.equal(printed, "tensor([[3., 4.],\n        [5., 6.]], grad_fn=<AddBackward0>)\ntensor([[-1.,  0.],\n        [ 1.,  2.]], grad_fn=<SubBackward0>)\ntensor([[-3.,  0.],\n        [ 5., 12.]], grad_fn=<MulBackward0>)\ntensor(14., grad_fn=<SumBackward0>)\n");
    // The backward() cell: its graph, x selected with its .grad beside the numerical derivative, the checks passing.
    const view = page.locator(".gradlens").nth(1);
    const titles = await view.locator(".box .title").allTextContents();
    assert.deepEqual(titles.sort(), ["AddBackward0", "MulBackward0", "SubBackward0", "SumBackward0", "x"]);
    assert.equal(await view.locator(".box.selected .title").textContent(), "x");
    assert.deepEqual(await view.locator("table.values tr:nth-child(2) td").allTextContents(), ["0", "1", "2", "2"]);
    assert.equal(await view.locator(".check-table tr.fail").count(), 0);
    assert.ok((await view.locator(".check-table tr.pass").count()) >= 2);
    assert.match(await view.locator(".badge").textContent() ?? "", /gradients match numerics/);
    await view.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(results, "notebook-report-seed0.png") });
    assert.deepEqual(errors, []);
  });
});

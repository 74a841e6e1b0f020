/**
 * The gradient in the panel, in Chromium: the graph coloured by each node's gradient with a log-scale legend, modules
 * as frames (folded into boxes in a big model, opened with a click, with their histograms), the gradient-flow charts
 * (uPlot: axes, legend, values on hover) under the report's strict CSP, a non-leaf's gradient in the tensor view, and
 * the findings first. Screenshots in test-results/ (look at them).
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchChromium, openExampleReport, results } from "./helpers/chromium";

let browser: Browser;

function openReport(example: string): Promise<{ page: Page; errors: string[] }> {
  return openExampleReport(browser, example, `insight-${path.basename(example, ".ts")}.html`, { width: 1400, height: 1000 });
}

describe("the gradient in the panel (Chromium)", function () {
  this.timeout(60_000);

  before(async () => {
    browser = await launchChromium();
  });
  after(async () => browser?.close());

  it("a training loop: coloured graph with a legend, module frames, gradient-flow charts with values on hover", async () => {
    const { page, errors } = await openReport("mlp_training.ts");
    // Every op box and edge took the colour of its gradient; the legend spans the smallest to the largest norm.
    assert.ok((await page.locator(".box.graded").count()) >= 10);
    assert.ok((await page.locator(".edge.graded").count()) >= 9);
    const ticks = await page.locator(".legend-ticks span").allTextContents();
    assert.ok(ticks.length >= 2 && Number(ticks[ticks.length - 1]) === 1, ticks.join(" "));
    assert.match(await page.locator(".box", { hasText: "MseLossBackward0" }).locator("title").textContent() ?? "", /‖∇‖ = 1 \(latest backward\)/);
    assert.deepEqual((await page.locator(".frame-label").allTextContents()).map((t) => t.replace(/\s+▾$/, "")).sort(), ["model.0 · Linear", "model.1 · Tanh", "model.2 · Linear"]);
    const titles = await page.locator(".flow .chart-title").allTextContents();
    assert.deepEqual(titles.slice(0, 4), ["Loss at each backward", "‖grad‖ per parameter", "‖weight‖ per parameter", "update ÷ weight after each step (≈1e-3 is healthy)"]);
    const gradChart = page.locator(".flow .chart-box").nth(1);
    assert.deepEqual((await gradChart.locator(".u-legend .u-series .u-label").allTextContents()).slice(1), ["model.0.weight", "model.0.bias", "model.2.weight", "model.2.bias"]);
    // The y axis is a log scale labelled by decades.
    await gradChart.scrollIntoViewIfNeeded();
    const over = gradChart.locator(".u-over");
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.5);
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5, { steps: 4 });
    await page.waitForTimeout(100);
    const shown = await gradChart.locator(".u-legend .u-series").nth(1).locator(".u-value").textContent();
    assert.match(shown ?? "", /^\d/, `a value under the cursor, not "${shown}"`);
    await page.screenshot({ path: path.join(results, "insight-gradient-flow.png"), fullPage: true });
    assert.deepEqual(errors, []);
  });

  it("a deep model starts folded into its layers; a click opens one and shows its histograms over calls", async () => {
    const { page, errors } = await openReport("bugs/vanishing_gradient.ts");
    // Findings come first.
    const first = page.locator(".findings .finding").first();
    assert.equal(await first.getAttribute("data-rule"), "vanishing-gradient");
    assert.match(await first.locator(".finding-message").textContent() ?? "", /^The gradient vanishes at model\.0\.weight/);
    assert.equal(await page.locator(".box.module").count(), 21);
    await page.locator(".box.module", { hasText: "model.3" }).click();
    assert.equal(await page.locator(".frame-label", { hasText: "model.3 · Sigmoid" }).count(), 1);
    assert.deepEqual(await page.locator("aside.detail .chart-title").allTextContents(), ["input", "output", "gradient at the output"]);
    assert.equal(await page.locator("aside.detail .uplot").count(), 3);
    // The gradient shrinks layer by layer: the first layer's box is the coldest colour of the legend.
    await page.screenshot({ path: path.join(results, "insight-modules-folded.png") });
    await page.locator(".frame-label", { hasText: "model.3" }).click();
    assert.equal(await page.locator(".frame-label", { hasText: "model.3" }).count(), 0);
    assert.deepEqual(errors, []);
  });

  it("a non-leaf tensor shows the gradient that reached it in backward; a finding's click shows its line", async () => {
    const { page, errors } = await openReport("seed0_autograd_basics.ts");
    await page.locator(".box", { hasText: "MulBackward0" }).first().click();
    const head = await page.locator("aside.detail table.values th").allTextContents();
    assert.deepEqual(head, ["#", "value", "∇ in backward"]);
    assert.deepEqual(await page.locator("aside.detail table.values tr:nth-child(2) td").allTextContents(), ["0", "-3", "1"]);
    const cut = await openReport("bugs/cut_graph_detach.ts");
    await cut.page.locator(".findings .finding").first().click();
    assert.equal(await cut.page.locator(".src-line.current").getAttribute("data-line"), "11");
    await cut.page.screenshot({ path: path.join(results, "insight-findings.png") });
    assert.deepEqual([...errors, ...cut.errors], []);
  });
});

// Time to lay out and draw a 1,000-node graph in the panel, in headless Chromium. Run: npm run bench:render
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const { renderHtmlReport, readReportAssets } = require("../dist/runner.js");
const dist = new URL("../dist", import.meta.url).pathname;

/** A trace with `n` op nodes in a binary-tree-shaped graph, each from its own line, so nothing folds: the worst case. */
function bigTrace(n) {
  const tensors = [];
  const nodes = [];
  for (let i = 1; i <= n; i++) {
    const kids = [2 * i, 2 * i + 1].filter((k) => k <= n);
    const value = { text: "tensor(1.)", values: [1], stats: { min: 1, max: 1, mean: 1, std: 0, nanCount: 0, infCount: 0 } };
    tensors.push({ id: i, name: `t${i}`, at: { line: i, column: 1 }, shape: [1], dtype: "float32", requiresGrad: true, isLeaf: false, gradFn: i, repr: "tensor([1.])", value, grad: null, backwardGrad: null, occurrence: 1 });
    nodes.push({ id: i, kind: "op", name: i % 2 ? "AddBackward0" : "MulBackward0", at: { line: i, column: 1 }, tensor: i, inputs: [], next: kids.map((k) => ({ node: k, inputNr: 0 })), gradNorm: 1 / i, module: null });
  }
  return { version: 2, file: "big.ts", source: "", startedAt: new Date().toISOString(), durationMs: 0, checkDurationMs: 0, status: "ok", tensors, nodes, backwards: [{ id: 1, at: null, root: 1, rootNode: 1, grads: [], checks: [], nodeChecks: [] }], console: [], series: [], warnings: [], error: null, limits: { droppedTensors: 0, droppedNodes: 0, historyPerLine: 4 }, findings: [], modules: [], flow: { parameters: [], layers: [], loss: [] } };
}

const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
for (const n of [100, 1000]) {
  const file = join(tmpdir(), `gradlens-render-${n}.html`);
  writeFileSync(file, renderHtmlReport(bigTrace(n), readReportAssets(dist)));
  const times = [];
  let boxes = 0;
  for (let r = 0; r < 5; r++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const started = performance.now();
    await page.goto(`file://${file}`);
    await page.waitForSelector(".box");
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    times.push(performance.now() - started);
    boxes = await page.locator(".box").count();
    await page.close();
  }
  times.sort((a, b) => a - b);
  console.log(`${String(n).padStart(5)} nodes (${boxes} boxes drawn): page load, dagre layout and first paint ${times[2].toFixed(0)} ms, median of 5`);
}
await browser.close();

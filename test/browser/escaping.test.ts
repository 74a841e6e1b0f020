/**
 * The report of a snippet that injects markup (an op's class name, console text, an error message) opened in
 * Chromium: the markup shows as text, no element or script of it comes alive.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { chromium } from "playwright-core";
import { readReportAssets, renderHtmlReport } from "../../src/runner/htmlReport";
import { disposeRunner, runSnippet } from "../../src/runner/run";
import { EVIL_SNIPPET } from "../unit/helpers/injection";

describe("the HTML report of a snippet that injects markup, in Chromium", function () {
  this.timeout(60_000);
  after(() => disposeRunner());

  it("shows the names and messages as text: no injected element, no dialog", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "gradlens-escaping-"));
    const source = path.join(dir, "evil.ts");
    writeFileSync(source, EVIL_SNIPPET);
    const trace = await runSnippet({ file: source });
    const page = path.join(dir, "evil.html");
    writeFileSync(page, renderHtmlReport(trace, readReportAssets(path.join(__dirname, "..", "..", "dist"))));
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu"] });
    try {
      const tab = await browser.newPage();
      const dialogs: string[] = [];
      tab.on("dialog", (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      await tab.goto(`file://${page}`);
      await tab.waitForSelector(".box");
      const text = (await tab.locator("body").textContent()) ?? "";
      assert.ok(text.includes("</script><img src=x onerror=alert(1)>Backward"), "the op's name shows as typed");
      assert.ok(text.includes("<img src=x onerror=alert(2)> **bold** [quit](command:workbench.action.quit)"), "the error message shows as typed");
      assert.equal(await tab.locator("img").count(), 0);
      assert.equal(await tab.locator("script").count(), 2);
      assert.deepEqual(dialogs, []);
    } finally {
      await browser.close();
    }
  });
});

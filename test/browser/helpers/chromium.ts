/** What the Chromium tests share: the repository's folders, the browser they launch, and opening a report page that
 * records the page's errors. */
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { readReportAssets, renderHtmlReport } from "../../../src/runner/htmlReport";
import { runSnippet } from "../../../src/runner/run";

export const root = path.join(__dirname, "..", "..", "..");
/** Where the pages and their screenshots go (look at them). */
export const results = path.join(root, "test-results");
mkdirSync(results, { recursive: true });

/** Debian's headless Chromium (or CHROMIUM_PATH's), driven by playwright-core. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

export interface Viewport {
  width: number;
  height: number;
}

/** A new page that collects uncaught errors and console errors (a Content-Security-Policy violation is reported on
 * the console as an error), then opens `html`. */
export async function openPage(browser: Browser, html: string, viewport: Viewport): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.goto(`file://${html}`);
  return { page, errors };
}

/** Runs examples/<example>, writes its HTML report to test-results/<htmlName> and opens it once its graph is drawn. */
export async function openExampleReport(browser: Browser, example: string, htmlName: string, viewport: Viewport): Promise<{ page: Page; errors: string[] }> {
  const trace = await runSnippet({ file: path.join(root, "examples", example) });
  const file = path.join(results, htmlName);
  writeFileSync(file, renderHtmlReport(trace, readReportAssets(path.join(root, "dist"))));
  const opened = await openPage(browser, file, viewport);
  await opened.page.waitForSelector(".box");
  return opened;
}

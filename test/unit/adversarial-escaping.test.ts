/**
 * Markup injected through what a snippet controls — an op's class name, console text, an error message — reaches the
 * HTML report and the hovers' Markdown as text, never as markup. (The extension-host suite checks the hover as VS Code
 * builds it.)
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { markdownCode, markdownInlineCode, markdownText } from "../../src/extension/markdown";
import { readReportAssets, renderHtmlReport } from "../../src/runner/htmlReport";
import { disposeRunner, runSnippet } from "../../src/runner/run";
import { EVIL_MESSAGE, EVIL_NAME, EVIL_SNIPPET } from "./helpers/injection";

describe("markup from a snippet shows as text", function () {
  this.timeout(30_000);
  after(() => disposeRunner());

  it("the HTML report embeds names, console and messages as data: the page has only its own two scripts", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "gradlens-escaping-")), "evil<b>.ts");
    writeFileSync(file, EVIL_SNIPPET);
    const trace = await runSnippet({ file });
    assert.equal(trace.error?.message, EVIL_MESSAGE);
    assert.ok(trace.nodes.some((n) => n.name === `${EVIL_NAME}Backward`), "the evil name reached the Trace");
    const html = renderHtmlReport(trace, readReportAssets(path.join(__dirname, "..", "..", "dist")));
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    assert.deepEqual(scripts.map((s) => s.replace(/nonce="[^"]+"/, 'nonce="…"')), ['<script type="application/json" id="gradlens-trace">', '<script nonce="…">']);
    const data = html.slice(html.indexOf('id="gradlens-trace">'), html.indexOf("</script>"));
    for (const text of ["<img", "</script", "<script", "<b>"]) assert.ok(!data.includes(text), `${text} appears raw in the embedded Trace`);
    assert.match(html, /<title>Gradlens — evil&lt;b&gt;\.ts<\/title>/);
    const embedded = JSON.parse(data.slice('id="gradlens-trace">'.length));
    assert.equal(embedded.error.message, EVIL_MESSAGE, "the text itself survives, escaped only for the page");
  });

  it("Markdown text escapes every punctuation character, so nothing in it is markup", () => {
    const md = markdownText(EVIL_MESSAGE);
    assert.equal(md, "\\<img src\\=x onerror\\=alert\\(2\\)\\> \\*\\*bold\\*\\* \\[quit\\]\\(command\\:workbench\\.action\\.quit\\) \\`tick\\`");
    assert.doesNotMatch(md, /(^|[^\\])[<>[\]()*`]/);
  });

  it("code blocks and inline code are fenced longer than any backticks inside", () => {
    assert.equal(markdownCode("a ``` b", "python"), "\n````python\na ``` b\n````\n");
    assert.equal(markdownCode("plain"), "\n```\nplain\n```\n");
    assert.equal(markdownInlineCode("MulBackward0"), "`MulBackward0`");
    assert.equal(markdownInlineCode("x `y` z"), "``x `y` z``");
    assert.equal(markdownInlineCode("`edge`"), "`` `edge` ``");
  });
});

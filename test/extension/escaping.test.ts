/** A snippet that injects markup through an op's class name: the hover shows it as text (escaped Markdown, no HTML,
 * no trusted command links). */
import { strict as assert } from "node:assert";
import * as vscode from "vscode";
import { gradlens, runFile, writeFile } from "./helpers";
import { EVIL_NAME, EVIL_SNIPPET } from "../unit/helpers/injection";

suite("Gradlens escaping", () => {
  test("a hover on a line whose op has a markup name shows the name as text", async () => {
    const api = await gradlens();
    const uri = await writeFile("evil.ts", EVIL_SNIPPET);
    const result = await runFile(api, uri);
    assert.equal(result.trace.status, "error");
    // Line 8 is `const y = Evil.apply(x).sum();`: its tensor's grad_fn chain names the evil op.
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>("vscode.executeHoverProvider", uri, new vscode.Position(7, 8));
    const contents = hovers.flatMap((h) => h.contents).map((c) => (typeof c === "string" ? { value: c, isTrusted: false, supportHtml: false } : (c as Partial<vscode.MarkdownString> & { value: string })));
    const ours = contents.find((c) => c.value.includes("grad_fn"));
    assert.ok(ours, contents.map((c) => c.value).join("\n---\n"));
    assert.ok(!ours.isTrusted, "no trusted command links");
    assert.ok(!ours.supportHtml, "no HTML");
    const chain = ours.value.split("\n").find((l) => l.startsWith("**grad_fn:**"))!;
    assert.ok(chain.includes(`\`${EVIL_NAME}Backward\``), chain);
    // Outside code, every character of the name that could be markup is escaped.
    const prose = ours.value.replace(/`+[^`]*`+/g, "").replace(/\n(`{3,})[^\n]*\n[\s\S]*?\n\1\n/g, "");
    assert.doesNotMatch(prose, /(^|[^\\])<img/);
  });
});

/**
 * The static report: one self-contained HTML page holding the panel's bundle and the Trace. It loads nothing from
 * the network; its Content-Security-Policy allows only its own nonce'd script and style.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { Trace } from "./trace";

export interface ReportAssets {
  script: string;
  css: string;
}

/** Reads dist/webview.js and dist/webview.css from `distDir`. */
export function readReportAssets(distDir: string): ReportAssets {
  const candidates = [distDir, path.join(distDir, "..", "..", "dist")];
  for (const dir of candidates) {
    try {
      return { script: readFileSync(path.join(dir, "webview.js"), "utf8"), css: readFileSync(path.join(dir, "webview.css"), "utf8") };
    } catch {
      // try the next place
    }
  }
  throw new Error(`Gradlens: the panel's bundle (webview.js, webview.css) is missing from ${distDir}; run npm run build`);
}

/** JSON that cannot end the <script> element it sits in, nor open an HTML comment. */
function embeddable(json: string): string {
  return json.replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

function escapeText(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function renderHtmlReport(trace: Trace, assets: ReportAssets): string {
  const nonce = randomBytes(16).toString("base64");
  const csp = `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src data:`;
  const title = `Gradlens — ${path.basename(trace.file)}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeText(title)}</title>
<style nonce="${nonce}">${assets.css}</style>
</head>
<body>
<div id="app"></div>
<script type="application/json" id="gradlens-trace">${embeddable(JSON.stringify(trace))}</script>
<script nonce="${nonce}">${assets.script.replace(/<\/script/gi, "<\\/script")}</script>
</body>
</html>
`;
}

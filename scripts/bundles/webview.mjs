// The panel's UI: one browser bundle and its stylesheet, loaded by VS Code's webview and by the HTML report.
export default [
  { entryPoints: ["webview/main.ts"], outfile: "dist/webview.js", platform: "browser", format: "iife", target: "es2022" },
  { entryPoints: ["webview/panel.css"], outfile: "dist/webview.css", platform: "browser", bundle: true },
];

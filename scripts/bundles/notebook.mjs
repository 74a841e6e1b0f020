// Notebooks: the host side the extension loads on first use (the session on the runner's child process, .ipynb
// reading and writing, the notebook report), the notebook output renderer, and the static report's page. A notebook's
// kernel is the runner's own child (dist/runner-child.js) started as a session.
export default [
  { entryPoints: ["src/runner/notebook/index.ts"], outfile: "dist/notebook.js", platform: "node", format: "cjs", external: ["vscode"] },
  // Stylesheets are imported as text: the cell view puts them in its shadow root.
  { entryPoints: ["webview/notebookRenderer.ts"], outfile: "dist/notebook-renderer.js", platform: "browser", format: "esm", target: "es2022", loader: { ".css": "text" } },
  { entryPoints: ["webview/notebookReport.ts"], outfile: "dist/notebook-report.js", platform: "browser", format: "iife", target: "es2022", loader: { ".css": "text" } },
  { entryPoints: ["webview/notebookReport.css"], outfile: "dist/notebook-report.css", platform: "browser", bundle: true },
];

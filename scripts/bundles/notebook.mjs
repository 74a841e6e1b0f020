// Notebooks: the kernel (a child process per notebook), the host side the extension loads on first use (session,
// .ipynb reading and writing, the notebook report), the notebook output renderer, and the static report's page.
export default [
  { entryPoints: ["src/runner/session/kernel.ts"], outfile: "dist/notebook-kernel.js", platform: "node", format: "cjs" },
  { entryPoints: ["src/runner/notebook/index.ts"], outfile: "dist/notebook.js", platform: "node", format: "cjs", external: ["vscode"] },
  // Stylesheets are imported as text: the cell view puts them in its shadow root.
  { entryPoints: ["webview/notebookRenderer.ts"], outfile: "dist/notebook-renderer.js", platform: "browser", format: "esm", target: "es2022", loader: { ".css": "text" } },
  { entryPoints: ["webview/notebookReport.ts"], outfile: "dist/notebook-report.js", platform: "browser", format: "iife", target: "es2022", loader: { ".css": "text" } },
  { entryPoints: ["webview/notebookReport.css"], outfile: "dist/notebook-report.css", platform: "browser", bundle: true },
];

// Notebooks: the kernel (a child process per notebook), the host side the extension loads on first use (session,
// .ipynb reading and writing, the notebook report), and the notebook output renderer with the static report's script.
export default [
  { entryPoints: ["src/runner/session/kernel.ts"], outfile: "dist/notebook-kernel.js", platform: "node", format: "cjs" },
  { entryPoints: ["src/runner/notebook/index.ts"], outfile: "dist/notebook.js", platform: "node", format: "cjs", external: ["vscode"] },
];

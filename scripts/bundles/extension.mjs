// The VS Code extension: a small entry that activates fast, and the runner it loads on first use.
export default [
  {
    entryPoints: ["src/extension/extension.ts"],
    outfile: "dist/extension.js",
    platform: "node",
    format: "cjs",
    external: ["vscode"],
  },
  {
    // The host side of the runner (spawns the worker, builds reports); required lazily by the extension.
    entryPoints: ["src/runner/index.ts"],
    outfile: "dist/runner.js",
    platform: "node",
    format: "cjs",
    external: ["vscode"],
  },
];

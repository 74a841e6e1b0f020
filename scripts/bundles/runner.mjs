// The child process a snippet runs in (engine, transpiler and recorder in one file) and the CLI.
export default [
  // keepNames: the engine inside prints class names (a module's repr), which esbuild would otherwise mangle.
  { entryPoints: ["src/runner/child.ts"], outfile: "dist/runner-child.js", platform: "node", format: "cjs", keepNames: true },
  { entryPoints: ["src/cli/main.ts"], outfile: "dist/cli.js", platform: "node", format: "cjs", banner: { js: "" } },
];

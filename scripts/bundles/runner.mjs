// The child process a snippet runs in (engine, transpiler and recorder in one file) and the CLI.
export default [
  { entryPoints: ["src/runner/child.ts"], outfile: "dist/runner-child.js", platform: "node", format: "cjs" },
  { entryPoints: ["src/cli/main.ts"], outfile: "dist/cli.js", platform: "node", format: "cjs", banner: { js: "" } },
];

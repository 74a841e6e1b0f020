// The runner's worker (engine, transpiler and recorder in one file) and the CLI.
export default [
  { entryPoints: ["src/runner/worker.ts"], outfile: "dist/runner-worker.js", platform: "node", format: "cjs" },
  { entryPoints: ["src/cli/main.ts"], outfile: "dist/cli.js", platform: "node", format: "cjs", banner: { js: "" } },
];

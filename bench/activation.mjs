// What Gradlens adds to VS Code's start: loading dist/extension.js and running activate(), in a fresh Node process,
// against a stand-in `vscode` module that answers every call at once (so the figure is our code's cost alone).
// Run: npm run build && node bench/activation.mjs
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

if (process.argv[2] === "--child") {
  const Module = (await import("node:module")).default;
  // Every property is callable, constructible and iterable-safe: enough for activate() to wire its features.
  const anything = new Proxy(function () {}, {
    get: (_, key) => (key === Symbol.toPrimitive ? () => 1 : key === Symbol.iterator ? undefined : key === "then" ? undefined : anything),
    apply: () => anything,
    construct: () => anything,
    set: () => true,
  });
  const names = ["window", "workspace", "languages", "commands", "extensions", "env", "EventEmitter", "Disposable", "ThemeColor",
    "StatusBarAlignment", "DecorationRangeBehavior", "Uri", "ViewColumn", "Range", "Position", "Hover", "MarkdownString", "CodeLens",
    "Diagnostic", "DiagnosticSeverity", "ProgressLocation", "ConfigurationTarget", "TextEditorRevealType"];
  const vscode = Object.fromEntries(names.map((n) => [n, anything]));
  const load = Module._load;
  Module._load = function (request, ...rest) {
    return request === "vscode" ? vscode : load.call(this, request, ...rest);
  };
  const t0 = performance.now();
  const require = Module.createRequire(import.meta.url);
  const ext = require(`${root}/dist/extension.js`);
  const t1 = performance.now();
  ext.activate({ subscriptions: [], extensionPath: root, extensionUri: anything });
  const t2 = performance.now();
  console.log(JSON.stringify({ load: t1 - t0, activate: t2 - t1 }));
} else {
  const runs = [];
  for (let i = 0; i < 15; i++) {
    runs.push(JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), "--child"], { encoding: "utf8" })));
  }
  const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
  const load = median(runs.map((r) => r.load));
  const activate = median(runs.map((r) => r.activate));
  console.log("Gradlens activation cost (median of 15 fresh processes, stand-in vscode API)");
  console.log(`  load dist/extension.js   ${load.toFixed(1)} ms`);
  console.log(`  activate()               ${activate.toFixed(1)} ms`);
  console.log(`  total                    ${(load + activate).toFixed(1)} ms   (budget: 50 ms)`);
}

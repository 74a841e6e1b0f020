// TypeScript server plugin: snippets `import ... from "gradlens"` with nothing installed in the workspace, so the
// module name is resolved here to the engine's declarations that ship inside the extension (dist/engine.d.ts).
"use strict";
const fs = require("fs");
const path = require("path");

const MODULE = "gradlens";

/** The extension's dist/engine.d.ts: this plugin sits in <extension>/node_modules/gradlens-ts-plugin, or in
 * <repo>/ts-plugin when npm links it during development. */
function findDeclarations() {
  const candidates = [path.join(__dirname, "..", "..", "dist", "engine.d.ts"), path.join(__dirname, "..", "dist", "engine.d.ts")];
  return candidates.find((p) => fs.existsSync(p));
}

function init({ typescript: ts }) {
  function create(info) {
    const declarations = findDeclarations();
    const host = info.languageServiceHost;
    if (!declarations) {
      info.project.projectService.logger.info("gradlens-ts-plugin: dist/engine.d.ts not found; `gradlens` stays unresolved");
      return info.languageService;
    }
    const resolved = { resolvedFileName: declarations, extension: ts.Extension.Dts, isExternalLibraryImport: true };
    // A workspace that installs gradlens itself keeps its own copy: only fill in what TypeScript did not resolve.
    if (host.resolveModuleNameLiterals) {
      const original = host.resolveModuleNameLiterals.bind(host);
      host.resolveModuleNameLiterals = (literals, ...rest) =>
        original(literals, ...rest).map((r, i) => (literals[i].text === MODULE && !r.resolvedModule ? { resolvedModule: resolved } : r));
    } else if (host.resolveModuleNames) {
      const original = host.resolveModuleNames.bind(host);
      host.resolveModuleNames = (names, ...rest) => original(names, ...rest).map((r, i) => (names[i] === MODULE && !r ? resolved : r));
    }
    return info.languageService;
  }
  return { create };
}

module.exports = init;

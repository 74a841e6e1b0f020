// Builds gradlens.vsix: the bundles in dist/ (the extension, runner, worker, CLI, engine and its types, the panel),
// media/, and the TypeScript server plugin at extension/node_modules/gradlens-ts-plugin/.
//
// Why the plugin is added afterwards: VS Code loads `typescriptServerPlugins` only from the extension's own
// node_modules. Everything else is bundled by esbuild, so vsce runs with --no-dependencies, which leaves node_modules
// out; with dependencies, vsce follows the `file:ts-plugin` link to its real path and packs it as extension/ts-plugin/,
// where VS Code never looks. So the archive vsce wrote is copied entry by entry into a new one with the plugin's files
// under the path VS Code expects (their .js and .json types are already declared in [Content_Types].xml).
//
// There is no public repository yet: vsce is told so, and keeps the README's relative links (the screenshot in
// media/), which an installed .vsix shows as they are. Publishing would add --baseImagesUrl.
import { Buffer } from "node:buffer";
import { execFileSync } from "node:child_process";
import { createWriteStream, readdirSync, readFileSync, renameSync, statSync } from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import yauzl from "yauzl";
import yazl from "yazl";

const VSIX = "gradlens.vsix";
const PLUGIN_DIR = "ts-plugin";
const PLUGIN_PATH = `extension/node_modules/${JSON.parse(readFileSync(join(PLUGIN_DIR, "package.json"), "utf8")).name}`;

execFileSync("npx", ["vsce", "package", "--no-dependencies", "--allow-missing-repository", "--no-rewrite-relative-links", "-o", VSIX], { stdio: "inherit" });
await addPlugin(VSIX);
const entries = await entryNames(VSIX);
for (const file of readdirSync(PLUGIN_DIR)) {
  if (!entries.includes(`${PLUGIN_PATH}/${file}`)) throw new Error(`${VSIX} lacks ${PLUGIN_PATH}/${file}`);
}
const mb = statSync(VSIX).size / 2 ** 20;
console.log(`${VSIX}: ${mb.toFixed(2)} MB (limit 5 MB), ${entries.length} files, TS server plugin at ${PLUGIN_PATH}/`);

async function addPlugin(vsix) {
  const out = new yazl.ZipFile();
  const zip = await yauzl.openPromise(vsix, { autoClose: false });
  for await (const entry of zip.eachEntry()) {
    if (entry.fileName.endsWith("/")) continue;
    const data = await readAll(await zip.openReadStreamPromise(entry));
    out.addBuffer(data, entry.fileName, { mtime: entry.getLastModDate() });
  }
  zip.close();
  for (const file of readdirSync(PLUGIN_DIR)) out.addFile(join(PLUGIN_DIR, file), `${PLUGIN_PATH}/${file}`);
  out.end();
  const tmp = `${vsix}.tmp`;
  await pipeline(out.outputStream, createWriteStream(tmp));
  renameSync(tmp, vsix);
}

async function entryNames(vsix) {
  const zip = await yauzl.openPromise(vsix);
  const names = [];
  for await (const entry of zip.eachEntry()) names.push(entry.fileName);
  return names;
}

async function readAll(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

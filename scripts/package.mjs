// Builds gradlens.vsix: the bundles in dist/ (the extension, runner, worker, CLI, engine and its types, the panel),
// media/, and the TypeScript server plugin at extension/node_modules/gradlens-ts-plugin/.
//
// Why the plugin is added afterwards: VS Code loads `typescriptServerPlugins` only from the extension's own
// node_modules. Everything else is bundled by esbuild, so vsce runs with --no-dependencies, which leaves node_modules
// out; with dependencies, vsce follows the `file:ts-plugin` link to its real path and packs it as extension/ts-plugin/,
// where VS Code never looks. So the archive vsce wrote is copied entry by entry into a new one with the plugin's files
// under the path VS Code expects (their .js and .json types are already declared in [Content_Types].xml).
//
// The README's images: VS Code's extension page shows only https: and data: images (checked in code-server: a
// relative link to media/ shows its alt text). There is no public repository to serve them from yet, so the copy of
// the README inside the archive carries them as data: URIs, and the repository's README keeps the plain links.
// Publishing would give vsce --baseImagesUrl instead.
import { Buffer } from "node:buffer";
import { execFileSync } from "node:child_process";
import { createWriteStream, readdirSync, readFileSync, renameSync, statSync } from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import yazl from "yazl";
import { zipEntries } from "./zipEntries.mjs";

const VSIX = "gradlens.vsix";
const PLUGIN_DIR = "ts-plugin";
const PLUGIN_PATH = `extension/node_modules/${JSON.parse(readFileSync(join(PLUGIN_DIR, "package.json"), "utf8")).name}`;

execFileSync("npx", ["vsce", "package", "--no-dependencies", "--allow-missing-repository", "--no-rewrite-relative-links", "-o", VSIX], { stdio: "inherit" });
await finishArchive(VSIX);
const entries = await entryNames(VSIX);
for (const file of readdirSync(PLUGIN_DIR)) {
  if (!entries.includes(`${PLUGIN_PATH}/${file}`)) throw new Error(`${VSIX} lacks ${PLUGIN_PATH}/${file}`);
}
const mb = statSync(VSIX).size / 2 ** 20;
console.log(`${VSIX}: ${mb.toFixed(2)} MB (limit 5 MB), ${entries.length} files, TS server plugin at ${PLUGIN_PATH}/`);

/** Copies the archive vsce wrote with the README's images inlined and the TS server plugin added. */
async function finishArchive(vsix) {
  const out = new yazl.ZipFile();
  for await (const { name, data, mtime } of zipEntries(vsix)) {
    const bytes = name === "extension/readme.md" ? Buffer.from(inlineImages(data.toString("utf8")), "utf8") : data;
    out.addBuffer(bytes, name, { mtime });
  }
  for (const file of readdirSync(PLUGIN_DIR)) out.addFile(join(PLUGIN_DIR, file), `${PLUGIN_PATH}/${file}`);
  out.end();
  const tmp = `${vsix}.tmp`;
  await pipeline(out.outputStream, createWriteStream(tmp));
  renameSync(tmp, vsix);
}

/** `![alt](media/x.png)` → `![alt](data:image/png;base64,…)`; any other relative image is an error. */
function inlineImages(markdown) {
  return markdown.replace(/!\[([^\]]*)\]\(([^)\s]+)\)/g, (whole, alt, target) => {
    if (/^(https|data):/.test(target)) return whole;
    if (!/^media\/[\w.-]+\.png$/.test(target)) throw new Error(`README image ${target}: keep images in media/ as PNG`);
    return `![${alt}](data:image/png;base64,${readFileSync(target).toString("base64")})`;
  });
}

async function entryNames(vsix) {
  const names = [];
  for await (const { name } of zipEntries(vsix)) names.push(name);
  return names;
}

// Runs the extension-host suite against what a user installs: gradlens.vsix (built by `npm run package`) unpacked
// into a temp folder, with no repository and no node_modules around it except what the archive holds. This is where
// a file missing from the .vsix shows up, e.g. the TypeScript server plugin that VS Code only finds in the
// extension's own node_modules.
//
//   node test/extension/runPackaged.mjs [--vsix gradlens.vsix] [any runOffline.mjs option]
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { zipEntries } from "../../scripts/zipEntries.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const at = args.indexOf("--vsix");
const vsix = resolve(at >= 0 ? args.splice(at, 2)[1] : join(here, "..", "..", "gradlens.vsix"));

const dir = mkdtempSync(join(tmpdir(), "gradlens-vsix-"));
try {
  await unpack(vsix, dir);
  console.log(`testing ${vsix} unpacked in ${dir}`);
  const run = spawnSync(process.execPath, [join(here, "runOffline.mjs"), "--group", "trusted", "--extension", join(dir, "extension"), ...args], { stdio: "inherit" });
  process.exitCode = run.status ?? 2;
} finally {
  rmSync(dir, { recursive: true, force: true });
}

async function unpack(archive, into) {
  for await (const { name, data } of zipEntries(archive)) {
    const target = resolve(into, name);
    if (!target.startsWith(into + sep)) throw new Error(`${archive}: entry ${name} points outside the archive`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, data);
  }
}

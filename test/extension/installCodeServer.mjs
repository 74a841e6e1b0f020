// Installs code-server (VS Code's server build, from the npm registry) once into a cache folder outside the
// extension's dependencies, so that package.json stays small and .vsix builds stay clean. Later runs reuse it.
//
//   node test/extension/installCodeServer.mjs [--force]      (runOffline.mjs calls ensureCodeServer() itself)
//
// Folder: $GRADLENS_CODE_SERVER_CACHE, or gradlens/code-server/ in the user's cache ($XDG_CACHE_HOME or ~/.cache).
// Not inside the repo: Node and TypeScript resolve modules by walking up the folders, so a VS Code installed below
// the repo would find the repo's node_modules (the dev link to the TS server plugin among them) and let a .vsix that
// lacks a file pass its tests. It counts as installed only once installed.json is written, after every native module
// loaded; an interrupted install is redone from scratch.
//
// Why each step (everything here was checked against code-server 4.100.3 and npm 11.19):
// - 4.100.x is the newest line that runs on Node 20 (4.103+ wants Node 22); its postinstall refuses other majors.
// - Its postinstall runs `npm install` again inside lib/vscode and lib/vscode/extensions, which builds native
//   modules with node-gyp (kerberos needs libkrb5-dev) and runs @vscode/ripgrep's postinstall, which downloads rg
//   from GitHub unless its cache already holds the archive: we put Debian's /usr/bin/rg there, under the name that
//   @vscode/ripgrep's lib/postinstall.js + lib/download.js look for, in a TMPDIR inside our cache folder.
// - npm 11 keeps a policy of which dependencies may run install scripts (`allowScripts` in package.json). 11.19 only
//   warns about the others; later releases (and `strict-allow-scripts`) skip or refuse them, which would leave
//   code-server without its native modules. So the install has two steps: fetch with --ignore-scripts, approve in
//   each package.json that npm will read (ours, and code-server's lib/vscode and lib/vscode/extensions) exactly the
//   packages that the pinned lockfiles mark `hasInstallScript`, then `npm rebuild`, which runs them under that policy.
// - ~/.npmrc here says yes=false (the nested builds call npx) and, as root, postinstall.sh demands unsafe-perm.
// - node-gyp would download Node's headers from nodejs.org; Node's own package ships them, so we point it there.
import { spawnSync } from "node:child_process";
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const CODE_SERVER_VERSION = "4.100.3";
/** @vscode/ripgrep as pinned by code-server 4.100.3's lib/vscode/npm-shrinkwrap.json, and the rg release tag its
 * lib/postinstall.js asks for (const VERSION); the cached archive is named after both. */
const RIPGREP_PACKAGE_VERSION = "1.15.11";
const RIPGREP_TAG = "v13.0.0-10";
const RIPGREP_TARGET = "x86_64-unknown-linux-musl";
/** Native modules the server and extension host load; requiring each proves the install is whole. */
const NATIVE_MODULES = {
  ".": ["argon2"],
  "lib/vscode": ["@vscode/spdlog", "node-pty", "native-watchdog", "kerberos", "@parcel/watcher", "@vscode/deviceid"],
};

export function codeServerCacheDir() {
  return process.env.GRADLENS_CODE_SERVER_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "gradlens", "code-server");
}

/** The entry point to start with `node`, installing code-server first if the cache does not hold a whole install. */
export function ensureCodeServer({ force = false } = {}) {
  const dir = codeServerCacheDir();
  const entry = join(dir, "node_modules", "code-server", "out", "node", "entry.js");
  if (!force && isInstalled(dir)) return entry;
  mkdirSync(dir, { recursive: true });
  withLock(join(dir, "install.lock"), () => {
    if (!force && isInstalled(dir)) return; // another process finished it while we waited
    install(dir);
  });
  return entry;
}

function stamp() {
  // Native modules are built for one Node ABI: another Node needs a fresh build.
  return { codeServer: CODE_SERVER_VERSION, nodeModules: process.versions.modules, arch: process.arch };
}

function isInstalled(dir) {
  try {
    const seen = JSON.parse(readFileSync(join(dir, "installed.json"), "utf8"));
    const want = stamp();
    return Object.keys(want).every((k) => seen[k] === want[k]);
  } catch {
    return false;
  }
}

function install(dir) {
  const started = Date.now();
  checkPrerequisites();
  const shown = relative(process.cwd(), dir) || dir;
  console.log(`installing code-server ${CODE_SERVER_VERSION} into ${shown} (once; about a minute)…`);
  for (const f of ["installed.json", "node_modules", "package-lock.json", "tmp"]) rmSync(join(dir, f), { recursive: true, force: true });
  const logPath = join(dir, "install.log");
  writeFileSync(logPath, "");
  writeFileSync(join(dir, "package.json"), JSON.stringify({
    name: "gradlens-test-code-server",
    private: true,
    description: "code-server for Gradlens's offline extension-host tests (test/extension/installCodeServer.mjs)",
    dependencies: { "code-server": CODE_SERVER_VERSION },
  }, null, 2) + "\n");

  const tmp = join(dir, "tmp");
  mkdirSync(tmp, { recursive: true });
  const env = {
    ...process.env,
    TMPDIR: tmp,
    npm_config_yes: "true",
    npm_config_unsafe_perm: "true",
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
    ...nodeHeadersConfig(),
  };
  const npm = (args, cwd) => {
    const r = spawnSync("npm", args, { cwd, env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    writeFileSync(logPath, `\n$ (cd ${cwd} && npm ${args.join(" ")})\n${r.stdout ?? ""}${r.stderr ?? ""}`, { flag: "a" });
    if (r.status !== 0) fail(`npm ${args.join(" ")} failed (exit ${r.status ?? r.signal ?? r.error?.message})`, logPath);
  };

  npm(["install", "--ignore-scripts"], dir);
  const codeServer = join(dir, "node_modules", "code-server");
  const approved = [dir, join(codeServer, "lib", "vscode"), join(codeServer, "lib", "vscode", "extensions")].map(approveLockedInstallScripts);
  writeFileSync(logPath, `\napproved install scripts: ${approved.flat().join(", ")}\n`, { flag: "a" });
  primeRipgrepCache(tmp, join(codeServer, "lib", "vscode"));
  npm(["rebuild", "--foreground-scripts"], dir);

  verify(dir, logPath);
  rmSync(tmp, { recursive: true, force: true });
  writeFileSync(join(dir, "installed.json"), JSON.stringify({ ...stamp(), seconds: Math.round((Date.now() - started) / 1000) }, null, 2) + "\n");
  console.log(`code-server ${CODE_SERVER_VERSION} installed in ${Math.round((Date.now() - started) / 1000)} s (log: ${join(shown, "install.log")})`);
}

/** Names the Debian packages .ci/apt-deps installs, if one is missing, before a minute of npm fails on it. */
function checkPrerequisites() {
  const major = Number(process.versions.node.split(".")[0]);
  if (major !== 20) throw new Error(`code-server ${CODE_SERVER_VERSION} needs Node 20 (this is ${process.version})`);
  const missing = [];
  if (!existsSync("/usr/bin/rg")) missing.push("ripgrep");
  if (!existsSync("/usr/include/gssapi/gssapi.h")) missing.push("libkrb5-dev");
  for (const [tool, pkg] of [["g++", "g++"], ["make", "make"], ["python3", "python3"], ["tar", "tar"]]) {
    if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) missing.push(pkg);
  }
  if (missing.length) throw new Error(`installing code-server needs these Debian packages: ${missing.join(" ")} (run .ci/apt-deps)`);
}

/** node-gyp's nodedir, when this Node's own headers are on disk (Debian/NodeSource packages put them in /usr). */
function nodeHeadersConfig() {
  const prefix = dirname(dirname(process.execPath));
  return existsSync(join(prefix, "include", "node", "node_version.h")) ? { npm_config_nodedir: prefix } : {};
}

/** Writes `allowScripts` into the package.json beside a lockfile: every locked package that has install scripts. */
function approveLockedInstallScripts(dir) {
  const lockPath = ["npm-shrinkwrap.json", "package-lock.json"].map((f) => join(dir, f)).find((p) => existsSync(p));
  if (!lockPath) throw new Error(`no lockfile in ${dir}: code-server's layout changed`);
  const lock = JSON.parse(readFileSync(lockPath, "utf8"));
  const names = new Set();
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    if (!path || !entry.hasInstallScript) continue;
    names.add(entry.name ?? path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length));
  }
  const pkgPath = join(dir, "package.json");
  const pkg = JSON.parse(readFileSync(pkgPath, "utf8"));
  pkg.allowScripts = Object.fromEntries([...names].sort().map((n) => [n, true]));
  writeFileSync(pkgPath, JSON.stringify(pkg, null, 2) + "\n");
  return [...names];
}

/** Puts Debian's rg where @vscode/ripgrep's postinstall looks before it goes to GitHub:
 * <os.tmpdir()>/vscode-ripgrep-cache-<package version>/ripgrep-<tag>-<target>.tar.gz, holding `rg`. */
function primeRipgrepCache(tmp, vscodeDir) {
  const shrinkwrap = JSON.parse(readFileSync(join(vscodeDir, "npm-shrinkwrap.json"), "utf8"));
  const locked = shrinkwrap.packages?.["node_modules/@vscode/ripgrep"]?.version;
  if (locked !== RIPGREP_PACKAGE_VERSION) {
    throw new Error(`code-server locks @vscode/ripgrep ${locked}, not ${RIPGREP_PACKAGE_VERSION}: read that version's ` +
      "lib/postinstall.js (const VERSION) and lib/download.js (the cache name), then update RIPGREP_* in installCodeServer.mjs");
  }
  const cache = join(tmp, `vscode-ripgrep-cache-${RIPGREP_PACKAGE_VERSION}`);
  mkdirSync(cache, { recursive: true });
  const staging = join(tmp, "rg-staging");
  mkdirSync(staging, { recursive: true });
  writeFileSync(join(staging, "rg"), readFileSync("/usr/bin/rg"), { mode: 0o755 });
  const archive = join(cache, `ripgrep-${RIPGREP_TAG}-${RIPGREP_TARGET}.tar.gz`);
  const r = spawnSync("tar", ["-czf", archive, "-C", staging, "rg"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`could not pack /usr/bin/rg: ${r.stderr}`);
}

/** Every native module loads and rg runs: a build that npm skipped fails here, not in the middle of a test run. */
function verify(dir, logPath) {
  const codeServer = join(dir, "node_modules", "code-server");
  if (!existsSync(join(codeServer, "out", "node", "entry.js"))) fail("code-server's out/node/entry.js is missing", logPath);
  for (const [sub, modules] of Object.entries(NATIVE_MODULES)) {
    const cwd = join(codeServer, sub);
    const script = `for (const m of ${JSON.stringify(modules)}) require(m);`;
    const r = spawnSync(process.execPath, ["-e", script], { cwd, encoding: "utf8" });
    if (r.status !== 0) fail(`a native module of code-server does not load (in ${sub}):\n${r.stderr.trim().split("\n").slice(0, 8).join("\n")}`, logPath);
  }
  const rg = join(codeServer, "lib", "vscode", "node_modules", "@vscode", "ripgrep", "bin", "rg");
  if (spawnSync(rg, ["--version"]).status !== 0) fail(`${rg} does not run`, logPath);
}

function fail(message, logPath) {
  let tail = "";
  try {
    tail = readFileSync(logPath, "utf8").trimEnd().split("\n").slice(-40).join("\n");
  } catch {
    // no log yet
  }
  throw new Error(`${message}\n--- last lines of ${logPath} ---\n${tail}`);
}

/** Runs `fn` holding an exclusive lock file; waits for a live holder, takes over from a dead one. */
function withLock(lockPath, fn) {
  const deadline = Date.now() + 15 * 60_000;
  let holder;
  while ((holder = tryLock(lockPath)) !== undefined) {
    if (Date.now() > deadline) throw new Error(`waited 15 min for process ${holder} to finish installing code-server`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2000);
  }
  try {
    fn();
  } finally {
    rmSync(lockPath, { force: true });
  }
}

/** Takes the lock (undefined) or names the live process holding it. The pid is written first and linked into place,
 * so a reader never sees an empty lock. */
function tryLock(lockPath) {
  const mine = `${lockPath}.${process.pid}`;
  writeFileSync(mine, String(process.pid));
  try {
    linkSync(mine, lockPath);
    return undefined;
  } catch (e) {
    if (e.code !== "EEXIST") throw e;
  } finally {
    rmSync(mine, { force: true });
  }
  let holder;
  try {
    holder = Number(readFileSync(lockPath, "utf8"));
  } catch {
    return tryLock(lockPath); // released in between
  }
  if (isAlive(holder)) return holder;
  rmSync(lockPath, { force: true }); // left by a process that died
  return tryLock(lockPath);
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === "EPERM";
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    console.log(ensureCodeServer({ force: process.argv.includes("--force") }));
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  }
}

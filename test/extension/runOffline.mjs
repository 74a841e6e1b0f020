// Runs the extension-host suite offline: code-server (VS Code's server build, from the npm registry) serves a real
// workbench and extension host; Debian's Chromium, driven by playwright-core, opens it with the extension under
// development and the suite. Used by CI; `runElectron.mjs` runs the same suite where VS Code can be downloaded.
//
// Screenshots: the suite logs `GRADLENS_SCREENSHOT <name>`; this runner, which sees the extension host's console,
// saves the workbench to test-results/<name>.png (the suite waits a moment after logging).
//
// Usage: node test/extension/runOffline.mjs [--untrusted]   (--untrusted: Workspace Trust on, the untrusted suite)
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { format } from "node:util";
import { chromium } from "playwright-core";

const root = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");
const untrusted = process.argv.includes("--untrusted");
const cacheDir = join(root, ".cache", "code-server");
const entry = join(cacheDir, "node_modules", "code-server", "out", "node", "entry.js");
const results = join(root, "test-results");
const LIMIT_MS = 8 * 60_000;

/** code-server 4.100.x (the newest that runs on Node 20), installed once into .cache/, outside the project's deps. */
function installCodeServer() {
  if (existsSync(entry)) return;
  console.log("installing code-server 4.100.3 into .cache/code-server (once)…");
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(join(cacheDir, "package.json"), JSON.stringify({ name: "gradlens-test-code-server", private: true }));
  // @vscode/ripgrep downloads rg from GitHub in its postinstall, unless its cache already holds the archive: give it
  // Debian's rg under the name it looks for (lib/postinstall.js and lib/download.js of @vscode/ripgrep 1.15.11).
  const rgCache = join(tmpdir(), "vscode-ripgrep-cache-1.15.11");
  const archive = join(rgCache, "ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz");
  if (!existsSync(archive)) {
    mkdirSync(rgCache, { recursive: true });
    const staging = mkdtempSync(join(tmpdir(), "rg-"));
    cpSync("/usr/bin/rg", join(staging, "rg"));
    spawnSync("tar", ["-czf", archive, "-C", staging, "rg"], { stdio: "inherit" });
  }
  const r = spawnSync("npm", ["install", "code-server@4.100.3", "--no-audit", "--no-fund", "--foreground-scripts"], {
    cwd: cacheDir,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, npm_config_yes: "true", npm_config_unsafe_perm: "true" },
  });
  if (r.status !== 0 || !existsSync(entry)) throw new Error("installing code-server failed");
}

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function main() {
  installCodeServer();
  mkdirSync(results, { recursive: true });
  const port = await freePort();
  const workspace = mkdtempSync(join(tmpdir(), "gradlens-ws-"));
  cpSync(join(root, "examples"), workspace, { recursive: true });
  const userData = mkdtempSync(join(tmpdir(), "gradlens-cs-user-"));
  const extensions = mkdtempSync(join(tmpdir(), "gradlens-cs-ext-"));
  const args = [entry, "--auth", "none", "--bind-addr", `127.0.0.1:${port}`, "--disable-telemetry", "--disable-update-check",
    "--user-data-dir", userData, "--extensions-dir", extensions];
  if (!untrusted) args.push("--disable-workspace-trust");
  const server = spawn(process.execPath, args, { env: { ...process.env, GRADLENS_SUITE: untrusted ? "untrusted" : "" }, stdio: ["ignore", "pipe", "pipe"] });
  let browser;
  const stop = async () => {
    await browser?.close().catch(() => undefined);
    server.kill("SIGTERM");
  };
  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("code-server did not start within 60 s")), 60_000);
      const watch = (chunk) => {
        if (String(chunk).includes("HTTP server listening")) {
          clearTimeout(timer);
          resolve();
        }
      };
      server.stdout.on("data", watch);
      server.stderr.on("data", watch);
      server.on("exit", (code) => reject(new Error(`code-server exited early (${code})`)));
    });
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"],
    });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const pending = [];
    const exit = new Promise((resolve) => {
      page.exposeFunction("codeAutomationLog", (type, args) => {
        const text = format(...(Array.isArray(args) ? args : [args]));
        const shot = /GRADLENS_SCREENSHOT (\S+)/.exec(text);
        if (shot) pending.push(page.screenshot({ path: join(results, `${shot[1]}.png`) }).then(() => console.log(`  screenshot test-results/${shot[1]}.png`)));
        else console.log(text);
      });
      page.exposeFunction("codeAutomationExit", (code) => resolve(code));
    });
    const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
    const payload = [["extensionDevelopmentPath", remote(root)], ["extensionTestsPath", remote(join(root, "out", "test", "extension", "index"))]];
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    const timeout = new Promise((resolve) => setTimeout(() => resolve("timeout"), LIMIT_MS));
    const code = await Promise.race([exit, timeout]);
    await Promise.all(pending);
    if (code === "timeout") {
      await page.screenshot({ path: join(results, "extension-timeout.png") });
      console.error(`the extension tests did not finish within ${LIMIT_MS / 1000} s`);
      return 1;
    }
    return code;
  } finally {
    await stop();
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);

// Runs the extension-host suite offline (this machine, CI): code-server, VS Code's server build installed once by
// installCodeServer.mjs, serves the real workbench and Node extension host; Debian's Chromium, driven by
// playwright-core, opens it with the extension under development and the suite (index.ts, bundled by build.mjs).
// runElectron.mjs runs the same suite in a downloaded VS Code, where there is internet.
//
//   node test/extension/runOffline.mjs [--group all|trusted|untrusted] [--workspace <dir>] [--grep <regexp>]
//                                      [--timeout <seconds>] [--extension <dir>] [--tests <index.js>]
//
//   --group      all (default): each group that has test files, trusted first. --untrusted = --group untrusted.
//   --workspace  the folder the window opens, used as it is. Default: a fresh temp copy of examples/ per group (the
//                tests may write files into it), or an empty temp folder if the repo has no examples/.
//   --grep       only tests whose full title matches.     --timeout  per group, default 300 s.
//   --extension, --tests   another extension and suite (default: this repo, out/test/extension/index.js).
//   Environment: CHROMIUM_PATH (default /usr/bin/chromium); GRADLENS_CODE_SERVER_CACHE (see installCodeServer.mjs).
//
// Exit code: 0 every group passed; 1 a test failed (the code the suite reported); 2 the run itself failed (install,
// server start, browser, or no result within the timeout; a picture of the page is then in test-results/).
// The extension host's console is printed here; the server's and browser's logs go to test-results/extension-host/.
//
// Workspace Trust: trust is decided when a window opens, so each group gets its own server, browser and window.
// trusted: code-server runs with --disable-workspace-trust, as @vscode/test-electron does. untrusted: the feature
// stays on, with a fresh user-data-dir and browser profile in which nothing was ever trusted, so the folder opens in
// Restricted Mode; the setting security.workspace.trust.startupPrompt=never keeps the "Do you trust the authors"
// dialog from waiting for a click. index.ts picks the group's files from GRADLENS_TEST_GROUP, which the extension
// host inherits from the server's environment.
//
// Screenshot protocol, suite ⇄ runner (the suite side is screenshot.ts):
//   1. The runner gives the extension host GRADLENS_SCREENSHOT_DIR, an empty folder for answers.
//   2. The suite deletes <that folder>/<name>, then logs the line `GRADLENS_SCREENSHOT <name>` ([A-Za-z0-9._-]).
//   3. The runner sees the line in the extension host's console (codeAutomationLog), saves the page as
//      test-results/<name>.png, and writes <that folder>/<name> holding `ok <png path>` or `error <message>`; it writes
//      a temp file and renames it, so the suite never reads half an answer. Shots are taken one at a time, in order.
//   4. The suite polls for that file and goes on when it exists.
//
// Result: the suite reports its exit code through codeAutomationExit, but the web workbench also reports 0 when the
// extension host dies mid-run. So a group passes only if index.ts also logged `GRADLENS_SUITE_RESULT <n> passed,
// 0 failed` (that line is not printed).
import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { format, inspect, parseArgs } from "node:util";
import { chromium } from "playwright-core";
import { ensureCodeServer } from "./installCodeServer.mjs";
import { groupsWithTests, makeProfile } from "./testProfile.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");
const results = join(root, "test-results");
const logs = join(results, "extension-host");
const SCREENSHOT_LINE = /^GRADLENS_SCREENSHOT ([A-Za-z0-9][A-Za-z0-9._-]*)$/;
const RESULT_LINE = /^GRADLENS_SUITE_RESULT (\d+) passed, (\d+) failed$/;
/** The workbench's own start-up chatter reaches codeAutomationLog too; it is left out of the output (the browser log
 * has it). The failed lookup is the extension gallery (open-vsx.org), unreachable offline and not needed. */
const WORKBENCH_CHATTER = [/^Resolv(ing|ed) connection token/, /^Creating a socket/, /^Updating additional builtin extensions cache/,
  /^\[Service Worker\]/, /^ChatSessionStore:/, /getaddrinfo ENOTFOUND open-vsx\.org/];
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
  "--no-first-run", "--disable-component-update", "--disable-sync"];
const EXIT = { passed: 0, failed: 1, broken: 2 };
// eslint-disable-next-line no-control-regex -- the escape character is what it matches
const ANSI_COLOUR = /\u001b\[[0-9;]*m/g;

/** What to end if the process is interrupted: the group's server, browser and temp folder. */
let endCurrentGroup;
let interrupted = false;
for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]]) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n${signal}: stopping code-server and Chromium`);
    Promise.resolve(endCurrentGroup?.()).finally(() => process.exit(code));
  });
}

function options() {
  const { values } = parseArgs({
    options: {
      group: { type: "string", default: "all" },
      untrusted: { type: "boolean", default: false },
      workspace: { type: "string" },
      grep: { type: "string" },
      timeout: { type: "string", default: "300" },
      extension: { type: "string", default: root },
      tests: { type: "string", default: join(root, "out", "test", "extension", "index.js") },
    },
  });
  if (values.untrusted) values.group = "untrusted";
  if (!["all", "trusted", "untrusted"].includes(values.group)) throw new Error(`--group must be all, trusted or untrusted`);
  const timeoutMs = Number(values.timeout) * 1000;
  if (!(timeoutMs > 0)) throw new Error(`--timeout must be a number of seconds`);
  return {
    group: values.group,
    workspace: values.workspace && resolve(values.workspace),
    grep: values.grep,
    timeoutMs,
    extension: resolve(values.extension),
    tests: resolve(values.tests),
  };
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}

/** The extension host's console arguments, printed the way Node's console would, without colour codes: under CI=true
 * mocha colours its report (the bundled suite holds two copies of its reporter base, so `color: false` misses one). */
function formatLog(args) {
  const list = Array.isArray(args) ? args : [args];
  const text = typeof list[0] === "string" ? format(...list) : list.map((a) => (typeof a === "string" ? a : inspect(a))).join(" ");
  return text.replace(ANSI_COLOUR, "");
}

/** Resolves with `value` after `ms`, without keeping the process alive for it. */
function delay(ms, value) {
  return new Promise((r) => setTimeout(() => r(value), ms).unref());
}

function elapsed(since) {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

/** Ends a process group we started: TERM, a grace period, then KILL for whatever is left (extension host, pty host). */
async function endProcessGroup(child) {
  const signalGroup = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // the group is already gone
    }
  };
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once("exit", r));
    signalGroup("SIGTERM");
    await Promise.race([exited, delay(3000)]);
  }
  signalGroup("SIGKILL");
}

async function runGroup(group, opts, entry) {
  const started = Date.now();
  console.log(`\n=== extension tests, ${group} workspace (code-server + Chromium) ===`);
  const { temp, userData, extensions, browserProfile, screenshotAnswers: answers, workspace } = makeProfile(root, group, opts.workspace);
  mkdirSync(logs, { recursive: true });
  const serverLog = createWriteStream(join(logs, `code-server-${group}.log`));
  const browserLog = createWriteStream(join(logs, `browser-${group}.log`));

  // A VS Code terminal's VSCODE_* variables would make code-server act as a client of that window instead of serving.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("VSCODE_")));
  Object.assign(env, { GRADLENS_TEST_GROUP: group, GRADLENS_SCREENSHOT_DIR: answers });
  if (opts.grep) env.GRADLENS_TEST_GREP = opts.grep;
  else delete env.GRADLENS_TEST_GREP;

  const port = await freePort();
  const args = [entry, "--auth", "none", "--bind-addr", `127.0.0.1:${port}`, "--config", join(temp, "config.yaml"),
    "--disable-telemetry", "--disable-update-check", "--disable-getting-started-override", "--ignore-last-opened",
    "--user-data-dir", userData, "--extensions-dir", extensions];
  if (group === "trusted") args.push("--disable-workspace-trust");
  // Its own process group, so that ending it also ends the extension host and the other processes it starts.
  const server = spawn(process.execPath, args, { cwd: temp, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  server.stdout.pipe(serverLog);
  server.stderr.pipe(serverLog);
  let serverOutput = ""; // the latest output, which watchServer() below looks through
  for (const stream of [server.stdout, server.stderr]) stream.on("data", (chunk) => (serverOutput = (serverOutput + chunk).slice(-16_384)));

  let context;
  let ending;
  const end = () => (ending ??= (async () => {
    await Promise.race([context?.close().catch(() => undefined), delay(10_000)]);
    await endProcessGroup(server);
    serverLog.end();
    browserLog.end();
    rmSync(temp, { recursive: true, force: true });
  })());
  endCurrentGroup = end;

  const broken = (message) => {
    if (!interrupted) console.error(`${group}: ${message}`);
    return EXIT.broken;
  };
  try {
    const serverExited = new Promise((r) => server.once("exit", (code, signal) => r(`code-server exited (${code ?? signal})`)));
    const watchServer = (pattern) => new Promise((r) => {
      const check = () => {
        const m = pattern.exec(serverOutput);
        if (!m) return;
        server.stdout.off("data", check);
        server.stderr.off("data", check);
        r(m);
      };
      server.stdout.on("data", check);
      server.stderr.on("data", check);
    });
    const listening = watchServer(/HTTP server listening/).then(() => "listening");
    // The extension host ends after the suite reports; if it ends first (a crash, process.exit in a test), say so
    // at once instead of waiting for the time limit.
    const hostExited = watchServer(/Extension Host Process exited with (code: \S+ signal: \S+)/)
      .then((m) => delay(2000, `the extension host exited (${m[1]}) before the suite reported a result`));
    const startLimit = delay(60_000, "code-server did not start within 60 s");
    const start = await Promise.race([listening, serverExited, startLimit]);
    if (start !== "listening") return broken(`${start}; see ${relative(root, join(logs, `code-server-${group}.log`))}`);

    context = await chromium.launchPersistentContext(browserProfile, {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1440, height: 900 },
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.on("console", (m) => browserLog.write(`[${m.type()}] ${m.text()}\n`));
    page.on("pageerror", (e) => browserLog.write(`[pageerror] ${e.stack ?? e.message}\n`));

    let shots = Promise.resolve();
    const takeShot = (name) => {
      shots = shots.then(async () => {
        const png = join(results, `${name}.png`);
        let answer;
        try {
          await page.screenshot({ path: png });
          answer = `ok ${png}`;
          console.log(`[screenshot] ${relative(root, png)}`);
        } catch (e) {
          answer = `error ${e instanceof Error ? e.message : e}`;
          console.error(`[screenshot] ${name} failed: ${answer}`);
        }
        writeFileSync(join(answers, `.${name}.tmp`), answer);
        renameSync(join(answers, `.${name}.tmp`), join(answers, name));
      });
    };

    let reportExit;
    const suiteExit = new Promise((r) => (reportExit = r));
    let reportResult;
    const suiteResult = new Promise((r) => (reportResult = r));
    await page.exposeFunction("codeAutomationLog", (type, args) => {
      const text = formatLog(args);
      const shot = SCREENSHOT_LINE.exec(text.trim());
      const result = RESULT_LINE.exec(text.trim());
      if (shot) takeShot(shot[1]);
      else if (result) reportResult({ passes: Number(result[1]), failures: Number(result[2]) });
      else if (WORKBENCH_CHATTER.some((re) => re.test(text))) return;
      else if (type === "error") process.stderr.write(`${text}\n`);
      else process.stdout.write(`${text}\n`);
    });
    await page.exposeFunction("codeAutomationExit", (code) => reportExit(Number(code)));
    const pageCrashed = new Promise((r) => page.once("crash", () => r("the workbench page crashed")));
    const browserClosed = new Promise((r) => context.once("close", () => r("Chromium closed")));

    const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
    const payload = [["extensionDevelopmentPath", remote(opts.extension)], ["extensionTestsPath", remote(opts.tests)]];
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);

    const limit = delay(opts.timeoutMs, `no result within ${opts.timeoutMs / 1000} s`);
    const outcome = await Promise.race([suiteExit, serverExited, hostExited, pageCrashed, browserClosed, limit]);
    await shots;
    if (typeof outcome === "number") {
      // The result line travels before the exit code; a moment's grace in case the two arrive out of order.
      const result = await Promise.race([suiteResult, delay(2000)]);
      if (!result) return broken(`the workbench reported exit code ${outcome}, but the suite never finished (did the extension host die? see ${relative(root, logs)}/)`);
      const passed = outcome === 0 && result.failures === 0;
      console.log(`=== ${group}: ${passed ? "passed" : "FAILED"} (${result.passes} passed, ${result.failures} failed, exit code ${outcome}) in ${elapsed(started)} ===`);
      return passed ? EXIT.passed : EXIT.failed;
    }
    if (interrupted) return EXIT.broken;
    const picture = join(results, `extension-host-${group}-broken.png`);
    await page.screenshot({ path: picture, timeout: 10_000 }).catch(() => undefined);
    return broken(`${outcome} (picture: ${relative(root, picture)}, logs: ${relative(root, logs)}/)`);
  } catch (e) {
    return broken(e instanceof Error ? e.stack ?? e.message : String(e));
  } finally {
    await end();
    endCurrentGroup = undefined;
  }
}

async function main() {
  let opts;
  let entry;
  try {
    opts = options();
    if (!existsSync(opts.tests)) throw new Error(`${relative(root, opts.tests)} is missing: run node test/extension/build.mjs first`);
    const { main: extensionMain } = JSON.parse(readFileSync(join(opts.extension, "package.json"), "utf8"));
    if (extensionMain && !existsSync(resolve(opts.extension, extensionMain))) {
      throw new Error(`the extension's main ${extensionMain} is missing: build the extension first (npm run build)`);
    }
    entry = ensureCodeServer();
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    return EXIT.broken;
  }
  mkdirSync(results, { recursive: true });
  let worst = EXIT.passed;
  const groups = opts.group === "all" ? groupsWithTests(opts.tests) : [opts.group];
  if (groups.length === 0) {
    console.error(`no *.test.js files beside ${relative(root, opts.tests)}`);
    return EXIT.broken;
  }
  for (const group of groups) {
    if (interrupted) break;
    worst = Math.max(worst, await runGroup(group, opts, entry));
  }
  return worst;
}

process.exitCode = await main();

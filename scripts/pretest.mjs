// Before `npm test`: the system packages the browser and extension-host tests need. On Debian (and Ubuntu), as root or
// with sudo, .ci/apt-deps installs whichever are missing; elsewhere this says what to install and lets the tests run
// (the unit tests need nothing but Node).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const hasDpkg = spawnSync("dpkg-query", ["--version"], { stdio: "ignore" }).status === 0;
if (hasDpkg) {
  const r = spawnSync("bash", [".ci/apt-deps"], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) {
    console.error("pretest: .ci/apt-deps could not install the Debian packages the browser and extension tests need (see above).");
    process.exit(r.status ?? 1);
  }
} else {
  console.log(
    "pretest: not a Debian system, so nothing is installed for you. The browser and extension-host tests need Chromium " +
      "(set CHROMIUM_PATH if it is not /usr/bin/chromium), a C++ toolchain with make and Kerberos headers (code-server's native modules), " +
      "ripgrep, and fonts; the unit tests need only Node 20+.",
  );
}

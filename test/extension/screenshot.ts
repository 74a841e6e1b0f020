/**
 * Asks the runner for a picture of the whole workbench (webviews included) and waits until it is on disk.
 * The protocol is described at the top of runOffline.mjs: log a request line, then poll for the runner's answer file.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import * as path from "node:path";

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Saves test-results/<name>.png and resolves with its path once written; resolves with undefined when the runner takes
 * no screenshots (runElectron.mjs). Give the workbench time to paint what the test expects to see before calling it.
 */
export async function screenshot(name: string, timeoutMs = 30_000): Promise<string | undefined> {
  if (!NAME.test(name)) throw new Error(`screenshot name ${JSON.stringify(name)}: use letters, digits, '.', '_' and '-'`);
  const answers = process.env.GRADLENS_SCREENSHOT_DIR;
  if (!answers) return undefined;
  const answer = path.join(answers, name);
  rmSync(answer, { force: true }); // an answer left from an earlier shot of the same name
  console.log(`GRADLENS_SCREENSHOT ${name}`);
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(answer)) {
    if (Date.now() > deadline) throw new Error(`the runner did not take screenshot ${name} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const [status, ...rest] = readFileSync(answer, "utf8").split(" ");
  if (status !== "ok") throw new Error(`screenshot ${name} failed: ${rest.join(" ")}`);
  return rest.join(" ");
}

// What both runners give each test group: which groups have tests, and a fresh profile (user data, extensions,
// settings) and workspace in a temp folder, so that no run sees what an earlier one left.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";

/** User settings of the fresh profile: nothing pops up over the workbench, nothing is fetched. In the untrusted group,
 * startupPrompt=never keeps the "Do you trust the authors" dialog from waiting for a click: the folder simply opens
 * in Restricted Mode, as nothing was ever trusted in this profile. */
export const USER_SETTINGS = {
  "security.workspace.trust.startupPrompt": "never",
  "security.workspace.trust.untrustedFiles": "open",
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "git.enabled": false,
};

export const GROUPS = ["trusted", "untrusted"];

/** The groups that have compiled test files beside the suite's index.js (the naming rule of index.ts: a file whose
 * name starts with `untrusted` belongs to the untrusted group). */
export function groupsWithTests(testsIndex) {
  const files = readdirSync(resolve(testsIndex, ".."), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".test.js"));
  return GROUPS.filter((g) => files.some((f) => basename(f).startsWith("untrusted") === (g === "untrusted")));
}

/**
 * A temp folder holding user-data/ (with the settings above), extensions/, browser-profile/, screenshot-answers/ and,
 * unless `workspace` is given, workspace/: a copy of the repo's examples/ (tests may write into it), or empty.
 */
export function makeProfile(repoRoot, group, workspace) {
  const temp = mkdtempSync(join(tmpdir(), `gradlens-ext-${group}-`));
  const dir = (...parts) => {
    const p = join(temp, ...parts);
    mkdirSync(p, { recursive: true });
    return p;
  };
  const profile = {
    temp,
    userData: dir("user-data"),
    extensions: dir("extensions"),
    browserProfile: dir("browser-profile"),
    screenshotAnswers: dir("screenshot-answers"),
    workspace,
  };
  writeFileSync(join(dir("user-data", "User"), "settings.json"), JSON.stringify(USER_SETTINGS, null, 2) + "\n");
  if (!profile.workspace) {
    profile.workspace = dir("workspace");
    const examples = join(repoRoot, "examples");
    if (existsSync(examples)) cpSync(examples, profile.workspace, { recursive: true });
  }
  return profile;
}

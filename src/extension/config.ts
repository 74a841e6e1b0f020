/** The `gradlens.*` settings, read fresh on each use so that changes apply at once. */
import * as vscode from "vscode";
import { DEFAULT_LIMITS, LIMIT_RANGES, type RunLimits } from "../runner/limits";
import { DEFAULT_THRESHOLDS, type FindingThresholds } from "../runner/trace";

export type LiveModeSetting = "gradFiles" | "always" | "off";

export interface RunSettings extends RunLimits {
  check: { enabled: boolean; eps: number; atol: number; rtol: number };
  thresholds: FindingThresholds;
}

/** The default pause after the last edit before a live re-run. */
export const LIVE_DELAY_MS = 200;

/** A setting's value, brought into its range: a user can type anything into settings.json. */
function limit(c: vscode.WorkspaceConfiguration, key: string, name: keyof RunLimits): number {
  const value = c.get<number>(key, DEFAULT_LIMITS[name]);
  const range = LIMIT_RANGES[name];
  if (typeof value !== "number" || Number.isNaN(value)) return DEFAULT_LIMITS[name];
  const clamped = Math.min(Math.max(value, range.min), range.max());
  return range.integer ? Math.round(clamped) : clamped;
}

export function runSettings(): RunSettings {
  const c = vscode.workspace.getConfiguration("gradlens");
  const enabled = c.get("check.enabled", true);
  return {
    timeoutMs: limit(c, "timeLimitMs", "timeoutMs"),
    memoryMb: limit(c, "memoryLimitMb", "memoryMb"),
    checkBudgetMs: enabled ? limit(c, "check.timeBudgetMs", "checkBudgetMs") : 0,
    consoleLines: limit(c, "console.maxLines", "consoleLines"),
    consoleBytes: limit(c, "console.maxBytes", "consoleBytes"),
    check: {
      enabled,
      eps: c.get("check.eps", 1e-6),
      atol: c.get("check.atol", 1e-5),
      rtol: c.get("check.rtol", 1e-3),
    },
    thresholds: {
      vanishingRatio: c.get("findings.vanishingRatio", DEFAULT_THRESHOLDS.vanishingRatio),
      explodingRatio: c.get("findings.explodingRatio", DEFAULT_THRESHOLDS.explodingRatio),
      deadReluFraction: c.get("findings.deadReluFraction", DEFAULT_THRESHOLDS.deadReluFraction),
      saturationFraction: c.get("findings.saturationFraction", DEFAULT_THRESHOLDS.saturationFraction),
      divergenceFactor: c.get("findings.divergenceFactor", DEFAULT_THRESHOLDS.divergenceFactor),
    },
  };
}

/** Whether Run File opens the panel beside the editor. */
export function openPanelOnRun(): boolean {
  return vscode.workspace.getConfiguration("gradlens").get<string>("panel.openOnRun", "always") !== "never";
}

export function liveModeSetting(): LiveModeSetting {
  return vscode.workspace.getConfiguration("gradlens").get<LiveModeSetting>("liveMode", "gradFiles");
}

export function liveDelayMs(): number {
  const value = vscode.workspace.getConfiguration("gradlens").get("liveDelayMs", LIVE_DELAY_MS);
  return typeof value === "number" && value >= 0 ? value : LIVE_DELAY_MS;
}

export function inlineValuesEnabled(): boolean {
  return vscode.workspace.getConfiguration("gradlens").get("inlineValues", true);
}

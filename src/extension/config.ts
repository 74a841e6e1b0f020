/** The `gradlens.*` settings, read fresh on each use so that changes apply at once. */
import * as vscode from "vscode";
import { DEFAULT_THRESHOLDS, type FindingThresholds } from "../runner/trace";

export type LiveModeSetting = "gradFiles" | "always" | "off";

export interface RunSettings {
  timeoutMs: number;
  memoryMb: number;
  check: { enabled: boolean; budgetMs: number; eps: number; atol: number; rtol: number };
  thresholds: FindingThresholds;
}

export function runSettings(): RunSettings {
  const c = vscode.workspace.getConfiguration("gradlens");
  return {
    timeoutMs: c.get("timeLimitMs", 10_000),
    memoryMb: c.get("memoryLimitMb", 512),
    check: {
      enabled: c.get("check.enabled", true),
      budgetMs: c.get("check.timeBudgetMs", 2000),
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
  return vscode.workspace.getConfiguration("gradlens").get("liveDelayMs", 400);
}

export function inlineValuesEnabled(): boolean {
  return vscode.workspace.getConfiguration("gradlens").get("inlineValues", true);
}

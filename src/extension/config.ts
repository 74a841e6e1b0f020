/** The `gradlens.*` settings, read fresh on each use so that changes apply at once. */
import * as vscode from "vscode";

export type LiveModeSetting = "gradFiles" | "always" | "off";

export interface RunSettings {
  timeoutMs: number;
  memoryMb: number;
  check: { enabled: boolean; budgetMs: number; eps: number; atol: number; rtol: number };
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
  };
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

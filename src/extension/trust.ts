/** Snippets are code: Gradlens runs them only in trusted workspaces (VS Code's Workspace Trust). */
import * as vscode from "vscode";

/** True when running is allowed; otherwise explains why nothing runs, once per call. */
export async function ensureTrusted(): Promise<boolean> {
  if (vscode.workspace.isTrusted) return true;
  const manage = "Manage Workspace Trust";
  const choice = await vscode.window.showWarningMessage(
    "Gradlens runs nothing in Restricted Mode: a snippet is code, and this workspace is not trusted. Trust the workspace to run snippets.",
    manage,
  );
  if (choice === manage) await vscode.commands.executeCommand("workbench.trust.manage");
  return false;
}

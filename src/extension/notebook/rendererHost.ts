/**
 * The extension's side of the notebook renderer: the "Open in Gradlens panel" button, and the renderer's word that it
 * painted a cell's graph (the extension tests wait for it).
 */
import * as vscode from "vscode";
import type { RendererMessage } from "../../../webview/notebookRenderer";
import type { Trace } from "../../runner/trace";

export const RENDERER_ID = "gradlens.cell-renderer";

export interface RendererPainted {
  startedAt: string;
  file: string;
  boxes: number;
}

export class RendererHost implements vscode.Disposable {
  private readonly messaging = vscode.notebooks.createRendererMessaging(RENDERER_ID);
  private readonly painted = new vscode.EventEmitter<RendererPainted>();
  /** Fires when the renderer has drawn a cell's graph. */
  readonly onDidPaint = this.painted.event;
  private readonly subscription: vscode.Disposable;

  constructor(openPanel: (trace: Trace, editor: vscode.NotebookEditor) => void) {
    this.subscription = this.messaging.onDidReceiveMessage(({ editor, message }) => {
      const m = message as RendererMessage;
      if (m?.type === "openPanel" && m.trace) openPanel(m.trace, editor);
      else if (m?.type === "painted") this.painted.fire({ startedAt: m.startedAt, file: m.file, boxes: m.boxes });
    });
  }

  dispose(): void {
    this.subscription.dispose();
    this.painted.dispose();
  }
}

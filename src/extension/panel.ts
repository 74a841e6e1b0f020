/**
 * The Gradlens panel: one webview beside the editor that shows the latest Trace (graph, tensors, checks, loss chart).
 * It owns its WebviewPanel and disposables; clicks in it reveal source lines, the cursor in the editor highlights
 * that line's tensors in it, and it comes back after a reload through its serializer.
 */
import * as vscode from "vscode";
import type { HostToWebview, WebviewToHost } from "../../webview/protocol";
import type { RunResult, SnippetRunner } from "./runner";

const VIEW_TYPE = "gradlens.panel";

/** What the webview reported it painted. */
export interface PanelShown {
  startedAt: string;
  boxes: number;
}

/** A big tensor's values the webview asked for, received and painted: how many, and the sum of the finite ones. */
export interface PanelValuesShown {
  startedAt: string;
  id: number;
  count: number;
  sum: number;
}

interface PanelState {
  /** The document whose Trace the panel shows. */
  uri?: string;
}

export class GradlensPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private documentUri: vscode.Uri | undefined;
  private ready = false;
  private queued: HostToWebview[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  /** The run the webview shows (or is about to). */
  private posted: RunResult | null = null;
  private readonly shown = new vscode.EventEmitter<PanelShown>();
  /** Fires when the webview has painted a Trace: the run it belongs to, and how many graph boxes it drew. */
  readonly onDidShow = this.shown.event;
  private readonly valuesShown = new vscode.EventEmitter<PanelValuesShown>();
  /** Fires when the webview has received and painted the values of a tensor too big for the Trace. */
  readonly onDidShowValues = this.valuesShown.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly runner: SnippetRunner,
  ) {
    this.disposables.push(
      this.shown,
      this.valuesShown,
      runner.onDidRun((r) => this.panel && this.show(r, false)),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (this.panel && this.documentUri && e.textEditor.document.uri.toString() === this.documentUri.toString()) {
          this.post({ type: "highlightLine", line: e.selections[0].active.line + 1 });
        }
      }),
      vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state: PanelState | undefined) => {
          this.adopt(panel);
          const uri = state?.uri ? vscode.Uri.parse(state.uri) : undefined;
          const result = uri ? runner.lastResult(uri) : undefined;
          if (result) this.show(result, false);
          else this.documentUri = uri;
        },
      }),
    );
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  /** Opens (or reveals) the panel beside the editor with a run's Trace. */
  show(result: RunResult | undefined, reveal = true, line?: number): void {
    if (!this.panel) this.adopt(vscode.window.createWebviewPanel(VIEW_TYPE, "Gradlens", { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, this.options()));
    else if (reveal) this.panel.reveal(undefined, true);
    if (result) {
      this.documentUri = result.uri;
      this.posted = result;
      this.post({ type: "trace", trace: result.trace });
    }
    if (line !== undefined) this.post({ type: "highlightLine", line });
  }

  private options(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, "dist"), vscode.Uri.joinPath(this.extensionUri, "media")],
    };
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    this.ready = false;
    panel.webview.options = this.options();
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, "media", "icon.png");
    panel.webview.html = this.html(panel.webview);
    panel.webview.onDidReceiveMessage((m: WebviewToHost) => this.receive(m), undefined, this.disposables);
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.ready = false;
    }, undefined, this.disposables);
  }

  private receive(message: WebviewToHost): void {
    switch (message.type) {
      case "ready":
        this.ready = true;
        for (const m of this.queued.splice(0)) void this.panel?.webview.postMessage(m);
        // A webview made again (after being hidden or a reload) asks for what it showed.
        if (!this.posted && this.documentUri) {
          const r = this.runner.lastResult(this.documentUri);
          if (r) this.show(r, false);
        } else if (this.posted) void this.panel?.webview.postMessage({ type: "trace", trace: this.posted.trace } satisfies HostToWebview);
        break;
      case "openLine":
        void this.revealLine(message.line);
        break;
      case "fetchTensor": {
        const values = this.posted?.trace.startedAt === message.startedAt ? this.posted.valuesOnDemand.get(message.id) : undefined;
        this.post({ type: "tensorValues", startedAt: message.startedAt, id: message.id, values: values ?? null });
        break;
      }
      case "shown":
        this.shown.fire({ startedAt: message.startedAt, boxes: message.boxes });
        break;
      case "valuesShown":
        this.valuesShown.fire({ startedAt: message.startedAt, id: message.id, count: message.count, sum: message.sum });
        break;
    }
  }

  private async revealLine(line: number): Promise<void> {
    if (!this.documentUri) return;
    const document = await vscode.workspace.openTextDocument(this.documentUri);
    const visible = vscode.window.visibleTextEditors.find((e) => e.document === document);
    const position = new vscode.Position(Math.max(line - 1, 0), 0);
    const editor = await vscode.window.showTextDocument(document, { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One, selection: new vscode.Range(position, position) });
    editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private post(message: HostToWebview): void {
    if (!this.panel) return;
    if (message.type === "trace") this.queued = this.queued.filter((m) => m.type !== "trace");
    if (this.ready) void this.panel.webview.postMessage(message);
    else this.queued.push(message);
  }

  private html(webview: vscode.Webview): string {
    const nonce = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, "dist", "webview.js"));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, "dist", "webview.css"));
    const csp = [
      "default-src 'none'",
      `img-src ${webview.cspSource} data:`,
      `style-src ${webview.cspSource} 'nonce-${nonce}'`,
      `script-src 'nonce-${nonce}'`,
      `font-src ${webview.cspSource}`,
    ].join("; ");
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}" nonce="${nonce}">
<title>Gradlens</title>
</head>
<body data-host="vscode">
<div id="app"></div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

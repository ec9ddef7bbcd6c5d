/**
 * One VM Identity webview panel: strict CSP, scripts only from dist/webview, typed messages both ways.
 * Page-specific behaviour (token inspector, Diagnose report) lives in the callers; this owns the panel.
 */
import * as vscode from 'vscode';
import { newNonce, renderPageHtml } from './html';
import { type HostMessage, type PageMessage, type PageState, parsePageMessage } from './protocol';

export interface WebviewPageOptions {
  /** The extension's root (`context.extensionUri`): the bundle is read from dist/webview under it. */
  extensionUri: vscode.Uri;
  viewType: string;
  title: string;
  state: PageState;
  onMessage: (message: PageMessage, page: WebviewPage) => Promise<void> | void;
  /** Shown when a message handler fails; by default an error notification. */
  onError?: (error: unknown, message: PageMessage) => void;
}

export class WebviewPage implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private state: PageState;
  private disposed = false;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly options: WebviewPageOptions,
  ) {
    this.state = options.state;
    this.render();
    this.disposables.push(
      panel.webview.onDidReceiveMessage((data: unknown) => void this.receive(data)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  get currentState(): PageState {
    return this.state;
  }

  /** Replace what the page shows; the page keeps it with `setState`, so hiding and showing it keeps the latest. */
  update(state: PageState): void {
    this.state = state;
    void this.post({ type: 'state', state });
  }

  notice(text: string): void {
    void this.post({ type: 'notice', text });
  }

  reveal(): void {
    this.panel.reveal();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }

  private render(): void {
    const { webview } = this.panel;
    const root = vscode.Uri.joinPath(this.options.extensionUri, 'dist', 'webview');
    this.panel.webview.html = renderPageHtml({
      title: this.options.title,
      cspSource: webview.cspSource,
      nonce: newNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'main.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'main.css')).toString(),
      state: this.state,
    });
  }

  private async post(message: HostMessage): Promise<void> {
    if (this.disposed) return;
    await this.panel.webview.postMessage(message);
  }

  private async receive(data: unknown): Promise<void> {
    const message = parsePageMessage(data);
    if (!message) return; // not one of ours: ignore rather than act on it
    try {
      await this.options.onMessage(message, this);
    } catch (error) {
      if (this.options.onError) this.options.onError(error, message);
      else void vscode.window.showErrorMessage(error instanceof Error ? error.message : String(error));
    }
  }
}

/** Opens a panel whose scripts may load only from dist/webview and whose links cannot run commands. */
export function openWebviewPage(options: WebviewPageOptions): WebviewPage {
  const panel = vscode.window.createWebviewPanel(
    options.viewType,
    options.title,
    { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
    {
      enableScripts: true,
      enableCommandUris: false,
      enableFindWidget: true,
      localResourceRoots: [vscode.Uri.joinPath(options.extensionUri, 'dist', 'webview')],
    },
  );
  panel.iconPath = vscode.Uri.joinPath(options.extensionUri, 'media', 'vm-identity.svg');
  return new WebviewPage(panel, options);
}

/** Opens https links from a page in the browser; anything else was already refused by parsePageMessage. */
export async function openExternalLink(url: string): Promise<void> {
  await vscode.env.openExternal(vscode.Uri.parse(url, true));
}

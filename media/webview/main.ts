/**
 * The page script of every VM Identity webview (bundled by esbuild for the browser, iife). It renders the
 * state the host baked into the page and posts typed requests back; it never holds a token.
 */
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-table/index.js';
import '@vscode-elements/elements/dist/vscode-table-body/index.js';
import '@vscode-elements/elements/dist/vscode-table-row/index.js';
import '@vscode-elements/elements/dist/vscode-table-cell/index.js';
import '@vscode-elements/elements/dist/vscode-table-header/index.js';
import '@vscode-elements/elements/dist/vscode-table-header-cell/index.js';
import type { HostMessage, PageMessage, PageState } from '../../src/ui/webviews/protocol';
import { renderDiagnose } from './diagnose';
import { renderToken } from './token';

interface VsCodeApi {
  postMessage(message: PageMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;

function initialState(): PageState {
  // After "Run again" the host posts a newer state than the one in the HTML; setState kept it.
  const kept = vscode.getState() as PageState | undefined;
  if (kept && typeof kept === 'object' && 'page' in kept) return kept;
  return JSON.parse(document.getElementById('vmi-state')!.textContent ?? '{}') as PageState;
}

function render(state: PageState): void {
  vscode.setState(state);
  const focusedId = (document.activeElement as HTMLElement | null)?.id;
  const send = (m: PageMessage) => vscode.postMessage(m);
  app.replaceChildren(
    state.page === 'token' ? renderToken(state.token, send) : renderDiagnose(state.report, state.running, send),
  );
  // Re-rendering must not throw keyboard users back to the top of the page.
  if (focusedId) document.getElementById(focusedId)?.focus();
}

function showNotice(text: string): void {
  const region = document.getElementById('notice');
  if (region) region.textContent = text;
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  const message = event.data;
  if (message?.type === 'state') render(message.state);
  else if (message?.type === 'notice') showNotice(message.text);
});

render(initialState());

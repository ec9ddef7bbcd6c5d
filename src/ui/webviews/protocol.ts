/**
 * What the extension host and the webview pages say to each other. Shared by both sides (the page bundle
 * imports only types from here, plus the guard below). No vscode import: unit tests and the browser bundle use it.
 * Nothing here may carry an access token: the page gets a decoded view without the signature, and "Copy token"
 * is a request the host answers by itself.
 */
import type { TokenView } from '../../core/jwtInspect';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

/** The Diagnose report as the panel shows it (the same shape as `vm-identity doctor --json`). */
export interface DiagnoseReportView {
  ok: boolean;
  host: string;
  checks: DiagnoseCheckView[];
}

export interface DiagnoseCheckView {
  id: string;
  title: string;
  status: CheckStatus;
  evidence: string;
  fix?: string;
  link?: string;
}

/** A token, or the Entra error that refused it (AADSTS code → cause → fix). */
export type TokenInspectorState =
  | { kind: 'token'; resource: string; view: TokenView }
  | { kind: 'error'; resource: string; message: string; code?: string; fix?: string; link?: string };

export type PageState =
  { page: 'token'; token: TokenInspectorState } | { page: 'diagnose'; report: DiagnoseReportView; running: boolean };

export type HostMessage = { type: 'state'; state: PageState } | { type: 'notice'; text: string };

export type PageMessage =
  | { type: 'copyToken' }
  | { type: 'copyClaims' }
  | { type: 'copyMarkdown' }
  | { type: 'runAgain' }
  | { type: 'openLink'; url: string };

const SIMPLE_PAGE_MESSAGES = new Set(['copyToken', 'copyClaims', 'copyMarkdown', 'runAgain']);

/** The page is sandboxed but still untrusted input to the host: accept only these exact shapes. */
export function parsePageMessage(data: unknown): PageMessage | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { type, url } = data as { type?: unknown; url?: unknown };
  if (typeof type !== 'string') return undefined;
  if (SIMPLE_PAGE_MESSAGES.has(type)) return { type } as PageMessage;
  if (type === 'openLink' && typeof url === 'string' && isHttpsUrl(url)) return { type, url };
  return undefined;
}

/** Links in a report open in the browser only when they are plain https URLs. */
function isHttpsUrl(url: string): boolean {
  if (url.length > 2048) return false;
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

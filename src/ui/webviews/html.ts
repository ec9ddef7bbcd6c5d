/**
 * The HTML shell of every VM Identity webview: a strict Content Security Policy, one nonce'd script (the
 * esbuild browser bundle), one stylesheet, and the page state as inert JSON. No vscode import, so unit tests
 * render it directly. Policy per VS Code "Webview API → Security" (code.visualstudio.com/api/extension-guides/webview#content-security-policy).
 */
import { randomBytes } from 'node:crypto';
import * as l10n from '@vscode/l10n';
import type { PageState } from './protocol';

export interface PageHtmlInput {
  title: string;
  /** `webview.cspSource`: the only origin styles and fonts may come from. */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  state: PageState;
}

/** 192 random bits; base64 is allowed in a CSP nonce-source (CSP3 §2.3.1 base64-value). */
export function newNonce(): string {
  return randomBytes(24).toString('base64');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `img-src ${cspSource}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

export function renderPageHtml(input: PageHtmlInput): string {
  const { nonce } = input;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(contentSecurityPolicy(input.cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(input.title)}</title>
<link rel="stylesheet" href="${escapeHtml(input.styleUri)}" nonce="${escapeHtml(nonce)}">
</head>
<body>
<main id="app" aria-live="polite"><p>${escapeHtml(l10n.t('Loading…'))}</p></main>
<script type="application/json" id="vmi-state" nonce="${escapeHtml(nonce)}">${jsonForScript(input.state)}</script>
<script src="${escapeHtml(input.scriptUri)}" nonce="${escapeHtml(nonce)}"></script>
</body>
</html>`;
}

/** JSON that cannot end its <script> element or open a comment inside it (HTML §4.12.1.3 restrictions). */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** For values inside double-quoted attributes: the CSP's single quotes stay readable. */
function escapeAttribute(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

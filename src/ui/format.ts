/** Small display helpers shared by the tree and the status bar. */
import * as vscode from 'vscode';
import type { IdentityType } from '../identity';

export const IMDS_CACHE_DOCS =
  'https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/managed-identities-faq#are-managed-identities-tokens-cached';

/** What the identity is, in words; a Cloud Shell user is not a managed identity, and says so. */
export function identityTypeLabel(type: IdentityType): string {
  switch (type) {
    case 'SystemAssigned':
      return vscode.l10n.t('system-assigned');
    case 'UserAssigned':
      return vscode.l10n.t('user-assigned');
    case 'User':
      return vscode.l10n.t('Cloud Shell user — not a managed identity');
    case 'WorkloadIdentity':
      return vscode.l10n.t('workload identity (federated, Entra app)');
  }
}

/** When a token was issued (`iat`), and how long ago. */
export function formatIssued(epochMs: number, now = Date.now()): string {
  const minutes = Math.max(0, Math.round((now - epochMs) / 60_000));
  const when = new Date(epochMs).toLocaleString();
  return minutes < 120
    ? vscode.l10n.t('{0} ({1} min ago)', when, minutes)
    : vscode.l10n.t('{0} ({1} h ago)', when, Math.round(minutes / 60));
}
export function shortId(id: string): string {
  return id.length > 13 ? `${id.slice(0, 8)}…` : id;
}

export function formatExpiry(epochMs: number, now = Date.now()): string {
  const minutes = Math.round((epochMs - now) / 60_000);
  const when = new Date(epochMs).toLocaleString();
  if (minutes <= 0) return vscode.l10n.t('{0} (expired)', when);
  if (minutes < 120) return vscode.l10n.t('{0} (in {1} min)', when, minutes);
  return vscode.l10n.t('{0} (in {1} h)', when, Math.round(minutes / 60));
}

/** Escapes Markdown, for names and descriptions that come from Azure and go into a MarkdownString. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, '\\$&');
}

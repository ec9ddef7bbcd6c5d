/**
 * The token inspector: what a token says (audience, who, when, roles), never the token. The raw token stays
 * in the extension host; "Copy token" asks the host, which copies behind its modal warning.
 */
import * as vscode from 'vscode';
import { type WebviewPage, openExternalLink, openWebviewPage } from './panel';
import type { TokenInspectorState } from './protocol';

export interface TokenInspectorDeps {
  extensionUri: vscode.Uri;
  /** Host side of "Copy token": show the modal warning, then copy. Never gives the token to the page. */
  copyToken: (resource: string) => Promise<void>;
  onError?: (error: unknown) => void;
}

const TOKEN_INSPECTOR_VIEW_TYPE = 'vmIdentity.tokenInspector';

export function openTokenInspector(deps: TokenInspectorDeps, state: TokenInspectorState): WebviewPage {
  return openWebviewPage({
    extensionUri: deps.extensionUri,
    viewType: TOKEN_INSPECTOR_VIEW_TYPE,
    title: vscode.l10n.t('Token: {0}', shortResource(state.resource)),
    state: { page: 'token', token: state },
    onError: deps.onError && ((e) => deps.onError!(e)),
    onMessage: async (message, page) => {
      const current = page.currentState;
      if (current.page !== 'token') return;
      const token = current.token;
      switch (message.type) {
        case 'copyToken':
          if (token.kind === 'token') await deps.copyToken(token.resource);
          return;
        case 'copyClaims':
          if (token.kind !== 'token') return;
          await vscode.env.clipboard.writeText(claimsJson(token.view.claims));
          page.notice(vscode.l10n.t('Claims copied as JSON.'));
          return;
        case 'openLink':
          return openExternalLink(message.url);
        default:
          return;
      }
    },
  });
}

/** The payload claims only: the header's key ID and the signature are not claims and are not copied. */
function claimsJson(claims: Record<string, unknown>): string {
  return JSON.stringify(claims, null, 2);
}

function shortResource(resource: string): string {
  try {
    return new URL(resource).host || resource;
  } catch {
    return resource;
  }
}

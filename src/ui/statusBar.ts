/** The status bar indicator: a small class owning its item and its subscription to the session. */
import * as vscode from 'vscode';
import { valueOf } from '../azure';
import type { Session, SessionState } from '../session/session';
import { escapeMarkdown as escape, formatExpiry, formatIssued, identityTypeLabel, shortId } from './format';

const STATUS_ITEM_ID = 'vmIdentity.status';

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly subscription: { dispose(): void };

  constructor(session: Session) {
    this.item = vscode.window.createStatusBarItem(STATUS_ITEM_ID, vscode.StatusBarAlignment.Left, 50);
    this.item.name = vscode.l10n.t('VM Identity');
    this.subscription = session.onDidChange((s) => this.render(s));
    this.render(session.state);
    this.item.show();
  }

  private render(state: SessionState): void {
    const item = this.item;
    item.backgroundColor = undefined;
    switch (state.status) {
      case 'signedOut':
        item.text = vscode.l10n.t('$(account) VM identity: signed out');
        item.tooltip = vscode.l10n.t("Click to sign in with the VM's managed identity");
        item.command = 'vmIdentity.signIn';
        break;
      case 'signingIn':
        item.text = vscode.l10n.t('$(loading~spin) VM identity: signing in…');
        item.tooltip = vscode.l10n.t('Asking the identity endpoint for a token');
        item.command = 'workbench.view.extension.vmIdentity';
        break;
      case 'signedIn': {
        const s = state.snapshot;
        const name = valueOf(s.displayName);
        const vm = valueOf(s.vm);
        const who = name ?? shortId(s.identity.principalId);
        item.text = s.identity.identityType === 'User' ? `$(person) ${who}` : `$(pass-filled) ${who}`;
        const md = new vscode.MarkdownString(undefined, true);
        const type = s.identity.identityType;
        const heading =
          type === 'User' || type === 'WorkloadIdentity'
            ? vscode.l10n.t('Signed in as the {0}', identityTypeLabel(type))
            : vscode.l10n.t("Signed in as the VM's {0} identity", identityTypeLabel(type));
        md.appendMarkdown(`**${escape(heading)}**\n\n`);
        if (name) md.appendMarkdown(`${vscode.l10n.t('Name: {0}', escape(name))}  \n`);
        md.appendMarkdown(`${vscode.l10n.t('Principal ID: {0}', `\`${s.identity.principalId}\``)}  \n`);
        if (vm) md.appendMarkdown(`${vscode.l10n.t('VM: {0} ({1})', escape(vm.name), escape(vm.resourceGroup))}  \n`);
        if (s.identity.token.issuedAt !== undefined)
          md.appendMarkdown(`${vscode.l10n.t('Token issued: {0}', formatIssued(s.identity.token.issuedAt))}  \n`);
        md.appendMarkdown(vscode.l10n.t('Token expires: {0}', formatExpiry(s.identity.token.expiresOn)));
        item.tooltip = md;
        item.command = 'workbench.view.extension.vmIdentity';
        break;
      }
      case 'unavailable':
      case 'error':
        item.text = vscode.l10n.t(
          '$(error) VM identity: {0}',
          state.status === 'unavailable' ? vscode.l10n.t('no identity endpoint') : short(state.error.title),
        );
        item.tooltip = `${state.error.message}\n\n${state.error.fix}`;
        item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        item.command = 'workbench.view.extension.vmIdentity';
        break;
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}

/** The error's title, cut to the room a status bar item has. */
function short(title: string): string {
  return title.length > 40 ? `${title.slice(0, 39)}…` : title;
}

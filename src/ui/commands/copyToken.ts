/** Copy an access token: only behind the modal warning, and the token goes to the clipboard, nowhere else. */
import * as vscode from 'vscode';
import type { Logger } from '../../core/log';
import type { Session } from '../../session/session';

export async function copyTokenWithWarning(session: Session, log: Logger, resource: string): Promise<void> {
  const copy = vscode.l10n.t('Copy token');
  const ok = await vscode.window.showWarningMessage(
    vscode.l10n.t(
      'Copy an access token for {0} to the clipboard? Anyone holding it can act as this identity until it expires.',
      resource,
    ),
    { modal: true },
    copy,
  );
  if (ok !== copy) return;
  const issued = await session.accessToken(resource);
  await vscode.env.clipboard.writeText(issued);
  log.info("access token copied to the clipboard at the user's request");
  void vscode.window.showInformationMessage(vscode.l10n.t('Access token copied. Treat it like a password.'));
}

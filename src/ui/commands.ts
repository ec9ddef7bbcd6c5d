/** Every command, registered in one place; each handler runs inside the error boundary. */
import * as vscode from 'vscode';
import { type Snapshot, valueOf } from '../azure';
import { usageError } from '../core/errors';
import type { Logger } from '../core/log';
import { type IdentitySelector, SYSTEM_ASSIGNED, SelectorError, selectorFrom } from '../identity';
import type { Session, SessionState } from '../session/session';
import { copyTokenWithWarning } from './commands/copyToken';
import { type ErrorContext, guarded, showError } from './errors';
import { checkAccessCommand } from './commands/checkAccess';
import { registerVerdictDocuments } from './commands/verdictDocument';
import { IMDS_CACHE_DOCS } from './format';
import { saveIdentity } from './settings';
import { type Node, VIEW_ID } from './tree';

export interface CommandDeps {
  session: Session;
  /** The redacting logger: commands never see the raw output channel. */
  log: Logger;
  /** Reveals the log (the output channel) to the user. */
  showLog: () => void;
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const { session, log, showLog } = deps;
  const snapshot = () => (session.state.status === 'signedIn' ? session.state.snapshot : undefined);
  const ctx: ErrorContext = { log };
  const register = <A extends unknown[]>(id: string, handler: (...args: A) => unknown) =>
    vscode.commands.registerCommand(id, guarded(id, ctx, handler));

  const withViewProgress = (work: Promise<SessionState>) => {
    void vscode.window.withProgress({ location: { viewId: VIEW_ID } }, () => work);
    return work;
  };
  const reportOutcome = async (state: SessionState) => {
    // The notification is not awaited: the command completes while the message waits for the user.
    if (state.status === 'error' || state.status === 'unavailable') void showError(state.error, ctx, true);
    else if (state.status === 'signedIn') {
      const { roles, stats } = state.snapshot;
      switch (roles.status) {
        case 'failed':
          log.warn(`signed in; role assignments not readable: ${roles.error.message}`);
          break;
        case 'ok':
        case 'skipped':
          log.info(
            `signed in: ${valueOf(roles)?.assignments.length ?? 0} role assignments in ${stats.subscriptions} subscriptions (${stats.rolePages} pages, ` +
              `${stats.roleDefinitionLookups} role definitions read) in ${stats.ms} ms${valueOf(roles)?.partial ? '; partial view' : ''}`,
          );
          break;
      }
    }
  };

  return [
    register('vmIdentity.signIn', async () => {
      log.info('sign in requested');
      await reportOutcome(await withViewProgress(session.signIn()));
    }),
    register('vmIdentity.refresh', async () => {
      if (session.state.status === 'signedOut') return reportOutcome(await withViewProgress(session.signIn()));
      const state = await withViewProgress(session.refresh());
      await reportOutcome(state);
      if (state.status === 'signedIn' && state.snapshot.sameTokenAfterRefresh) void explainCachedToken(log);
    }),
    register('vmIdentity.signOut', () => {
      session.signOut();
      log.info('signed out; tokens forgotten');
    }),
    register('vmIdentity.selectIdentity', async () => {
      const selector = await pickIdentity(session);
      if (!selector) return;
      await saveIdentity(selector); // the configuration listener applies it to the session
    }),
    register('vmIdentity.copyPrincipalId', () =>
      copy(requireSnapshot(snapshot()).identity.principalId, vscode.l10n.t('Principal ID')),
    ),
    register('vmIdentity.copyClientId', () =>
      copy(requireSnapshot(snapshot()).identity.clientId ?? '', vscode.l10n.t('Client ID')),
    ),
    register('vmIdentity.copyTenantId', () =>
      copy(requireSnapshot(snapshot()).identity.tenantId, vscode.l10n.t('Tenant ID')),
    ),
    register('vmIdentity.copyValue', (node?: Node) => {
      if (node?.kind === 'field' && node.copy) return copy(node.copy, node.label);
      if (node?.kind === 'assignment') return copy(node.assignment.id, vscode.l10n.t('Role assignment ID'));
    }),
    register('vmIdentity.copyRoleAssignmentId', async (node?: Node) => {
      if (node?.kind === 'assignment') return copy(node.assignment.id, vscode.l10n.t('Role assignment ID'));
      const roles = valueOf(requireSnapshot(snapshot()).roles)?.assignments ?? [];
      const pick = await vscode.window.showQuickPick(
        roles.map((r) => ({ label: r.roleName, description: r.scope, detail: r.id, id: r.id })),
        {
          title: vscode.l10n.t('Copy role assignment ID'),
          matchOnDescription: true,
          placeHolder: roles.length ? vscode.l10n.t('Pick a role assignment') : vscode.l10n.t('No role assignments'),
        },
      );
      if (pick) await copy(pick.id, vscode.l10n.t('Role assignment ID'));
    }),
    register('vmIdentity.copyToken', async () => {
      const s = requireSnapshot(snapshot());
      await copyTokenWithWarning(session, log, s.cloud.armResource);
    }),
    register('vmIdentity.openInPortal', async (node?: Node) => {
      const link =
        node?.kind === 'field' || node?.kind === 'assignment'
          ? node.link
          : (snapshot()?.links.vm ?? snapshot()?.links.identity);
      if (!link)
        throw usageError(
          vscode.l10n.t('There is no Azure portal page for this item.'),
          vscode.l10n.t('Use it on the VM, the identity or a role assignment.'),
        );
      await vscode.env.openExternal(vscode.Uri.parse(link));
    }),
    register('vmIdentity.showLog', () => showLog()),
    register('vmIdentity.checkAccess', checkAccessCommand(session)),
    registerVerdictDocuments(),
  ];
}

/** After a Refresh that got the same token back: IMDS caches it (entra-docs managed-identities-faq.md). */
async function explainCachedToken(log: Logger): Promise<void> {
  const message = vscode.l10n.t(
    'The identity endpoint returned the same token as before: IMDS serves a cached token for up to 24 hours, so role grants made since it was issued may take that long to apply to it.',
  );
  log.info('refresh returned the same token (identity host cache)');
  const learn = vscode.l10n.t('Learn more');
  if ((await vscode.window.showInformationMessage(message, learn)) === learn)
    await vscode.env.openExternal(vscode.Uri.parse(IMDS_CACHE_DOCS));
}

function requireSnapshot(s: Snapshot | undefined): Snapshot {
  if (!s) {
    throw usageError(
      vscode.l10n.t('Not signed in.'),
      vscode.l10n.t('Run "VM Identity: Sign in with VM identity" first.'),
    );
  }
  return s;
}

async function copy(value: string, what: string): Promise<void> {
  if (!value) {
    throw usageError(
      vscode.l10n.t('{0} is not known for this identity.', what),
      vscode.l10n.t('Sign in again, or look the value up in the Azure portal.'),
    );
  }
  await vscode.env.clipboard.writeText(value);
  vscode.window.setStatusBarMessage(vscode.l10n.t('$(copy) {0} copied', what), 3000);
}

type IdentityPick = vscode.QuickPickItem & {
  selector?: IdentitySelector;
  enter?: 'clientId' | 'objectId' | 'resourceId';
};

async function pickIdentity(session: Session): Promise<IdentitySelector | undefined> {
  const current = session.identity;
  const snapshot = session.state.status === 'signedIn' ? session.state.snapshot : undefined;
  const currentLabel = vscode.l10n.t('current');
  const items: IdentityPick[] = [
    {
      label: vscode.l10n.t('$(vm) System-assigned'),
      description: current.kind === 'system' ? currentLabel : undefined,
      selector: SYSTEM_ASSIGNED,
    },
  ];
  const block = snapshot?.vmIdentityBlock;
  const uamis = (block && valueOf(block)?.userAssignedIdentities) ?? [];
  if (uamis.length) {
    const label = vscode.l10n.t('User-assigned identities of this VM');
    items.push({ label, kind: vscode.QuickPickItemKind.Separator });
  }
  for (const u of uamis) {
    const name = u.resourceId.split('/').pop() ?? u.resourceId;
    const isCurrent = current.kind === 'resourceId' && current.value.toLowerCase() === u.resourceId.toLowerCase();
    items.push({
      label: `$(person) ${name}`,
      description: [u.clientId && vscode.l10n.t('client ID {0}', u.clientId), isCurrent && currentLabel]
        .filter(Boolean)
        .join(' · '),
      detail: u.resourceId,
      selector: { kind: 'resourceId', value: u.resourceId },
    });
  }
  items.push(
    { label: vscode.l10n.t('Enter an ID'), kind: vscode.QuickPickItemKind.Separator },
    { label: vscode.l10n.t('$(edit) Enter a client ID…'), enter: 'clientId' },
    { label: vscode.l10n.t('$(edit) Enter an object (principal) ID…'), enter: 'objectId' },
    { label: vscode.l10n.t('$(edit) Enter a resource ID…'), enter: 'resourceId' },
  );
  const state = session.state;
  const severalUnnamed =
    (state.status === 'error' || state.status === 'unavailable') && state.error.kind === 'multipleIdentities';
  const placeHolder = severalUnnamed
    ? vscode.l10n.t(
        'This VM has several user-assigned identities: enter the client ID of one (Azure portal → the VM → Security → Identity → User assigned)',
      )
    : uamis.length || !snapshot
      ? vscode.l10n.t('Which managed identity should VM Identity use?')
      : block?.status === 'failed'
        ? vscode.l10n.t("The VM's identities are not readable (give the identity Reader on the VM); enter an ID")
        : vscode.l10n.t('Pick an identity or enter an ID');
  const pick = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('Select identity'),
    placeHolder,
    matchOnDetail: true,
  });
  if (!pick) return undefined;
  if (pick.selector) return pick.selector;
  const kind = pick.enter!;
  const raw = await vscode.window.showInputBox({
    title:
      kind === 'clientId'
        ? vscode.l10n.t('User-assigned identity by client ID')
        : kind === 'objectId'
          ? vscode.l10n.t('User-assigned identity by object (principal) ID')
          : vscode.l10n.t('User-assigned identity by resource ID'),
    placeHolder:
      kind === 'resourceId'
        ? '/subscriptions/…/resourceGroups/…/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>'
        : '00000000-0000-0000-0000-000000000000',
    ignoreFocusOut: true,
    validateInput: (v) => {
      try {
        selectorFrom(kind, v);
        return undefined;
      } catch (e) {
        return e instanceof SelectorError ? e.message : String(e);
      }
    },
  });
  return raw === undefined ? undefined : selectorFrom(kind, raw);
}

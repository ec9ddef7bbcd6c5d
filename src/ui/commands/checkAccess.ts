/**
 * "VM Identity: Check access…": a resource (picked from what the identity can see, typed, taken from a tree
 * node, or read out of a pasted 403) and one operation (from the provider's operations list, or typed), then
 * the verdict as a read-only Markdown document, with buttons to copy the fix, open Access control (IAM) and,
 * on an explicit click, probe the data plane with one read-only request.
 */
import * as vscode from 'vscode';
import {
  AccessCheckInputError,
  type Parsed403,
  type Plane,
  type Verdict,
  parse403,
  providerNamespaceOf,
} from '../../access';
import { type AccessContext, PROBE_API_VERSIONS, probeTargetOf, runProbe, verdictFor } from '../../azure';
import type { Session } from '../../session/session';
import type { Node } from '../treeItems';
import { showVerdictDocument, verdictHeadline } from './verdictDocument';

export interface CheckAccessArgs {
  scope?: string;
  action?: string;
  plane?: Plane;
}

type Pick = vscode.QuickPickItem & { value?: string; plane?: Plane; run?: 'type' | 'paste' | 'subscription' };

function argsFrom(arg: unknown): CheckAccessArgs {
  const node = arg as Node | CheckAccessArgs | undefined;
  if (node && 'kind' in node && node.kind === 'assignment') return { scope: node.assignment.scope };
  if (node && 'kind' in node && node.kind === 'field' && node.copy?.startsWith('/')) return { scope: node.copy };
  return node && !('kind' in node) ? node : {};
}

async function pickScope(context: AccessContext): Promise<CheckAccessArgs | undefined> {
  const subs = await context.reader.listSubscriptions().catch(() => []);
  const items: Pick[] = [
    { label: vscode.l10n.t('$(edit) Enter a resource ID…'), run: 'type' },
    { label: vscode.l10n.t('$(warning) Paste a 403 error…'), run: 'paste' },
    ...subs.map((s): Pick => ({
      label: `$(key) ${s.displayName}`,
      description: s.subscriptionId,
      value: s.subscriptionId,
      run: 'subscription',
    })),
  ];
  const first = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Check access: which resource?') });
  if (!first) return undefined;
  if (first.run === 'paste') return fromPasted403();
  if (first.run === 'type') return { scope: await askScope() };
  const resources = await context.reader.listResources(first.value!);
  const pick = await vscode.window.showQuickPick(
    resources.map((r): Pick => ({ label: r.name, description: r.type, detail: r.id, value: r.id })),
    {
      title: vscode.l10n.t('Resources this identity can see in {0}', first.label),
      matchOnDescription: true,
      matchOnDetail: true,
    },
  );
  return pick ? { scope: pick.value } : undefined;
}

function askScope(value?: string): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title: vscode.l10n.t('Check access: resource ID'),
    value,
    prompt: vscode.l10n.t('An ARM resource ID or scope, e.g. /subscriptions/…/resourceGroups/…'),
    validateInput: (v) => (v.trim().startsWith('/') ? undefined : vscode.l10n.t('A resource ID starts with "/".')),
  });
}

/** Fills the form from a pasted 403: scope and action when the text names them. */
async function fromPasted403(): Promise<CheckAccessArgs | undefined> {
  const text = await vscode.window.showInputBox({
    title: vscode.l10n.t('Paste the 403 error text'),
    prompt: vscode.l10n.t('ARM, Key Vault, Storage, Cosmos DB or Graph error text'),
  });
  if (!text) return undefined;
  const parsed: Parsed403 | undefined = parse403(text);
  if (!parsed) {
    void vscode.window.showWarningMessage(
      vscode.l10n.t('This text is not a 403 format VM Identity knows; enter the resource and action instead.'),
    );
    return { scope: await askScope() };
  }
  void vscode.window.showInformationMessage(parsed.hint);
  const scope = await askScope(parsed.scope);
  const action = await vscode.window.showInputBox({
    title: vscode.l10n.t('Check access: action'),
    value: parsed.action,
  });
  return scope && action ? { scope, action, plane: parsed.plane } : undefined;
}

async function pickAction(
  context: AccessContext,
  scope: string,
): Promise<{ action: string; plane?: Plane } | undefined> {
  const type = /\/providers\/([^/]+\/[^/]+)\/[^/]+$/i.exec(scope)?.[1];
  const namespace = type ? providerNamespaceOf(type) : undefined;
  const ops = namespace ? await context.reader.providerOperations(namespace).catch(() => []) : [];
  const mine = ops.filter((o) => !type || o.name.toLowerCase().startsWith(`${type.toLowerCase()}/`));
  const items: Pick[] = [
    { label: vscode.l10n.t('$(edit) Type an action…'), run: 'type' },
    ...mine.map((o): Pick => ({
      label: o.name,
      description: o.isDataAction ? vscode.l10n.t('data plane') : vscode.l10n.t('control plane'),
      detail: o.displayName,
      value: o.name,
      plane: o.isDataAction ? 'data' : 'control',
    })),
  ];
  const pick = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('Check access: which operation?'),
    matchOnDetail: true,
  });
  if (!pick) return undefined;
  if (pick.run !== 'type') return { action: pick.value!, plane: pick.plane };
  const action = await vscode.window.showInputBox({
    title: vscode.l10n.t('Check access: action'),
    prompt: 'Microsoft.Provider/resourceType/operation',
  });
  return action ? { action } : undefined;
}

async function offerProbe(session: Session, context: AccessContext, verdict: Verdict): Promise<void> {
  const vault = /^(.*\/providers\/Microsoft\.KeyVault\/vaults\/[^/]+)/i.exec(verdict.scope)?.[1];
  const account = /^(.*\/providers\/Microsoft\.(?:Storage\/storageAccounts|DocumentDB\/databaseAccounts)\/[^/]+)/i.exec(
    verdict.scope,
  )?.[1];
  const resource = vault ?? account;
  const copy = vscode.l10n.t('Copy az command');
  const iam = vscode.l10n.t('Open Access control (IAM)');
  const probe = vscode.l10n.t('Probe the data plane (read-only)');
  const buttons = [...(verdict.suggestion ? [copy, iam] : []), ...(resource ? [probe] : [])];
  if (buttons.length === 0) return;
  const choice = await vscode.window.showInformationMessage(
    vscode.l10n.t('Access check: {0}', verdictHeadline(verdict.decision)),
    ...buttons,
  );
  if (choice === copy && verdict.suggestion) await vscode.env.clipboard.writeText(verdict.suggestion.azCommand);
  if (choice === iam && verdict.suggestion)
    await vscode.env.openExternal(vscode.Uri.parse(verdict.suggestion.portalUrl));
  if (choice === probe && resource) {
    const kind = vault ? 'keyVaultSecrets' : /Storage/i.test(resource) ? 'blobContainers' : 'cosmosAccount';
    const target = probeTargetOf(resource, await context.reader.getResource(resource, PROBE_API_VERSIONS[kind]));
    if (!target)
      return void vscode.window.showWarningMessage(
        vscode.l10n.t("ARM did not say where this resource's data plane is."),
      );
    const { deps, selector } = session.probe();
    void vscode.window.showInformationMessage(await runProbe(deps, selector, target.kind, target.endpoint));
  }
}

export function checkAccessCommand(session: Session): (arg?: unknown) => Promise<void> {
  return async (arg?: unknown) => {
    const context = await session.accessContext();
    let args = argsFrom(arg);
    if (!args.scope) args = (await pickScope(context)) ?? {};
    const scope = args.scope;
    if (!scope) return;
    for (;;) {
      const chosen = args.action ? { action: args.action, plane: args.plane } : await pickAction(context, scope);
      if (!chosen) return;
      try {
        const verdict = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Checking access…') },
          () => verdictFor(context, { resourceId: scope, action: chosen.action, plane: chosen.plane }),
        );
        await showVerdictDocument(verdict);
        void offerProbe(session, context, verdict);
        return;
      } catch (e) {
        if (!(e instanceof AccessCheckInputError) || e.field !== 'action') throw e;
        // A wildcard or malformed action: say why and offer the operations list.
        void vscode.window.showWarningMessage(e.message);
        args = { scope };
      }
    }
  };
}

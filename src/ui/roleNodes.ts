/**
 * The "Role assignments" section: one group per subscription (display name; id in the tooltip), the VM's
 * first, then by scope as before; a "Denied" group for deny assignments; a partial view's line saying from
 * which scope it was read and which grant, where, shows everything.
 */
import * as vscode from 'vscode';
import {
  type DenyAssignmentDetail,
  type PartialView,
  type RoleAssignmentDetail,
  type RolesView,
  type ScopeKind,
  type Snapshot,
  type SubscriptionRoles,
  scopeKind,
} from '../azure';
import { type Node, errorNodes, openLink, scopeName } from './treeItems';

const SCOPE_ORDER: ScopeKind[] = ['root', 'managementGroup', 'subscription', 'resourceGroup', 'resource'];
function scopeLabel(kind: ScopeKind): string {
  switch (kind) {
    case 'root':
      return vscode.l10n.t('Root (/)');
    case 'managementGroup':
      return vscode.l10n.t('Management groups');
    case 'subscription':
      return vscode.l10n.t('Subscription');
    case 'resourceGroup':
      return vscode.l10n.t('Resource groups');
    case 'resource':
      return vscode.l10n.t('Resources');
  }
}

export function roleNodes(s: Snapshot): Node[] {
  let view: RolesView;
  switch (s.roles.status) {
    case 'failed':
      return errorNodes('roles', s.roles.error, vscode.l10n.t('Cannot read role assignments'));
    case 'skipped':
      view = { subscriptions: [], assignments: [], denyAssignments: [] };
      break;
    case 'ok':
      view = s.roles.value;
      break;
  }
  if (view.assignments.length === 0 && !view.partial && view.subscriptions.every((x) => !x.error)) {
    return [
      {
        kind: 'message',
        id: 'roles.empty',
        label: vscode.l10n.t('No role assignments — give this identity a role'),
        icon: 'info',
        tooltip: vscode.l10n.t(
          "The identity has no Azure role in any subscription it can see. Add one in the VM's Access control (IAM).",
        ),
        command: s.links.accessControl
          ? openLink(s.links.accessControl, vscode.l10n.t('Open access control (IAM)'))
          : undefined,
      },
    ];
  }
  const nodes: Node[] = view.partial ? partialNodes(view.partial) : [];
  return nodes.concat(view.subscriptions.map((sub) => subscriptionNode(s, view, sub)));
}

/** The partial view's line: from where it was read and which grant, where, shows everything (issue 9). */
function partialNodes(p: PartialView): Node[] {
  const where =
    scopeKind(p.readFrom) === 'resourceGroup'
      ? vscode.l10n.t('resource group {0}', scopeName(p.readFrom))
      : vscode.l10n.t('the VM');
  return [
    {
      kind: 'message',
      id: 'roles.partial',
      label: vscode.l10n.t('Partial view: read at {0} — Reader at subscription {1} shows all', where, p.displayName),
      icon: 'warning',
      tooltip: p.note,
      command: openLink(p.link, vscode.l10n.t('Open access control (IAM) of the subscription')),
    },
  ];
}

function subscriptionNode(s: Snapshot, view: RolesView, sub: SubscriptionRoles): Node {
  const key = sub.subscriptionId.toLowerCase();
  const mine = view.assignments.filter((a) => a.subscriptionId?.toLowerCase() === key);
  const denied = view.denyAssignments.filter((d) => d.subscriptionId?.toLowerCase() === key);
  const children = (): Node[] => {
    const nodes: Node[] = sub.error
      ? errorNodes(
          `roles.${key}`,
          sub.error,
          vscode.l10n.t('Cannot read role assignments in {0}', sub.displayName),
        ).filter((n) => !n.id.endsWith('.retry'))
      : [];
    if (denied.length > 0) nodes.push(deniedGroup(key, denied));
    return nodes.concat(scopeGroups(s, `roles.${key}`, mine));
  };
  const partial = sub.readFrom !== undefined && !sub.complete;
  return {
    kind: 'group',
    id: `roles.${key}`,
    label: sub.displayName,
    description: sub.error
      ? vscode.l10n.t('not readable')
      : partial
        ? vscode.l10n.t('{0} · partial', mine.length)
        : String(mine.length),
    tooltip: sub.isVmSubscription
      ? vscode.l10n.t("Subscription {0} · this VM's subscription", sub.subscriptionId)
      : vscode.l10n.t('Subscription {0}', sub.subscriptionId),
    icon: 'key',
    expanded: sub.isVmSubscription || view.subscriptions.length === 1,
    children,
  };
}

function deniedGroup(key: string, denied: DenyAssignmentDetail[]): Node {
  const how = {
    direct: vscode.l10n.t('denies this identity'),
    group: vscode.l10n.t('denies a group it is in'),
    everyone: vscode.l10n.t('denies everyone'),
  };
  return {
    kind: 'group',
    id: `roles.${key}.denied`,
    label: vscode.l10n.t('Denied'),
    description: String(denied.length),
    icon: 'circle-slash',
    tooltip: vscode.l10n.t(
      'Deny assignments win over every role: they explain why an action a role grants still fails.',
    ),
    expanded: true,
    children: () =>
      denied.map((d): Node => ({
        kind: 'message',
        id: d.id,
        label: `${d.name} — ${scopeName(d.scope)}`,
        icon: 'circle-slash',
        tooltip: [
          `${d.name} (${how[d.appliesVia]})`,
          d.description,
          vscode.l10n.t('Scope: {0}', d.scope),
          vscode.l10n.t('Denied: {0}', [...d.actions, ...d.dataActions].join(', ')),
        ]
          .filter(Boolean)
          .join('\n'),
      })),
  };
}

function scopeGroups(s: Snapshot, prefix: string, roles: RoleAssignmentDetail[]): Node[] {
  const byKind = new Map<ScopeKind, RoleAssignmentDetail[]>();
  for (const r of roles) {
    const group = byKind.get(r.scopeKind);
    if (group) group.push(r);
    else byKind.set(r.scopeKind, [r]);
  }
  return SCOPE_ORDER.filter((k) => byKind.has(k)).map((k): Node => ({
    kind: 'group',
    id: `${prefix}.${k}`,
    label: scopeLabel(k),
    description: String(byKind.get(k)!.length),
    icon: scopeIcon(k),
    children: () =>
      byKind.get(k)!.map((a): Node => ({ kind: 'assignment', id: a.id, assignment: a, link: portalOf(s, a.scope) })),
  }));
}

function scopeIcon(k: ScopeKind): string {
  return k === 'managementGroup' || k === 'root'
    ? 'type-hierarchy'
    : k === 'subscription'
      ? 'key'
      : k === 'resourceGroup'
        ? 'folder'
        : 'symbol-misc';
}

function portalOf(s: Snapshot, scope: string): string | undefined {
  if (!scope.startsWith('/subscriptions/') && !scope.startsWith('/providers/')) return undefined;
  return `${s.cloud.portal}/#@${s.identity.tenantId}/resource${scope}/users`;
}

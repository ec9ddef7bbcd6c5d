/**
 * The identity view. Tree items are plain view-models with stable ids (ARM ids for assignments) and
 * contextValues; errors and empty states are nodes with an action, never a crash. Children are built
 * lazily, so tens of thousands of assignments only cost what is expanded.
 */
import * as vscode from 'vscode';
import type { RoleAssignmentDetail, ScopeKind, Snapshot } from '../azure';
import type { VmIdentityError } from '../identity';
import type { Session, SessionState } from '../session/session';
import { escapeMarkdown, formatExpiry } from './format';

export const VIEW_ID = 'vmIdentity.view';

export type Node =
  | { kind: 'section'; id: string; label: string; icon: string; description?: string; children: () => Node[] }
  | { kind: 'field'; id: string; label: string; value: string; copy?: string; link?: string; tooltip?: string; icon?: string }
  | { kind: 'group'; id: string; label: string; description?: string; icon: string; children: () => Node[] }
  | { kind: 'assignment'; id: string; assignment: RoleAssignmentDetail; link?: string }
  | { kind: 'message'; id: string; label: string; icon: string; tooltip?: string; command?: vscode.Command };

const SCOPE_ORDER: ScopeKind[] = ['root', 'managementGroup', 'subscription', 'resourceGroup', 'resource'];
const SCOPE_LABEL: Record<ScopeKind, string> = {
  root: 'Root (/)',
  managementGroup: 'Management groups',
  subscription: 'Subscription',
  resourceGroup: 'Resource groups',
  resource: 'Resources',
};
const VIA_LABEL = { direct: 'direct', group: 'via group', inherited: 'inherited' } as const;

/**
 * VS Code applies a view's changes at most once per 200 ms (the first one at once, later ones 200 ms after
 * the last: extHostTreeViews debounces onDidChangeTreeData and message changes together). A "Signing in…"
 * node shown at once would hold the signed-in tree back by up to 200 ms, so it appears only when signing in
 * takes longer than this; until then the view keeps what it showed, under its progress bar.
 */
export const SIGNING_IN_NODE_DELAY_MS = 1000;

export class IdentityTreeProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: { dispose(): void };
  private roots: Node[] = [];
  private signingInTimer?: NodeJS.Timeout;

  constructor(session: Session) {
    this.subscription = session.onDidChange((s) => this.update(s));
    this.update(session.state);
  }

  private update(state: SessionState): void {
    clearTimeout(this.signingInTimer);
    if (state.status === 'signingIn') {
      this.signingInTimer = setTimeout(() => this.show(state), SIGNING_IN_NODE_DELAY_MS);
      return;
    }
    this.show(state);
  }

  private show(state: SessionState): void {
    this.roots = rootsFor(state);
    this.changed.fire(undefined);
  }

  getChildren(node?: Node): Node[] {
    if (!node) return this.roots;
    return node.kind === 'section' || node.kind === 'group' ? node.children() : [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    return toTreeItem(node);
  }

  resolveTreeItem(item: vscode.TreeItem, node: Node): vscode.TreeItem {
    if (node.kind === 'assignment') item.tooltip = assignmentTooltip(node.assignment);
    return item;
  }

  dispose(): void {
    clearTimeout(this.signingInTimer);
    this.subscription.dispose();
    this.changed.dispose();
  }
}

export function rootsFor(state: SessionState): Node[] {
  switch (state.status) {
    case 'signedOut':
    case 'unavailable':
      return []; // the welcome view explains
    case 'signingIn':
      return [{ kind: 'message', id: 'signingIn', label: 'Signing in…', icon: 'loading~spin' }];
    case 'error':
      return errorNodes('signIn', state.error, 'Sign in failed');
    case 'signedIn':
      return snapshotNodes(state.snapshot);
  }
}

function snapshotNodes(s: Snapshot): Node[] {
  return [
    { kind: 'section', id: 'identity', label: 'Identity', icon: 'account', description: s.displayName, children: () => identityFields(s) },
    { kind: 'section', id: 'vm', label: 'Virtual machine', icon: 'vm', description: s.vm?.name, children: () => vmFields(s) },
    {
      kind: 'section',
      id: 'roles',
      label: 'Role assignments',
      icon: 'shield',
      description: s.roles ? String(s.roles.length) : undefined,
      children: () => roleNodes(s),
    },
  ];
}

function identityFields(s: Snapshot): Node[] {
  const i = s.identity;
  const nodes: Node[] = [];
  if (s.displayName) nodes.push(field('identity.displayName', 'Display name', s.displayName));
  else if (s.displayNameError) {
    nodes.push({
      kind: 'message',
      id: 'identity.displayName',
      label: 'Display name: not readable',
      icon: 'eye-closed',
      tooltip: `Microsoft Graph did not give the name (${s.displayNameError.message}). Everything else is unaffected.`,
    });
  }
  nodes.push(field('identity.principalId', 'Principal ID', i.principalId, { copy: i.principalId, tooltip: 'Object (principal) ID of the service principal' }));
  if (i.clientId) nodes.push(field('identity.clientId', 'Client ID', i.clientId, { copy: i.clientId }));
  nodes.push(field('identity.tenantId', 'Tenant ID', i.tenantId, { copy: i.tenantId }));
  nodes.push(
    field('identity.type', 'Type', i.identityType === 'SystemAssigned' ? 'system-assigned' : 'user-assigned', {
      tooltip: i.identityResourceId,
      link: s.links.identity ?? s.links.identityPage,
      copy: i.identityResourceId,
    }),
  );
  nodes.push(field('identity.expires', 'Token expires', formatExpiry(i.token.expiresOn), { tooltip: `Audience ${i.token.resource}; renewed automatically before it expires. Source: ${i.source}` }));
  return nodes;
}

function vmFields(s: Snapshot): Node[] {
  const vm = s.vm;
  if (!vm) {
    return [
      {
        kind: 'message',
        id: 'vm.unknown',
        label: 'Instance metadata not available',
        icon: 'info',
        tooltip: s.vmError ? `${s.vmError.message} ${s.vmError.fix}` : 'This identity host has no instance metadata.',
      },
    ];
  }
  return [
    field('vm.name', 'Name', vm.name, { copy: vm.name, link: s.links.vm }),
    field('vm.resourceGroup', 'Resource group', vm.resourceGroup, { copy: vm.resourceGroup }),
    field('vm.subscription', 'Subscription', vm.subscriptionId, { copy: vm.subscriptionId }),
    field('vm.location', 'Location', vm.location),
    field('vm.size', 'Size', vm.vmSize),
    field('vm.cloud', 'Cloud', s.cloud.displayName, { tooltip: `${vm.cloud}: ${s.endpoints.arm}` }),
  ];
}

function roleNodes(s: Snapshot): Node[] {
  if (s.rolesError) return errorNodes('roles', s.rolesError, 'Cannot read role assignments');
  const roles = s.roles ?? [];
  if (roles.length === 0) {
    return [
      {
        kind: 'message',
        id: 'roles.empty',
        label: 'No role assignments — give this identity a role',
        icon: 'info',
        tooltip: 'The identity has no Azure role at or below this subscription. Add one in the VM\'s Access control (IAM).',
        command: s.links.accessControl ? openLink(s.links.accessControl, 'Open access control (IAM)') : undefined,
      },
    ];
  }
  const byKind = new Map<ScopeKind, RoleAssignmentDetail[]>();
  for (const r of roles) {
    const group = byKind.get(r.scopeKind);
    if (group) group.push(r);
    else byKind.set(r.scopeKind, [r]);
  }
  return SCOPE_ORDER.filter((k) => byKind.has(k)).map(
    (k): Node => ({
      kind: 'group',
      id: `roles.${k}`,
      label: SCOPE_LABEL[k],
      description: String(byKind.get(k)!.length),
      icon: scopeIcon(k),
      children: () => byKind.get(k)!.map((a): Node => ({ kind: 'assignment', id: a.id, assignment: a, link: portalOf(s, a.scope) })),
    }),
  );
}

function errorNodes(prefix: string, error: VmIdentityError, title: string): Node[] {
  const nodes: Node[] = [
    {
      kind: 'message',
      id: `${prefix}.error`,
      label: error.remedy === 'grantReader' ? `${title} — give this identity Reader` : `${title}: ${error.message}`,
      icon: 'error',
      tooltip: `${error.message}\n\n${error.fix}`,
      command: error.link ? openLink(error.link, error.remedy === 'grantReader' ? 'Open access control (IAM)' : 'Open') : undefined,
    },
  ];
  if (error.remedy === 'grantReader' && error.link) {
    nodes.push({ kind: 'message', id: `${prefix}.fix`, label: 'Open access control (IAM) in the Azure portal', icon: 'link-external', command: openLink(error.link, 'Open access control (IAM)'), tooltip: error.fix });
  }
  if (error.remedy === 'selectIdentity') {
    nodes.push({ kind: 'message', id: `${prefix}.select`, label: 'Select identity…', icon: 'person', command: { command: 'vmIdentity.selectIdentity', title: 'Select identity…' } });
  }
  nodes.push({ kind: 'message', id: `${prefix}.retry`, label: 'Try again', icon: 'refresh', command: { command: 'vmIdentity.refresh', title: 'Refresh' } });
  return nodes;
}

export function toTreeItem(node: Node): vscode.TreeItem {
  switch (node.kind) {
    case 'section':
    case 'group': {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
      if (node.kind === 'group') item.collapsibleState = vscode.TreeItemCollapsibleState.Collapsed;
      item.id = node.id;
      item.description = node.description;
      item.iconPath = new vscode.ThemeIcon(node.icon);
      item.contextValue = node.kind;
      return item;
    }
    case 'field': {
      const item = new vscode.TreeItem(node.label);
      item.id = node.id;
      item.description = node.value;
      item.tooltip = node.tooltip ? `${node.value}\n${node.tooltip}` : node.value;
      item.iconPath = node.icon ? new vscode.ThemeIcon(node.icon) : undefined;
      item.contextValue = ['field', node.copy ? 'copyable' : '', node.link ? 'portal' : ''].filter(Boolean).join(' ');
      item.accessibilityInformation = { label: `${node.label}: ${node.value}` };
      return item;
    }
    case 'assignment': {
      const a = node.assignment;
      const item = new vscode.TreeItem(`${a.roleName} — ${scopeName(a.scope)}`);
      item.id = a.id;
      item.description = VIA_LABEL[a.via] + (a.condition ? ' · condition' : '');
      item.iconPath = new vscode.ThemeIcon(a.via === 'group' ? 'organization' : a.via === 'inherited' ? 'arrow-down' : 'key');
      item.contextValue = 'roleAssignment copyable portal';
      // The tooltip comes from resolveTreeItem, on hover: a group may hold thousands of rows.
      return item;
    }
    case 'message': {
      const item = new vscode.TreeItem(node.label);
      item.id = node.id;
      item.iconPath = new vscode.ThemeIcon(node.icon);
      item.tooltip = node.tooltip;
      item.command = node.command;
      item.contextValue = 'message';
      return item;
    }
  }
}

/** The hover of a role assignment row (Markdown: role, description, scope, how it is assigned, condition). */
export function assignmentTooltip(a: RoleAssignmentDetail): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${escapeMarkdown(a.roleName)}** (${a.roleType === 'CustomRole' ? 'custom role' : 'built-in role'})\n\n`);
  if (a.roleDescription) md.appendText(`${a.roleDescription}\n\n`);
  md.appendMarkdown('Scope: ').appendText(a.scope).appendMarkdown(`  \nAssigned: ${VIA_LABEL[a.via]}${a.via === 'group' ? ` (group ${escapeMarkdown(a.principalId)})` : ''}`);
  if (a.condition) md.appendMarkdown('\n\nCondition:\n').appendCodeblock(a.condition, 'text');
  return md;
}

function field(id: string, label: string, value: string, extra: { copy?: string; link?: string; tooltip?: string } = {}): Node {
  return { kind: 'field', id, label, value: value || '—', ...extra };
}

function openLink(url: string, title: string): vscode.Command {
  return { command: 'vscode.open', title, arguments: [vscode.Uri.parse(url)] };
}

function scopeIcon(k: ScopeKind): string {
  return k === 'managementGroup' || k === 'root' ? 'type-hierarchy' : k === 'subscription' ? 'key' : k === 'resourceGroup' ? 'folder' : 'symbol-misc';
}

export function scopeName(scope: string): string {
  if (scope === '/' || scope === '') return '/';
  const parts = scope.replace(/\/+$/, '').split('/');
  return parts[parts.length - 1];
}

function portalOf(s: Snapshot, scope: string): string | undefined {
  if (!scope.startsWith('/subscriptions/') && !scope.startsWith('/providers/')) return undefined;
  return `${s.cloud.portal}/#@${s.identity.tenantId}/resource${scope}/users`;
}

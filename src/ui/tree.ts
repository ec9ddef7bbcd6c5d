/**
 * The identity view. Tree items are plain view-models with stable ids (ARM ids for assignments) and
 * contextValues; errors and empty states are nodes with an action, never a crash. Children are built
 * lazily, so tens of thousands of assignments only cost what is expanded.
 */
import * as vscode from 'vscode';
import { type Snapshot, valueOf } from '../azure';
import type { Session, SessionState } from '../session/session';
import { WELCOME_KINDS } from './errorWelcome';
import { IMDS_CACHE_DOCS, formatExpiry, formatIssued, identityTypeLabel } from './format';
import { roleNodes } from './roleNodes';
import { type Node, assignmentTooltip, errorNodes, toTreeItem } from './treeItems';

export type { Node } from './treeItems';

export const VIEW_ID = 'vmIdentity.view';

/**
 * VS Code applies a view's changes at most once per 200 ms (the first one at once, later ones 200 ms after
 * the last: extHostTreeViews debounces onDidChangeTreeData and message changes together). A "Signing in…"
 * node shown at once would hold the signed-in tree back by up to 200 ms, so it appears only when signing in
 * takes longer than this; until then the view keeps what it showed, under its progress bar.
 */
const SIGNING_IN_NODE_DELAY_MS = 1000;

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

function rootsFor(state: SessionState): Node[] {
  switch (state.status) {
    case 'signedOut':
    case 'unavailable':
      return []; // the welcome view explains
    case 'signingIn':
      return [{ kind: 'message', id: 'signingIn', label: vscode.l10n.t('Signing in…'), icon: 'loading~spin' }];
    case 'error':
      // Errors the welcome view explains in full leave the tree empty so it shows (./errorWelcome).
      return WELCOME_KINDS.has(state.error.kind)
        ? []
        : errorNodes('signIn', state.error, vscode.l10n.t('Sign in failed'));
    case 'signedIn':
      return snapshotNodes(state.snapshot);
  }
}

function snapshotNodes(s: Snapshot): Node[] {
  return [
    {
      kind: 'section',
      id: 'identity',
      label: vscode.l10n.t('Identity'),
      icon: 'account',
      description: valueOf(s.displayName),
      children: () => identityFields(s),
    },
    {
      kind: 'section',
      id: 'vm',
      label: vscode.l10n.t('Virtual machine'),
      icon: 'vm',
      description: valueOf(s.vm)?.name,
      children: () => vmFields(s),
    },
    {
      kind: 'section',
      id: 'roles',
      label: vscode.l10n.t('Role assignments'),
      icon: 'shield',
      description:
        s.roles.status === 'ok'
          ? s.roles.value.partial
            ? vscode.l10n.t('{0} · partial', s.roles.value.assignments.length)
            : String(s.roles.value.assignments.length)
          : undefined,
      children: () => roleNodes(s),
    },
  ];
}

function identityFields(s: Snapshot): Node[] {
  const i = s.identity;
  const nodes: Node[] = [];
  const name = s.displayName;
  switch (name.status) {
    case 'ok':
      nodes.push(field('identity.displayName', vscode.l10n.t('Display name'), name.value));
      break;
    case 'failed':
      nodes.push({
        kind: 'message',
        id: 'identity.displayName',
        label: vscode.l10n.t('Display name: not readable'),
        icon: 'eye-closed',
        tooltip: vscode.l10n.t(
          'Microsoft Graph did not give the name ({0}). Everything else is unaffected.',
          name.error.message,
        ),
      });
      break;
    case 'skipped':
      break;
  }
  nodes.push(
    field('identity.principalId', vscode.l10n.t('Principal ID'), i.principalId, {
      copy: i.principalId,
      tooltip: vscode.l10n.t('Object (principal) ID of the service principal'),
    }),
  );
  if (i.clientId) nodes.push(field('identity.clientId', vscode.l10n.t('Client ID'), i.clientId, { copy: i.clientId }));
  nodes.push(field('identity.tenantId', vscode.l10n.t('Tenant ID'), i.tenantId, { copy: i.tenantId }));
  nodes.push(
    field('identity.type', vscode.l10n.t('Type'), identityTypeLabel(i.identityType), {
      tooltip: i.identityResourceId,
      link: s.links.identity ?? s.links.identityPage,
      copy: i.identityResourceId,
    }),
  );
  if (i.token.issuedAt !== undefined) {
    const tooltip = vscode.l10n.t(
      'IMDS serves a cached token for up to 24 h, so role grants made after this time may not apply to it yet. {0}',
      IMDS_CACHE_DOCS,
    );
    nodes.push(
      field('identity.issued', vscode.l10n.t('Token issued'), formatIssued(i.token.issuedAt), {
        tooltip,
        link: IMDS_CACHE_DOCS,
      }),
    );
  }
  nodes.push({
    kind: 'message',
    id: 'identity.getToken',
    label: vscode.l10n.t('Get access token for…'),
    icon: 'key',
    tooltip: vscode.l10n.t(
      'A token for Key Vault, Storage, SQL… as this identity, shown decoded in the token inspector',
    ),
    command: { command: 'vmIdentity.getToken', title: vscode.l10n.t('Get access token for…') },
  });
  nodes.push(
    field('identity.expires', vscode.l10n.t('Token expires'), formatExpiry(i.token.expiresOn), {
      tooltip: vscode.l10n.t(
        'Audience {0}; renewed automatically before it expires. Source: {1}',
        i.token.resource,
        i.source,
      ),
    }),
  );
  return nodes;
}

function vmFields(s: Snapshot): Node[] {
  const part = s.vm;
  switch (part.status) {
    case 'failed':
    case 'skipped': {
      const tooltip = part.status === 'failed' ? `${part.error.message} ${part.error.fix}` : part.reason;
      const label = vscode.l10n.t('Instance metadata not available');
      return [{ kind: 'message', id: 'vm.unknown', label, icon: 'info', tooltip }];
    }
    case 'ok':
      break;
  }
  const vm = part.value;
  return [
    field('vm.name', vscode.l10n.t('Name'), vm.name, { copy: vm.name, link: s.links.vm }),
    field('vm.resourceGroup', vscode.l10n.t('Resource group'), vm.resourceGroup, { copy: vm.resourceGroup }),
    field('vm.subscription', vscode.l10n.t('Subscription'), vm.subscriptionId, { copy: vm.subscriptionId }),
    field('vm.location', vscode.l10n.t('Location'), vm.location),
    field('vm.size', vscode.l10n.t('Size'), vm.vmSize),
    field('vm.cloud', vscode.l10n.t('Cloud'), s.cloud.displayName, { tooltip: `${vm.cloud}: ${s.endpoints.arm}` }),
  ];
}

function field(
  id: string,
  label: string,
  value: string,
  extra: { copy?: string; link?: string; tooltip?: string } = {},
): Node {
  return { kind: 'field', id, label, value: value || '—', ...extra };
}

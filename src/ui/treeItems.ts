/** Tree nodes as plain view-models, and how each becomes a VS Code TreeItem. */
import * as vscode from 'vscode';
import type { RoleAssignmentDetail } from '../azure';
import type { VmIdentityError } from '../core/errors';
import { escapeMarkdown } from './format';

export type Node =
  | { kind: 'section'; id: string; label: string; icon: string; description?: string; children: () => Node[] }
  | {
      kind: 'field';
      id: string;
      label: string;
      value: string;
      copy?: string;
      link?: string;
      tooltip?: string;
      icon?: string;
    }
  | {
      kind: 'group';
      id: string;
      label: string;
      description?: string;
      icon: string;
      tooltip?: string;
      expanded?: boolean;
      children: () => Node[];
    }
  | { kind: 'assignment'; id: string; assignment: RoleAssignmentDetail; link?: string }
  | { kind: 'message'; id: string; label: string; icon: string; tooltip?: string; command?: vscode.Command };

function viaLabel(via: RoleAssignmentDetail['via']): string {
  switch (via) {
    case 'direct':
      return vscode.l10n.t('direct');
    case 'group':
      return vscode.l10n.t('via group');
    case 'inherited':
      return vscode.l10n.t('inherited');
  }
}

export function toTreeItem(node: Node): vscode.TreeItem {
  switch (node.kind) {
    case 'section':
    case 'group': {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
      if (node.kind === 'group') {
        item.collapsibleState = node.expanded
          ? vscode.TreeItemCollapsibleState.Expanded
          : vscode.TreeItemCollapsibleState.Collapsed;
        item.tooltip = node.tooltip;
        // VS Code reads a string tooltip as the row's name; the row is named by what it shows instead.
        item.accessibilityInformation = { label: [node.label, node.description].filter(Boolean).join(' ') };
      }
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
      // `checkable`: a field whose value is an ARM id (the VM, an identity) offers Check access… at that scope.
      item.contextValue = [
        'field',
        node.copy ? 'copyable' : '',
        node.link ? 'portal' : '',
        node.copy?.startsWith('/') ? 'checkable' : '',
      ]
        .filter(Boolean)
        .join(' ');
      item.accessibilityInformation = { label: `${node.label}: ${node.value}` };
      return item;
    }
    case 'assignment': {
      const a = node.assignment;
      const item = new vscode.TreeItem(`${a.roleName} — ${scopeName(a.scope)}`);
      item.id = a.id;
      item.description = a.condition ? vscode.l10n.t('{0} · condition', viaLabel(a.via)) : viaLabel(a.via);
      item.iconPath = new vscode.ThemeIcon(
        a.via === 'group' ? 'organization' : a.via === 'inherited' ? 'arrow-down' : 'key',
      );
      item.contextValue = 'roleAssignment copyable portal checkable';
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
  const roleType = a.roleType === 'CustomRole' ? vscode.l10n.t('custom role') : vscode.l10n.t('built-in role');
  md.appendMarkdown(`**${escapeMarkdown(a.roleName)}** (${roleType})\n\n`);
  if (a.roleDescription) md.appendText(`${a.roleDescription}\n\n`);
  const assigned =
    a.via === 'group'
      ? vscode.l10n.t('{0} (group {1})', viaLabel(a.via), escapeMarkdown(a.principalId))
      : viaLabel(a.via);
  md.appendMarkdown(`${vscode.l10n.t('Scope:')} `)
    .appendText(a.scope)
    .appendMarkdown(`  \n${vscode.l10n.t('Assigned: {0}', assigned)}`);
  if (a.condition) {
    md.appendMarkdown(`\n\n${vscode.l10n.t('Condition:')}\n`).appendCodeblock(a.condition, 'text');
  }
  return md;
}

export function openLink(url: string, title: string): vscode.Command {
  return { command: 'vscode.open', title, arguments: [vscode.Uri.parse(url)] };
}

export function scopeName(scope: string): string {
  if (scope === '/' || scope === '') return '/';
  const parts = scope.replace(/\/+$/, '').split('/');
  return parts[parts.length - 1];
}

/** An error as rows: the cause (opening its link), one row per action with a tree label, and Try again. */
export function errorNodes(prefix: string, error: VmIdentityError, title: string): Node[] {
  const denied = error.kind === 'authorizationFailed' && error.actions.length > 0;
  const firstAction = error.actions[0];
  const nodes: Node[] = [
    {
      kind: 'message',
      id: `${prefix}.error`,
      label: denied
        ? vscode.l10n.t('{0} — give this identity Reader', title)
        : vscode.l10n.t('{0}: {1}', title, error.message),
      icon: 'error',
      tooltip: `${error.message}\n\n${error.fix}`,
      command: error.link ? openLink(error.link, denied ? firstAction.label : vscode.l10n.t('Open')) : undefined,
    },
  ];
  // Actions with a tree label become rows of their own (links open in the browser, commands run).
  error.actions.forEach((action, i) => {
    if (!action.treeLabel) return;
    const uri = action.args?.find((a): a is { uri: string } => typeof a !== 'string')?.uri;
    const command =
      action.command === 'vscode.open' && uri
        ? openLink(uri, action.label)
        : { command: action.command, title: action.treeLabel };
    nodes.push({
      kind: 'message',
      id: `${prefix}.action.${i}`,
      label: action.treeLabel,
      icon: uri ? 'link-external' : 'person',
      command,
      tooltip: uri ? error.fix : undefined,
    });
  });
  if (prefix === 'signIn') {
    const diagnose = vscode.l10n.t('Diagnose');
    const command = { command: 'vmIdentity.diagnose', title: diagnose };
    nodes.push({ kind: 'message', id: `${prefix}.diagnose`, label: diagnose, icon: 'pulse', command });
  }
  nodes.push({
    kind: 'message',
    id: `${prefix}.retry`,
    label: vscode.l10n.t('Try again'),
    icon: 'refresh',
    command: { command: 'vmIdentity.refresh', title: vscode.l10n.t('Refresh') },
  });
  return nodes;
}

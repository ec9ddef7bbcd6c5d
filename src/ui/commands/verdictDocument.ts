/**
 * A verdict as a read-only Markdown document: the decision, what grants or denies, the fix, propagation.
 * The document lives under its own URI scheme (a content provider), not as an untitled file: an untitled
 * document with content is dirty, is editable, and asks "Save changes?" when closed.
 */
import * as vscode from 'vscode';
import type { Verdict } from '../../access';

const SCHEME = 'vm-identity-verdict';
const verdicts = new Map<string, string>();
let opened = 0;

/** Serves the verdict documents; registered once with the commands. */
export function registerVerdictDocuments(): vscode.Disposable {
  return vscode.workspace.registerTextDocumentContentProvider(SCHEME, {
    provideTextDocumentContent: (uri) => verdicts.get(uri.query) ?? '',
  });
}

/** Opens the verdict read-only; each check gets its own document (a path ending in .md makes it Markdown). */
export async function showVerdictDocument(v: Verdict): Promise<void> {
  const key = String(++opened);
  verdicts.set(key, verdictMarkdown(v));
  // Only the latest few are kept: a closed document is not reopened from here.
  for (const old of [...verdicts.keys()].slice(0, -5)) verdicts.delete(old);
  const title = vscode.l10n.t('Access check {0}', key);
  const uri = vscode.Uri.from({ scheme: SCHEME, path: `/${title}.md`, query: key });
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { preview: true });
}

export function verdictHeadline(decision: Verdict['decision']): string {
  switch (decision) {
    case 'allowed':
      return vscode.l10n.t('Allowed');
    case 'denied':
      return vscode.l10n.t('Denied');
    case 'notGranted':
      return vscode.l10n.t('Not granted');
    case 'conditional':
      return vscode.l10n.t('Conditional — evaluated at request time');
  }
}

const accessPolicies = () => vscode.l10n.t('access policies');
const conditionalCell = () => vscode.l10n.t('conditional — evaluated at request time');

const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;

function verdictMarkdown(v: Verdict): string {
  const lines = [
    `# ${verdictHeadline(v.decision)}`,
    '',
    `- ${vscode.l10n.t('Action: {0} ({1} plane)', code(v.action), v.plane)}`,
    `- ${vscode.l10n.t('Scope: {0}', code(v.scope))}`,
    `- ${vscode.l10n.t('Identity: {0}', code(v.principalId))}`,
  ];
  if (v.keyVault)
    lines.push(
      `- ${vscode.l10n.t('Key Vault permission model: {0}', v.keyVault.model === 'rbac' ? 'Azure RBAC' : accessPolicies())}`,
    );
  if (v.grantedBy.length) {
    lines.push(
      '',
      `## ${vscode.l10n.t('Role assignments that grant it')}`,
      '',
      `| ${vscode.l10n.t('Role')} | ${vscode.l10n.t('Scope')} | ${vscode.l10n.t('How')} | ${vscode.l10n.t('Condition')} |`,
      '|---|---|---|---|',
    );
    for (const g of v.grantedBy) {
      const via = g.via === 'group' ? vscode.l10n.t('via a group') : vscode.l10n.t('direct');
      const how = g.inherited ? vscode.l10n.t('{0}, inherited', via) : via;
      lines.push(`| ${g.roleName} | ${code(g.scope)} | ${how} | ${g.condition ? conditionalCell() : '—'} |`);
    }
  }
  if (v.deniedBy.length) {
    lines.push('', `## ${vscode.l10n.t('Deny assignments')}`, '');
    for (const d of v.deniedBy)
      lines.push(`- ${vscode.l10n.t('{0} at {1} ({2})', d.name, code(d.scope), code(d.matchedBy))}`);
  }
  if (v.suggestion) {
    lines.push(
      '',
      `## ${vscode.l10n.t('Fix')}`,
      '',
      v.suggestion.why,
      '',
      '```sh',
      v.suggestion.azCommand,
      '```',
      '',
      `[${vscode.l10n.t('Open Access control (IAM) in the portal')}](${v.suggestion.portalUrl})`,
    );
  }
  if (v.propagation)
    lines.push(
      '',
      `## ${vscode.l10n.t('Token and propagation')}`,
      '',
      v.propagation.message,
      '',
      ...v.propagation.links.map((l) => `- ${l}`),
    );
  if (v.notes.length) lines.push('', ...v.notes.map((n) => `> ${n}`));
  if (v.unread.length)
    lines.push('', `## ${vscode.l10n.t('Not read')}`, '', ...v.unread.map((u) => `- ${u.what}: ${u.reason}`));
  return `${lines.join('\n')}\n`;
}

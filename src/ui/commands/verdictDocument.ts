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
  return vscode.l10n.t(HEADLINE[decision]);
}

const HEADLINE: Record<Verdict['decision'], string> = {
  allowed: 'Allowed',
  denied: 'Denied',
  notGranted: 'Not granted',
  conditional: 'Conditional — evaluated at request time',
};

const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;

function verdictMarkdown(v: Verdict): string {
  const t = vscode.l10n.t;
  const lines = [
    `# ${verdictHeadline(v.decision)}`,
    '',
    `- ${t('Action')}: ${code(v.action)} (${t('{0} plane', v.plane)})`,
    `- ${t('Scope')}: ${code(v.scope)}`,
    `- ${t('Identity')}: ${code(v.principalId)}`,
  ];
  if (v.keyVault)
    lines.push(
      `- ${t('Key Vault permission model')}: ${v.keyVault.model === 'rbac' ? 'Azure RBAC' : t('access policies')}`,
    );
  if (v.grantedBy.length) {
    lines.push(
      '',
      `## ${t('Role assignments that grant it')}`,
      '',
      '| Role | Scope | How | Condition |',
      '|---|---|---|---|',
    );
    for (const g of v.grantedBy) {
      const how = `${g.via === 'group' ? t('via a group') : t('direct')}${g.inherited ? `, ${t('inherited')}` : ''}`;
      lines.push(
        `| ${g.roleName} | ${code(g.scope)} | ${how} | ${g.condition ? t('conditional — evaluated at request time') : '—'} |`,
      );
    }
  }
  if (v.deniedBy.length) {
    lines.push('', `## ${t('Deny assignments')}`, '');
    for (const d of v.deniedBy) lines.push(`- ${d.name} ${t('at')} ${code(d.scope)} (${code(d.matchedBy)})`);
  }
  if (v.suggestion) {
    lines.push(
      '',
      `## ${t('Fix')}`,
      '',
      v.suggestion.why,
      '',
      '```sh',
      v.suggestion.azCommand,
      '```',
      '',
      `[${t('Open Access control (IAM) in the portal')}](${v.suggestion.portalUrl})`,
    );
  }
  if (v.propagation)
    lines.push(
      '',
      `## ${t('Token and propagation')}`,
      '',
      v.propagation.message,
      '',
      ...v.propagation.links.map((l) => `- ${l}`),
    );
  if (v.notes.length) lines.push('', ...v.notes.map((n) => `> ${n}`));
  if (v.unread.length) lines.push('', `## ${t('Not read')}`, '', ...v.unread.map((u) => `- ${u.what}: ${u.reason}`));
  return `${lines.join('\n')}\n`;
}

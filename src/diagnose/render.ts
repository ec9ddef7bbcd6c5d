/** The report as Markdown ("Copy report as Markdown") and as plain text for `vm-identity doctor`. */
import { HOST_LABELS } from './hostChecks';
import type { CheckStatus, Report } from './model';

const MARK: Record<CheckStatus, string> = { pass: '✅', warn: '⚠️', fail: '❌', skip: '➖' };
const WORD: Record<CheckStatus, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' };

/** Table cells: pipes and newlines would break the row. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function renderMarkdown(report: Report): string {
  const lines = [
    '## VM Identity — Diagnose',
    '',
    `**Result:** ${report.ok ? 'no failures' : 'failures found'} · **Host:** ${HOST_LABELS[report.host]}`,
    '',
    '| | Check | Evidence | Fix |',
    '|---|---|---|---|',
  ];
  for (const c of report.checks) {
    const fix = c.fix ? cell(c.fix) + (c.link ? ` ([docs](${c.link}))` : '') : c.link ? `[docs](${c.link})` : '';
    lines.push(`| ${MARK[c.status]} ${c.status} | ${cell(c.title)} | ${cell(c.evidence)} | ${fix} |`);
  }
  return lines.join('\n') + '\n';
}

export function renderText(report: Report): string {
  const lines = [`Host: ${HOST_LABELS[report.host]}`, ''];
  for (const c of report.checks) {
    lines.push(`[${WORD[c.status]}] ${c.title} (${c.id})`);
    lines.push(`       ${c.evidence}`);
    if (c.fix) lines.push(`  fix: ${c.fix}`);
    if (c.link) lines.push(`  see: ${c.link}`);
  }
  const counts = (['fail', 'warn', 'pass', 'skip'] as const)
    .map((s) => `${report.checks.filter((c) => c.status === s).length} ${s}`)
    .join(', ');
  lines.push('', `${report.ok ? 'OK' : 'FAILED'}: ${counts}`);
  return lines.join('\n') + '\n';
}

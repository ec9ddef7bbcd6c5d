/** The Diagnose report page: one row per check with status, evidence and fix. */
import type { CheckStatus, DiagnoseCheckView, DiagnoseReportView, PageMessage } from '../../src/ui/webviews/protocol';
import { button, externalLink, h } from './dom';

const STATUS_TEXT: Record<CheckStatus, { icon: string; label: string }> = {
  pass: { icon: '✓', label: 'Pass' },
  warn: { icon: '!', label: 'Warning' },
  fail: { icon: '✕', label: 'Fail' },
  skip: { icon: '–', label: 'Skipped' },
};

function statusBadge(status: CheckStatus): HTMLElement {
  const s = STATUS_TEXT[status] ?? STATUS_TEXT.skip;
  return h('vscode-badge', { class: `badge-${status}`, 'aria-label': s.label }, `${s.icon} ${s.label}`);
}

function checkRow(check: DiagnoseCheckView, send: (m: PageMessage) => void): HTMLElement {
  const link = check.link;
  return h(
    'vscode-table-row',
    { id: `check-${check.id}` },
    h('vscode-table-cell', { class: 'status' }, statusBadge(check.status)),
    h('vscode-table-cell', {}, h('strong', {}, check.title), h('div', { class: 'check-id' }, check.id)),
    h('vscode-table-cell', { class: 'evidence' }, check.evidence),
    h(
      'vscode-table-cell',
      {},
      check.fix ?? '',
      link ? ' ' : undefined,
      link ? externalLink(`link-${check.id}`, link, 'Learn more', send) : undefined,
    ),
  );
}

export function renderDiagnose(
  report: DiagnoseReportView,
  running: boolean,
  send: (m: PageMessage) => void,
): HTMLElement {
  const counts = (['fail', 'warn', 'pass', 'skip'] as const).map(
    (s) => [s, report.checks.filter((c) => c.status === s).length] as const,
  );
  const order: Record<CheckStatus, number> = { fail: 0, warn: 1, pass: 2, skip: 3 };
  const checks = [...report.checks].sort((a, b) => (order[a.status] ?? 4) - (order[b.status] ?? 4));
  return h(
    'section',
    { 'aria-labelledby': 'title', 'aria-busy': running ? 'true' : undefined },
    h(
      'h1',
      { id: 'title' },
      'VM Identity: Diagnose ',
      h(
        'vscode-badge',
        { class: report.ok ? 'badge-pass' : 'badge-fail' },
        report.ok ? 'No failures' : 'Problems found',
      ),
    ),
    h(
      'p',
      {},
      `Host: ${report.host}. `,
      counts
        .filter(([, n]) => n > 0)
        .map(([s, n]) => `${n} ${STATUS_TEXT[s].label.toLowerCase()}`)
        .join(', '),
    ),
    h(
      'div',
      { class: 'actions', role: 'toolbar', 'aria-label': 'Report actions' },
      button('btn-copy-markdown', 'Copy report as Markdown', () => send({ type: 'copyMarkdown' })),
      button('btn-run-again', running ? 'Running…' : 'Run again', () => send({ type: 'runAgain' }), {
        secondary: true,
        disabled: running,
      }),
    ),
    h('p', { id: 'notice', role: 'status', class: 'notice' }),
    h(
      'vscode-table',
      { 'aria-label': 'Checks', zebra: true, 'bordered-rows': true, columns: undefined },
      h(
        'vscode-table-header',
        { slot: 'header' },
        ...['Status', 'Check', 'Evidence', 'Fix'].map((t) => h('vscode-table-header-cell', {}, t)),
      ),
      h('vscode-table-body', { slot: 'body' }, ...checks.map((c) => checkRow(c, send))),
    ),
  );
}

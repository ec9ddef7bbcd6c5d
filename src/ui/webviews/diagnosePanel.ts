/** The Diagnose report: every check with its status, evidence and fix; copy as Markdown; run again. */
import * as vscode from 'vscode';
import { type WebviewPage, openExternalLink, openWebviewPage } from './panel';
import type { DiagnoseReportView } from './protocol';

export interface DiagnosePanelDeps {
  extensionUri: vscode.Uri;
  /** Runs every check again; the panel shows "running" meanwhile. */
  runDiagnose: () => Promise<DiagnoseReportView>;
  /** The report as Markdown for issues and chats (rendered by the diagnose module). */
  reportMarkdown: (report: DiagnoseReportView) => string | Promise<string>;
  onError?: (error: unknown) => void;
}

const DIAGNOSE_VIEW_TYPE = 'vmIdentity.diagnose';

export function openDiagnoseReport(deps: DiagnosePanelDeps, report: DiagnoseReportView): WebviewPage {
  let running = false;
  return openWebviewPage({
    extensionUri: deps.extensionUri,
    viewType: DIAGNOSE_VIEW_TYPE,
    title: vscode.l10n.t('VM Identity: Diagnose'),
    state: { page: 'diagnose', report, running },
    onError: deps.onError && ((e) => deps.onError!(e)),
    onMessage: async (message, page) => {
      const current = page.currentState;
      if (current.page !== 'diagnose') return;
      switch (message.type) {
        case 'copyMarkdown':
          await vscode.env.clipboard.writeText(await deps.reportMarkdown(current.report));
          page.notice(vscode.l10n.t('Report copied as Markdown.'));
          return;
        case 'runAgain': {
          if (running) return; // one run at a time; the button is disabled meanwhile anyway
          running = true;
          page.update({ ...current, running });
          try {
            const fresh = await deps.runDiagnose();
            page.update({ page: 'diagnose', report: fresh, running: false });
          } catch (e) {
            page.update({ ...current, running: false });
            throw e;
          } finally {
            running = false;
          }
          return;
        }
        case 'openLink':
          return openExternalLink(message.url);
        default:
          return;
      }
    },
  });
}

/**
 * "VM Identity: Diagnose": runs every check against this machine (src/doctor, the same as `vm-identity doctor`)
 * and shows the report in the Diagnose panel, with "Copy report as Markdown" and "Run again". One panel: running
 * Diagnose again while it is open refreshes and reveals it. VS Code's http settings are read here and passed in.
 */
import * as fs from 'node:fs';
import { getProxyForUrl } from 'proxy-from-env';
import * as vscode from 'vscode';
import { IdentityService } from '../../azure';
import type { Logger } from '../../core/log';
import { type Report, type VsCodeHttpSettings, renderMarkdown } from '../../diagnose';
import { runDoctor } from '../../doctor/run';
import { ManagedIdentityClient } from '../../identity';
import type { Session } from '../../session/session';
import { readSettings } from '../settings';
import { openDiagnoseReport } from '../webviews/diagnosePanel';
import type { WebviewPage } from '../webviews/panel';

export const DIAGNOSE_COMMAND = 'vmIdentity.diagnose';
/** Diagnose waits at most this long for the identity endpoint (sign-in may wait longer). */
const DIAGNOSE_DEADLINE_MS = 20_000;

export interface DiagnoseDeps {
  session: Session;
  extensionUri: vscode.Uri;
  log: Logger;
  env?: NodeJS.ProcessEnv;
}

function vsCodeHttpSettings(): VsCodeHttpSettings {
  const http = vscode.workspace.getConfiguration('http');
  const support = http.get<string>('proxySupport');
  return {
    proxy: http.get<string>('proxy') ?? '',
    proxySupport: support === 'off' || support === 'on' || support === 'fallback' ? support : 'override',
    systemCertificates: http.get<boolean>('systemCertificates') !== false,
    noProxy: http.get<string[]>('noProxy') ?? [],
  };
}

/**
 * One Diagnose run against this machine with VS Code's settings: the command's panel and the
 * `vm-identity_diagnose` language-model tool both use it, so a model sees the same checks as the user.
 */
export async function runDiagnoseHere(deps: Omit<DiagnoseDeps, 'extensionUri'>): Promise<Report> {
  const env = deps.env ?? process.env;
  const settings = readSettings();
  const vscodeHttp = vsCodeHttpSettings();
  // A client of its own: a short deadline, and a fresh token without disturbing the session's.
  const client = new ManagedIdentityClient({
    env,
    fileExists: fs.existsSync,
    logger: deps.log,
    timeouts: { deadlineMs: DIAGNOSE_DEADLINE_MS },
  });
  const service = new IdentityService({ identityClient: client, env, logger: deps.log });
  const started = Date.now();
  const report = await runDoctor({
    env,
    client,
    selector: deps.session.identity,
    instanceMetadata: () => service.instanceMetadata(),
    // VS Code's patched https applies http.proxy first, then the environment's proxy variables.
    proxyFor: (url) => (vscodeHttp.proxySupport !== 'off' && vscodeHttp.proxy) || getProxyForUrl(url.href) || undefined,
    graph: settings.showDisplayName,
    logger: deps.log,
    vscode: vscodeHttp,
  });
  const failed = report.checks.filter((c) => c.status === 'fail').map((c) => c.id);
  deps.log.info(`diagnose: ${report.ok ? 'ok' : `failed: ${failed.join(', ')}`} in ${Date.now() - started} ms`);
  return report;
}

export function createDiagnose(deps: DiagnoseDeps): () => Promise<WebviewPage> {
  let page: WebviewPage | undefined;
  const run = (): Promise<Report> => runDiagnoseHere(deps);

  return async () => {
    const report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('VM Identity: running Diagnose…') },
      run,
    );
    if (page) {
      page.update({ page: 'diagnose', report, running: false });
      page.reveal();
      return page;
    }
    page = openDiagnoseReport(
      { extensionUri: deps.extensionUri, runDiagnose: run, reportMarkdown: (r) => renderMarkdown(r as Report) },
      report,
    );
    page.panel.onDidDispose(() => (page = undefined));
    return page;
  };
}

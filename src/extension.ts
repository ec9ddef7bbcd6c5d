/**
 * Composition root: creates the log, the core and the UI, wires them, and nothing else.
 * Activation does no network work; the optional automatic sign-in starts after activate() returns.
 */
import * as fs from 'node:fs';
import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import { AuthSessionRegistry } from './agents/authRegistry';
import { IdentityService } from './azure';
import { redacting } from './core/log';
import { ManagedIdentityClient } from './identity';
import { Session, type SessionState } from './session/session';
import { registerAuthProvider } from './ui/authProvider';
import { registerCommands } from './ui/commands';
import { registerLanguageModelTools } from './ui/lmTools';
import { roleNameMemento } from './ui/roleNameMemento';
import { copyTokenWithWarning } from './ui/commands/copyToken';
import { DIAGNOSE_COMMAND, createDiagnose } from './ui/commands/diagnose';
import { GET_TOKEN_COMMAND, getTokenFor } from './ui/commands/getToken';
import { registerErrorWelcome } from './ui/errorWelcome';
import { guarded } from './ui/errors';
import { identityForTerminal } from './ui/terminal/sessionIdentity';
import { registerIdentityTerminal } from './ui/terminal/identityTerminal';
import { SECTION, readSettings } from './ui/settings';
import { StatusBar } from './ui/statusBar';
import { IdentityTreeProvider, VIEW_ID } from './ui/tree';

/** What the extension exposes to other extensions (and to its integration tests). */
export interface VmIdentityApi {
  readonly state: SessionState;
  onDidChangeState(listener: (state: SessionState) => void): vscode.Disposable;
  /** The identity view's data provider, as registered (the integration tests read the tree through it). */
  readonly tree: vscode.TreeDataProvider<unknown>;
}

export function activate(context: vscode.ExtensionContext): VmIdentityApi {
  const started = performance.now();
  // The vscode-free UI helpers (terminal banner, token state, page shell) translate with @vscode/l10n: same bundle.
  if (vscode.l10n.bundle) l10n.config({ contents: vscode.l10n.bundle });
  const channel = vscode.window.createOutputChannel(vscode.l10n.t('VM Identity'), { log: true });
  const logger = redacting(channel);
  const settings = readSettings();
  const reportSettingProblem = (problem: string | undefined) => {
    if (!problem) return;
    logger.warn(problem);
    void vscode.window
      .showWarningMessage(problem, vscode.l10n.t('Select identity…'))
      .then((c) => c && vscode.commands.executeCommand('vmIdentity.selectIdentity'));
  };
  reportSettingProblem(settings.identityProblem);
  if (settings.cloudProblem) {
    logger.warn(settings.cloudProblem);
    void vscode.window.showWarningMessage(settings.cloudProblem);
  }

  // No agentFor: inside VS Code, ARM/Graph go through the `https` that VS Code patched with its proxy
  // settings; the identity endpoints use their own direct transport.
  // A proxy configured (VS Code's http.proxy or the environment): an HTML answer at the metadata address may be it.
  const env = process.env;
  const proxyConfigured = !!(
    vscode.workspace.getConfiguration('http').get<string>('proxy') ||
    env.HTTPS_PROXY ||
    env.https_proxy ||
    env.HTTP_PROXY ||
    env.http_proxy
  );
  const identityClient = new ManagedIdentityClient({
    env,
    fileExists: fs.existsSync,
    logger,
    proxyConfigured,
    timeouts: { deadlineMs: settings.timeoutMs },
  });
  const roleNames = roleNameMemento(context.globalState);
  const service = new IdentityService({
    identityClient,
    env,
    logger,
    cloud: settings.cloud,
    proxyConfigured,
    roleNames,
  });
  const session = new Session({ service, logger });
  const include = (showDisplayName: boolean) => ({ roles: true, vmIdentityBlock: true, displayName: showDisplayName });
  void session.configure({ identity: settings.identity, include: include(settings.showDisplayName) });

  const tree = new IdentityTreeProvider(session);
  const view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: tree, showCollapseAll: true });
  const setContext = (s: SessionState) =>
    void vscode.commands.executeCommand('setContext', 'vmIdentity.state', s.status);
  setContext(session.state);
  let message: string | undefined;
  const stateSubscription = session.onDidChange((s) => {
    setContext(s);
    // Each assignment is a view update, and VS Code spaces those 200 ms apart (see tree.ts): assign changes only.
    const next = s.status === 'signedIn' && s.refreshing ? vscode.l10n.t('Refreshing…') : undefined;
    if (next !== message) view.message = message = next;
  });

  context.subscriptions.push(
    channel,
    session,
    tree,
    view,
    new StatusBar(session),
    // Other extensions (through VS Code's consent) and models (read-only, never a token): docs/SECURITY.md.
    registerAuthProvider(new AuthSessionRegistry(session, logger)),
    ...registerLanguageModelTools(session, logger),
    { dispose: () => stateSubscription.dispose() },
    // Commands get the redacting logger; only this file holds the raw channel (to show it).
    ...registerCommands({ session, log: logger, showLog: () => channel.show(true) }),
    ...registerUseCommands(context, session, logger),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SECTION)) return;
      const next = readSettings();
      if (e.affectsConfiguration(`${SECTION}.identity`)) reportSettingProblem(next.identityProblem);
      const identityChanged = e.affectsConfiguration(`${SECTION}.identity`);
      if (identityChanged) logger.info('identity setting changed');
      if (e.affectsConfiguration(`${SECTION}.cloud`)) {
        if (next.cloudProblem) void vscode.window.showWarningMessage(next.cloudProblem);
        service.configure({ cloud: next.cloud ?? null });
      }
      void session.configure({
        timeoutMs: next.timeoutMs,
        include: e.affectsConfiguration(`${SECTION}.showDisplayName`) ? include(next.showDisplayName) : undefined,
        identity: identityChanged ? next.identity : undefined,
      });
    }),
  );

  if (settings.signInAutomatically) {
    // After activation, in the background: an unreachable endpoint just leaves the welcome view.
    const timer = setTimeout(() => {
      if (session.state.status === 'signedOut') void session.signIn();
    }, 0);
    context.subscriptions.push({ dispose: () => clearTimeout(timer) });
  }

  logger.info(`activated in ${(performance.now() - started).toFixed(1)} ms`);
  return {
    get state() {
      return session.state;
    },
    onDidChangeState: (listener) => {
      const d = session.onDidChange(listener);
      return new vscode.Disposable(() => d.dispose());
    },
    tree,
  };
}

/** Using the identity (issue 11): tokens for any service, Diagnose, the error welcome view, the identity terminal. */
function registerUseCommands(
  context: vscode.ExtensionContext,
  session: Session,
  logger: ReturnType<typeof redacting>,
): vscode.Disposable[] {
  const ctx = { log: logger };
  const extensionUri = context.extensionUri;
  const diagnose = createDiagnose({ session, extensionUri, log: logger });
  const copyToken = (resource: string) => copyTokenWithWarning(session, logger, resource);
  return [
    vscode.commands.registerCommand(
      GET_TOKEN_COMMAND,
      // A resource argument skips the pick (other extensions, tests); the palette and the tree pass none.
      guarded(GET_TOKEN_COMMAND, ctx, (resource?: unknown) =>
        getTokenFor(
          { session, extensionUri, copyToken, log: logger },
          typeof resource === 'string' ? resource : undefined,
        ),
      ),
    ),
    vscode.commands.registerCommand(
      DIAGNOSE_COMMAND,
      guarded(DIAGNOSE_COMMAND, ctx, () => diagnose()),
    ),
    registerErrorWelcome(session),
    registerIdentityTerminal({ currentIdentity: () => identityForTerminal(session.state), log: logger }),
  ];
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}

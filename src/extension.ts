/**
 * Composition root: creates the log, the core and the UI, wires them, and nothing else.
 * Activation does no network work; the optional automatic sign-in starts after activate() returns.
 */
import * as vscode from 'vscode';
import { IdentityService } from './azure';
import { ManagedIdentityClient, redacting } from './identity';
import { Session, type SessionState } from './session/session';
import { registerCommands } from './ui/commands';
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
  const channel = vscode.window.createOutputChannel('VM Identity', { log: true });
  const logger = redacting(channel);
  const settings = readSettings();
  const reportSettingProblem = (problem: string | undefined) => {
    if (!problem) return;
    logger.warn(problem);
    void vscode.window.showWarningMessage(problem, 'Select identity…').then((c) => c && vscode.commands.executeCommand('vmIdentity.selectIdentity'));
  };
  reportSettingProblem(settings.identityProblem);

  // No agentFor: inside VS Code, ARM/Graph go through the `https` that VS Code patched with its proxy
  // settings; the identity endpoints use their own direct transport.
  const identityClient = new ManagedIdentityClient({ logger, timeouts: { deadlineMs: settings.timeoutMs } });
  const service = new IdentityService({ identityClient, logger });
  const session = new Session({ service, logger, include: { roles: true, vmIdentityBlock: true, displayName: settings.showDisplayName } });
  void session.setIdentity(settings.identity);

  const tree = new IdentityTreeProvider(session);
  const view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: tree, showCollapseAll: true });
  const setContext = (s: SessionState) => void vscode.commands.executeCommand('setContext', 'vmIdentity.state', s.status);
  setContext(session.state);
  let message: string | undefined;
  const stateSubscription = session.onDidChange((s) => {
    setContext(s);
    // Each assignment is a view update, and VS Code spaces those 200 ms apart (see tree.ts): assign changes only.
    const next = s.status === 'signedIn' && s.refreshing ? 'Refreshing…' : undefined;
    if (next !== message) view.message = message = next;
  });

  context.subscriptions.push(
    channel,
    session,
    tree,
    view,
    new StatusBar(session),
    { dispose: () => stateSubscription.dispose() },
    ...registerCommands({ session, log: channel }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SECTION)) return;
      const next = readSettings();
      if (e.affectsConfiguration(`${SECTION}.identity`)) reportSettingProblem(next.identityProblem);
      identityClient.setTimeouts({ deadlineMs: next.timeoutMs });
      if (e.affectsConfiguration(`${SECTION}.showDisplayName`)) session.setInclude({ roles: true, vmIdentityBlock: true, displayName: next.showDisplayName });
      if (e.affectsConfiguration(`${SECTION}.identity`)) {
        logger.info('identity setting changed');
        void session.setIdentity(next.identity);
      }
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

export function deactivate(): void {
  // Everything is in context.subscriptions.
}

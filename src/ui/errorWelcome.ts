/**
 * A failed or unavailable sign-in as a welcome view (package.json `viewsWelcome`): welcome content is static, so
 * the state is told through context keys and each error kind has its own content with the cause and the fix in
 * full; buttons run the fix's own action, Diagnose, Try again and Show log. Kinds without their own content keep
 * the tree's error rows, because their message is specific to the request (a time-out names its limit, a service
 * error its status and host).
 */
import * as vscode from 'vscode';
import type { ErrorKind } from '../core/errors';
import type { Session, SessionState } from '../session/session';
import { runAction } from './errors';

/** Error kinds the welcome view explains (a `viewsWelcome` entry per kind in package.json). */
export const WELCOME_KINDS: ReadonlySet<ErrorKind> = new Set<ErrorKind>([
  'endpointUnreachable',
  'identityNotFound',
  'multipleIdentities',
  'proxyInterference',
  'throttled',
]);

const FIX_ERROR_COMMAND = 'vmIdentity.fixError';

interface WelcomeContext {
  /** The error kind, when the welcome view explains it; '' otherwise. */
  'vmIdentity.errorKind': string;
  /** The remedy whose action the "fix" button runs; '' when the error has no action. */
  'vmIdentity.errorAction': string;
}

function welcomeContext(state: SessionState): WelcomeContext {
  if ((state.status !== 'error' && state.status !== 'unavailable') || !WELCOME_KINDS.has(state.error.kind)) {
    return { 'vmIdentity.errorKind': '', 'vmIdentity.errorAction': '' };
  }
  const { error } = state;
  return { 'vmIdentity.errorKind': error.kind, 'vmIdentity.errorAction': error.actions.length ? error.remedy : '' };
}

/** Keeps the context keys in step with the session and registers the fix button's command. */
export function registerErrorWelcome(session: Session): vscode.Disposable {
  let last: WelcomeContext | undefined;
  const apply = (state: SessionState) => {
    const next = welcomeContext(state);
    for (const [key, value] of Object.entries(next)) {
      if (last?.[key as keyof WelcomeContext] !== value) void vscode.commands.executeCommand('setContext', key, value);
    }
    last = next;
  };
  apply(session.state);
  const subscription = session.onDidChange(apply);
  const command = vscode.commands.registerCommand(FIX_ERROR_COMMAND, async () => {
    const state = session.state;
    const action = state.status === 'error' || state.status === 'unavailable' ? state.error.actions[0] : undefined;
    if (action) await runAction(action);
  });
  return new vscode.Disposable(() => {
    subscription.dispose();
    command.dispose();
  });
}

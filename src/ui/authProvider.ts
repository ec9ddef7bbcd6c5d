/**
 * The `vm-identity` authentication provider: other extensions ask
 * `vscode.authentication.getSession('vm-identity', ['https://vault.azure.net/.default'], { createIfNone: true })`.
 * VS Code shows its own consent prompt for each asking extension before createSession runs and remembers the
 * answer per extension and account; this provider adds no path around it. The logic lives in src/agents
 * (scopes, ids, changes); this file only adapts it to the vscode API.
 */
import * as vscode from 'vscode';
import { type AuthSessionRegistry, SessionUnavailableError } from '../agents/authRegistry';
import { AUTH_PROVIDER_ID, AUTH_PROVIDER_LABEL, type AnnouncedSession, ScopeError } from '../agents/authSessions';

export function registerAuthProvider(registry: AuthSessionRegistry): vscode.Disposable {
  const emitter = new vscode.EventEmitter<vscode.AuthenticationProviderAuthenticationSessionsChangeEvent>();
  // The event carries the sessions without their tokens: listeners call getSession for a fresh one.
  const stripped = (s: AnnouncedSession): vscode.AuthenticationSession => ({
    id: s.id,
    accessToken: '',
    account: s.account,
    scopes: s.scopes,
  });
  const changes = registry.onDidChangeSessions((c) =>
    emitter.fire({ added: c.added.map(stripped), removed: c.removed.map(stripped), changed: c.changed.map(stripped) }),
  );
  const withTypedErrors = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (e) {
      // VS Code shows the message to the asking extension's user; both say what to do.
      if (e instanceof ScopeError || e instanceof SessionUnavailableError) throw new Error(e.message);
      throw e;
    }
  };
  const provider: vscode.AuthenticationProvider = {
    onDidChangeSessions: emitter.event,
    getSessions: (scopes) => withTypedErrors(() => registry.getSessions(scopes)),
    createSession: (scopes) => withTypedErrors(() => registry.createSession(scopes)),
    removeSession: (id) => registry.removeSession(id),
  };
  const registration = vscode.authentication.registerAuthenticationProvider(
    AUTH_PROVIDER_ID,
    AUTH_PROVIDER_LABEL,
    provider,
    {
      // One resource per session: a second resource is a second session, each consented to separately.
      supportsMultipleAccounts: false,
    },
  );
  return vscode.Disposable.from(
    registration,
    emitter,
    { dispose: () => changes.dispose() },
    { dispose: () => registry.dispose() },
  );
}

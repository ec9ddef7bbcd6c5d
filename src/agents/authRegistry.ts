/**
 * The sessions the `vm-identity` authentication provider has, without vscode: one per resource an extension
 * created a session for (through VS Code's consent), for the identity signed in now. Nothing while signed out;
 * sign out forgets the resources too (sign out forgets everything, docs/ARCHITECTURE.md). Tokens are never
 * kept here: each session read asks the identity client, whose single-flight cache renews them when due.
 */
import type { Snapshot } from '../azure';
import { type Logger, describeForLog, redacting, silentLogger } from '../core/log';
import type { SessionState } from '../session/session';
import {
  type AnnouncedSession,
  type SessionAccount,
  type SessionChanges,
  accountFor,
  isEmpty,
  resourceOfScopes,
  sessionChanges,
  sessionIdFor,
} from './authSessions';

/** What the registry needs of the extension's sign-in session (src/session/session.ts fits). */
export interface IdentitySessionPort {
  readonly state: SessionState;
  signIn(): Promise<SessionState>;
  /** A token for `resource` as the signed-in identity (cached, single flight). */
  accessToken(resource: string): Promise<string>;
  /** Forgets the cached token for `resource`. */
  forgetToken(resource: string): void;
  onDidChange(listener: (state: SessionState) => void): { dispose(): void };
}

export interface AuthSessionData {
  id: string;
  accessToken: string;
  account: SessionAccount;
  scopes: readonly string[];
}

/** Signing in failed or is not possible: the message says why (shown by VS Code to the asking extension). */
export class SessionUnavailableError extends Error {
  override readonly name = 'SessionUnavailableError';
}

type ChangeListener = (changes: SessionChanges<AnnouncedSession>) => void;

interface Wanted {
  resource: string;
  scopes: readonly string[];
}

export class AuthSessionRegistry {
  /** Resources with a session, by lower-cased resource. */
  private readonly wanted = new Map<string, Wanted>();
  private announced: AnnouncedSession[] = [];
  private readonly listeners = new Set<ChangeListener>();
  private readonly subscription: { dispose(): void };
  private readonly logger: Logger;

  constructor(
    private readonly session: IdentitySessionPort,
    logger?: Logger,
  ) {
    this.logger = redacting(logger ?? silentLogger);
    this.subscription = session.onDidChange((state) => {
      if (state.status === 'signedOut') this.wanted.clear();
      this.announce();
    });
  }

  onDidChangeSessions(listener: ChangeListener): { dispose(): void } {
    const entry: ChangeListener = (c) => listener(c);
    this.listeners.add(entry);
    return { dispose: () => this.listeners.delete(entry) };
  }

  /** Sessions for `scopes` (one resource), or every session when `scopes` is undefined; none while signed out. */
  async getSessions(scopes: readonly string[] | undefined): Promise<AuthSessionData[]> {
    const snapshot = this.snapshot();
    if (!snapshot) return [];
    const picked = scopes === undefined ? [...this.wanted.values()] : this.pick(resourceOfScopes(scopes));
    const sessions = await Promise.allSettled(picked.map((w) => this.toSession(snapshot, w)));
    return sessions.flatMap((s) => {
      if (s.status === 'fulfilled') return [s.value];
      this.logger.warn(`no token for a session: ${describeForLog(s.reason)}`);
      return [];
    });
  }

  /** Signs in if needed, then the session for the one resource in `scopes` (VS Code asked the user first). */
  async createSession(scopes: readonly string[]): Promise<AuthSessionData> {
    const resource = resourceOfScopes(scopes);
    let state = this.session.state;
    if (state.status !== 'signedIn') state = await this.session.signIn();
    if (state.status !== 'signedIn') {
      const why =
        state.status === 'error' || state.status === 'unavailable'
          ? state.error.message
          : `the VM identity is ${state.status}`;
      throw new SessionUnavailableError(`Cannot sign in with the VM identity: ${why}`);
    }
    const wanted = { resource, scopes: [...scopes] };
    const session = await this.toSession(state.snapshot, wanted);
    this.wanted.set(resource.toLowerCase(), wanted);
    this.announce();
    return session;
  }

  /** Forgets the session's resource and its token (the Accounts menu's sign out calls this per session). */
  async removeSession(id: string): Promise<void> {
    const announced = this.announced.find((s) => s.id === id);
    if (!announced) return;
    this.wanted.delete(announced.resource.toLowerCase());
    this.session.forgetToken(announced.resource);
    this.announce();
  }

  dispose(): void {
    this.subscription.dispose();
    this.listeners.clear();
  }

  private pick(resource: string): Wanted[] {
    const w = this.wanted.get(resource.toLowerCase());
    return w ? [w] : [];
  }

  /** The identity's snapshot while signed in (a Refresh under way keeps the previous one's sessions). */
  private snapshot(): Snapshot | undefined {
    const s = this.session.state;
    if (s.status === 'signedIn') return s.snapshot;
    if (s.status === 'signingIn') return s.previous;
    return undefined;
  }

  private async toSession(snapshot: Snapshot, w: Wanted): Promise<AuthSessionData> {
    const accessToken = await this.session.accessToken(w.resource);
    return {
      id: sessionIdFor(snapshot.identity.principalId, w.resource),
      accessToken,
      account: accountFor(snapshot),
      scopes: w.scopes,
    };
  }

  private announce(): void {
    const snapshot = this.snapshot();
    const next: AnnouncedSession[] = snapshot
      ? [...this.wanted.values()].map((w) => ({
          id: sessionIdFor(snapshot.identity.principalId, w.resource),
          resource: w.resource,
          scopes: w.scopes,
          account: accountFor(snapshot),
          renewedAt: snapshot.identity.token.expiresOn,
        }))
      : [];
    const changes = sessionChanges(this.announced, next);
    this.announced = next;
    if (isEmpty(changes)) return;
    for (const listener of [...this.listeners]) {
      try {
        listener(changes);
      } catch (e) {
        this.logger.error(`a listener of the authentication sessions failed: ${describeForLog(e)}`);
      }
    }
  }
}

/**
 * The sign-in session: signed out → signing in → signed in | error | unavailable. One sign-in in flight;
 * a silent refresh before the token is due (a user's Refresh during it upgrades it to a full re-read); sign
 * out forgets everything. Platform-neutral (no vscode): the UI subscribes with {@link Session.onDidChange};
 * a listener that throws is logged and does not stop the others or the transition.
 */
import type { AccessContext, IdentityService, Include, ProbeDeps, Snapshot } from '../azure';
import { type Clock, systemClock } from '../core/clock';
import { type VmIdentityError, toVmIdentityError, usageError } from '../core/errors';
import { type Logger, describeForLog, redacting, silentLogger } from '../core/log';
import { type IdentitySelector, SYSTEM_ASSIGNED } from '../identity';

export type SessionState =
  | { status: 'signedOut' }
  | { status: 'signingIn'; previous?: Snapshot }
  | { status: 'signedIn'; snapshot: Snapshot; refreshing: boolean }
  | { status: 'error'; error: VmIdentityError }
  /** No identity endpoint answers here: not an Azure VM, or no identity enabled. */
  | { status: 'unavailable'; error: VmIdentityError };

export interface SessionOptions {
  service: IdentityService;
  logger?: Logger;
  clock?: Clock;
  include?: Include;
  /** Timer seam for the silent refresh. */
  setTimer?: (fn: () => void, ms: number) => { dispose(): void };
}

/** What the UI's settings decide; any subset may change at once. */
export interface SessionSettings {
  identity?: IdentitySelector;
  include?: Include;
  /** Give up on signing in after this long (retries included). */
  timeoutMs?: number;
}

type Listener = (state: SessionState) => void;

const MAX_TIMER_MS = 2 ** 31 - 1;
const MIN_REFRESH_MS = 1000;

export class Session {
  private current: SessionState = { status: 'signedOut' };
  private readonly listeners = new Set<Listener>();
  private inFlight?: { promise: Promise<SessionState>; abort: AbortController; silent: boolean };
  private refreshTimer?: { dispose(): void };
  private selector: IdentitySelector = SYSTEM_ASSIGNED;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly setTimer: NonNullable<SessionOptions['setTimer']>;
  private include: Include;

  constructor(private readonly options: SessionOptions) {
    this.logger = redacting(options.logger ?? silentLogger);
    this.clock = options.clock ?? systemClock;
    this.include = options.include ?? { roles: true, displayName: true, vmIdentityBlock: true };
    this.setTimer =
      options.setTimer ??
      ((fn, ms) => {
        const t = setTimeout(fn, ms);
        t.unref?.();
        return { dispose: () => clearTimeout(t) };
      });
  }

  get state(): SessionState {
    return this.current;
  }

  get identity(): IdentitySelector {
    return this.selector;
  }

  onDidChange(listener: Listener): { dispose(): void } {
    // A wrapper per subscription, so subscribing the same function twice gives two independent subscriptions.
    const entry: Listener = (state) => listener(state);
    this.listeners.add(entry);
    return { dispose: () => this.listeners.delete(entry) };
  }

  /**
   * Applies settings: the identity (signs in again if signed in, or trying to), what is looked up and the
   * time limit (both take effect at the next sign-in or refresh).
   */
  configure(settings: SessionSettings): Promise<SessionState> {
    if (settings.include) this.include = settings.include;
    if (settings.timeoutMs !== undefined) this.options.service.configure({ timeoutMs: settings.timeoutMs });
    if (!settings.identity) return Promise.resolve(this.current);
    this.selector = settings.identity;
    if (this.current.status === 'signedOut') return Promise.resolve(this.current);
    this.cancelInFlight();
    return this.signIn();
  }

  /** Signs in, or joins the sign-in already under way. */
  signIn(): Promise<SessionState> {
    if (this.inFlight) return this.inFlight.promise;
    return this.run(false, false);
  }

  /**
   * Reads everything again (fresh token included). Joins a sign-in or refresh already under way; a silent
   * token renewal in flight is upgraded: it re-reads only the token, and the user asked for everything.
   */
  refresh(): Promise<SessionState> {
    if (this.inFlight && !this.inFlight.silent) return this.inFlight.promise;
    this.cancelInFlight();
    return this.run(true, false);
  }

  /**
   * An access token for `resource` as the current identity: the explicit "copy token" action, and the
   * authentication provider's sessions (other extensions, after VS Code's consent).
   */
  accessToken(resource: string): Promise<string> {
    return this.options.service.accessToken(resource, this.selector);
  }

  /** The identity as the access checker sees it (signed in only): an ARM reader, iat, portal. */
  accessContext(signal?: AbortSignal): Promise<AccessContext> {
    if (this.state.status !== 'signedIn')
      return Promise.reject(
        usageError(
          'Not signed in: the access check runs as the signed-in identity.',
          'Sign in first (VM Identity: Sign In).',
        ),
      );
    return this.options.service.accessContext(this.state.snapshot, signal);
  }

  /** What a data-plane probe needs, for the current identity. */
  probe(): { deps: ProbeDeps; selector: IdentitySelector } {
    return { deps: this.options.service.probeDeps(), selector: this.selector };
  }

  /** Forgets the cached token for `resource` (an extension signed out of that resource). */
  forgetToken(resource: string): void {
    this.options.service.forgetToken(resource, this.selector);
  }

  signOut(): void {
    this.cancelInFlight();
    this.clearTimer();
    this.options.service.reset();
    this.set({ status: 'signedOut' });
  }

  dispose(): void {
    this.cancelInFlight();
    this.clearTimer();
    this.listeners.clear();
  }

  private run(forceRefresh: boolean, silent: boolean): Promise<SessionState> {
    const abort = new AbortController();
    const previous = this.current.status === 'signedIn' ? this.current.snapshot : undefined;
    if (!silent) this.set({ status: 'signingIn', previous });
    else if (this.current.status === 'signedIn') this.set({ ...this.current, refreshing: true });
    const selector = this.selector;
    const work =
      silent && previous
        ? this.options.service.renewToken(previous, abort.signal)
        : this.options.service.snapshot(selector, this.include, abort.signal, forceRefresh);
    const promise = work
      .then(
        (snapshot): SessionState => ({
          status: 'signedIn',
          snapshot: markReused(snapshot, forceRefresh ? previous : undefined),
          refreshing: false,
        }),
        (e: unknown): SessionState => {
          const error = toVmIdentityError(e);
          if (silent && previous && this.clock.now() < previous.identity.token.expiresOn) {
            // A failed silent refresh while the token is still valid: stay signed in, try again later.
            this.logger.warn(
              `silent refresh failed (${error.message}); the current token is valid until ${new Date(previous.identity.token.expiresOn).toISOString()}`,
            );
            return { status: 'signedIn', snapshot: previous, refreshing: false };
          }
          return error.kind === 'endpointUnreachable' ? { status: 'unavailable', error } : { status: 'error', error };
        },
      )
      .then((state) => {
        if (this.inFlight?.abort !== abort) return this.current; // superseded (sign out, identity change)
        this.inFlight = undefined;
        if (state.status === 'error' && state.error.kind === 'cancelled') return this.current;
        this.set(state);
        this.scheduleRefresh(state, silent);
        return state;
      });
    this.inFlight = { promise, abort, silent };
    return promise;
  }

  private scheduleRefresh(state: SessionState, afterSilent: boolean): void {
    this.clearTimer();
    if (state.status !== 'signedIn') return;
    const { refreshAfter, expiresOn } = state.snapshot.identity.token;
    const now = this.clock.now();
    // After a failed silent refresh refreshAfter is in the past: retry in a minute, before expiry.
    let due = refreshAfter - now;
    if (due < MIN_REFRESH_MS)
      due = afterSilent ? Math.min(60_000, Math.max(MIN_REFRESH_MS, (expiresOn - now) / 2)) : MIN_REFRESH_MS;
    this.refreshTimer = this.setTimer(
      () => {
        this.refreshTimer = undefined;
        if (this.inFlight || this.current.status !== 'signedIn') return;
        this.logger.info('refreshing the token before it expires');
        void this.run(false, true);
      },
      Math.min(due, MAX_TIMER_MS),
    );
  }

  private cancelInFlight(): void {
    if (!this.inFlight) return;
    this.inFlight.abort.abort();
    this.inFlight = undefined;
  }

  private clearTimer(): void {
    this.refreshTimer?.dispose();
    this.refreshTimer = undefined;
  }

  private set(state: SessionState): void {
    this.current = state;
    for (const listener of [...this.listeners]) {
      try {
        listener(state);
      } catch (e) {
        this.logger.error(`a listener of the session state failed: ${describeForLog(e)}`);
      }
    }
  }
}

/**
 * After a Refresh (a fresh token asked for), the same token again — same principal, same `iat` — means the
 * identity host served its cache (IMDS keeps one per resource for up to 24 h: entra-docs managed-identities-faq.md).
 */
function markReused(snapshot: Snapshot, previous: Snapshot | undefined): Snapshot {
  const was = previous?.identity;
  const now = snapshot.identity;
  const same =
    !!was &&
    was.principalId === now.principalId &&
    was.token.issuedAt !== undefined &&
    was.token.issuedAt === now.token.issuedAt;
  return same ? { ...snapshot, sameTokenAfterRefresh: true } : snapshot;
}

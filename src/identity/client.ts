/**
 * The embedded identity client: gets tokens for the VM's managed identity from whichever host serves
 * this machine (detected once, from the environment it is given), with the identity retry policy, a
 * single-flight cache and typed errors. No `vscode` and no global state here: collaborators come in.
 */
import { type Clock, systemClock } from '../core/clock';
import { type HostProblem, errorFor } from '../core/errorTable';
import { VmIdentityError, isVmIdentityError } from '../core/errors';
import { directHttp } from '../core/directHttp';
import {
  DEFAULT_TIMEOUTS,
  type HttpClient,
  type SendContext,
  type Timeouts,
  describeRequest,
  sendWithRetry,
} from '../core/http';
import { type Logger, redacting, silentLogger } from '../core/log';
import { type AgentFor, createProxiedHttp } from '../core/proxiedHttp';
import { RETRY_POLICIES, type RetryPolicy } from '../core/retry';
import { SingleFlightCache } from './cache';
import { isNotAzureResponse, looksLikeHtml, mapFailure } from './responseFacts';
import { type TokenClaims, decodeClaims } from './claims';
import { type IdentitySelector, SYSTEM_ASSIGNED, selectorKey } from './selector';
import { ArcChallengeError } from './sources/arc';
import { createSource } from './sources/create';
import type { HostEnvironment } from './sources/detect';
import type { IdentitySource, MetadataEndpoint, TokenRequest } from './sources/source';
import { UnsupportedSelectorError } from './sources/source';
import { FederatedTokenFileError } from './sources/workloadIdentity';
import { type AccessToken, MAX_TOKEN_RESPONSE_BYTES, parseTokenResponse } from './tokenResponse';

export interface IdentityClientOptions {
  /** The process environment the identity host is detected from (pass `process.env` at the edge). */
  env: NodeJS.ProcessEnv;
  /** Probes a file (Azure Arc's agent); without one, no file is assumed to exist. */
  fileExists?: (file: string) => boolean;
  platform?: NodeJS.Platform;
  /** Transport to link-local/loopback identity hosts (never proxied). */
  http?: HttpClient;
  /** Transport to public token endpoints (Entra, for workload identity); default node's https with `agentFor`. */
  proxiedHttp?: HttpClient;
  agentFor?: AgentFor;
  /**
   * An HTTP(S) proxy is configured (then an HTML answer may be the proxy's, not another cloud's metadata
   * server). Default: HTTP(S)_PROXY in `env`.
   */
  proxyConfigured?: boolean;
  clock?: Clock;
  logger?: Logger;
  timeouts?: Partial<Timeouts>;
  retryPolicy?: RetryPolicy;
  /** The legacy VM extension's address, tried only when IMDS does not answer. */
  legacyEndpoint?: string;
  /** Azure Arc's expected key directory; only tests pass one (production enforces the agent's own). */
  arcKeyDir?: string;
}

export interface IssuedToken {
  readonly accessToken: AccessToken;
  readonly claims: TokenClaims;
  readonly source: IdentitySource['kind'];
  /** The response's Date header (epoch ms), when it had a valid one: server clock evidence for Diagnose. */
  readonly serverDate?: number;
}

export interface GetTokenOptions {
  identity?: IdentitySelector;
  /** Stops this caller waiting; the shared fetch goes on while another caller waits for it. */
  signal?: AbortSignal;
  forceRefresh?: boolean;
}

interface CachedToken extends IssuedToken {
  readonly expiresOn: number;
  readonly refreshAfter: number;
}

export class ManagedIdentityClient {
  private readonly http: HttpClient;
  private readonly proxiedHttp: HttpClient;
  private readonly proxyConfigured: boolean;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private timeouts: Timeouts;
  private readonly policy: RetryPolicy;
  private readonly primary: IdentitySource | VmIdentityError;
  private readonly legacy?: IdentitySource;
  /** The source that last answered; starts as the detected one. */
  private active?: IdentitySource;
  private readonly cache: SingleFlightCache<CachedToken>;

  constructor(options: IdentityClientOptions) {
    this.http = options.http ?? directHttp;
    this.proxiedHttp = options.proxiedHttp ?? createProxiedHttp(options.agentFor);
    const env = options.env;
    this.proxyConfigured =
      options.proxyConfigured ?? !!(env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy);
    this.clock = options.clock ?? systemClock;
    this.logger = redacting(options.logger ?? silentLogger);
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.policy = options.retryPolicy ?? RETRY_POLICIES.identity;
    this.cache = new SingleFlightCache<CachedToken>(() => this.clock.now());
    const host: HostEnvironment = {
      env: options.env,
      platform: options.platform ?? process.platform,
      fileExists: options.fileExists ?? (() => false),
    };
    const created = createSource(host, { legacyEndpoint: options.legacyEndpoint, arcKeyDir: options.arcKeyDir });
    this.primary = created.primary;
    this.legacy = created.legacy;
  }

  /** The identity host in use (or that will be tried first). */
  get sourceKind(): IdentitySource['kind'] | 'unsupported' {
    if (this.active) return this.active.kind;
    return this.primary instanceof VmIdentityError ? 'unsupported' : this.primary.kind;
  }

  /** Where instance metadata is for the host in use (IMDS, Arc's himds), or undefined when it has none. */
  get metadataEndpoint(): MetadataEndpoint | undefined {
    if (this.active) return this.active.metadata;
    return this.primary instanceof VmIdentityError ? undefined : this.primary.metadata;
  }

  async getToken(resource: string, options: GetTokenOptions = {}): Promise<IssuedToken> {
    const identity = options.identity ?? SYSTEM_ASSIGNED;
    return this.cache.get(
      cacheKey(identity, resource),
      (signal) => this.fetchToken(resource, identity, signal),
      options,
    );
  }

  /** Forgets the cached token of one identity for one resource (the next ask fetches a new one). */
  forget(resource: string, identity: IdentitySelector = SYSTEM_ASSIGNED): void {
    this.cache.forget(cacheKey(identity, resource));
  }

  /** The time limits in force (instance metadata, fetched beside the token, keeps to the same bound). */
  get currentTimeouts(): Timeouts {
    return { ...this.timeouts };
  }

  /** Changes the time limits for the next requests (a setting changed). */
  setTimeouts(timeouts: Partial<Timeouts>): void {
    this.timeouts = { ...this.timeouts, ...timeouts };
  }

  /** Forgets every cached token and which host answered (sign out). */
  clear(): void {
    this.cache.clear();
    this.active = undefined;
  }

  private async fetchToken(resource: string, identity: IdentitySelector, signal: AbortSignal): Promise<CachedToken> {
    if (this.primary instanceof VmIdentityError) throw this.primary;
    const first = this.active ?? this.primary;
    try {
      return await this.fetchFrom(first, resource, identity, signal);
    } catch (e) {
      const fallback = this.legacy;
      if (!fallback || first !== this.primary || !isVmIdentityError(e, 'endpointUnreachable')) throw e;
      // IMDS does not answer. The retired VM extension on localhost:50342 may (docs/AZURE-FACTS.md); try it once.
      this.logger.info(`${first.endpoint} does not answer; trying the legacy VM extension at ${fallback.endpoint}`);
      try {
        const token = await this.fetchFrom(fallback, resource, identity, signal);
        this.active = fallback;
        return token;
      } catch (legacyError) {
        if (isVmIdentityError(legacyError, 'endpointUnreachable')) throw e; // report IMDS, the one that should be there
        throw legacyError;
      }
    }
  }

  private async fetchFrom(
    source: IdentitySource,
    resource: string,
    identity: IdentitySelector,
    signal: AbortSignal,
  ): Promise<CachedToken> {
    let request = await this.requestFor(source, resource, identity);
    const imdsLike = source.kind === 'imds' || source.kind === 'legacyVmExtension';
    const ctx: SendContext = {
      http: source.transport === 'proxied' ? this.proxiedHttp : this.http,
      clock: this.clock,
      logger: this.logger,
      policy: this.policy,
      source: 'identity',
      timeouts: this.timeouts,
      maxBodyBytes: MAX_TOKEN_RESPONSE_BYTES,
      signal,
      // Another cloud's metadata server answers the same every time: no retry (docs/HOSTS.md §6).
      isFinal: imdsLike ? (r) => isNotAzureResponse(r, this.proxyConfigured) : undefined,
    };
    let { response } = await sendWithRetry(ctx, request);
    if (response.status === 401 && source.answerChallenge) {
      const challenged = request;
      const answered = await source.answerChallenge(request, response.headers).catch((e: unknown) => {
        if (!(e instanceof ArcChallengeError)) throw e;
        const problem: HostProblem = {
          kind: 'arcKey',
          reason: e.reason,
          platform: e.platform,
          file: e.file,
          detail: e.message,
        };
        throw errorFor({
          source: 'identity',
          where: describeRequest(challenged),
          status: 401,
          host: source.kind,
          problem,
        });
      });
      if (answered) ({ response } = await sendWithRetry(ctx, (request = answered)));
    }
    const where = describeRequest(request);
    if (
      response.status !== 200 ||
      looksLikeHtml(response) ||
      (imdsLike && isNotAzureResponse(response, this.proxyConfigured))
    ) {
      throw mapFailure(response, where, identity, { host: source.kind, proxyConfigured: this.proxyConfigured });
    }
    const accessToken = parseTokenResponse(response.body, where, resource, this.clock.now());
    const claims = decodeClaims(accessToken.token);
    this.logger.info(
      `token for ${resource} from ${source.kind}, expires ${new Date(accessToken.expiresOn).toISOString()}`,
    );
    const date = Date.parse(String(response.headers.date ?? ''));
    const serverDate = Number.isFinite(date) ? date : undefined;
    return {
      accessToken,
      claims,
      source: source.kind,
      serverDate,
      expiresOn: accessToken.expiresOn,
      refreshAfter: accessToken.refreshAfter,
    };
  }

  /** The host's request; what it refuses to build (a selection, an unusable token file) as a typed error. */
  private async requestFor(
    source: IdentitySource,
    resource: string,
    identity: IdentitySelector,
  ): Promise<TokenRequest> {
    const where = `${source.kind} ${source.endpoint}`;
    try {
      return await source.tokenRequest(resource, identity);
    } catch (e) {
      if (e instanceof UnsupportedSelectorError) {
        throw errorFor({
          source: 'identity',
          where,
          host: source.kind,
          problem: { kind: 'selector', host: e.host, reason: e.reason },
        });
      }
      if (e instanceof FederatedTokenFileError) {
        throw errorFor({
          source: 'identity',
          where,
          host: source.kind,
          problem: { kind: 'tokenFile', reason: e.problem, file: e.file, detail: e.message },
        });
      }
      throw e;
    }
  }
}

function cacheKey(identity: IdentitySelector, resource: string): string {
  return `${selectorKey(identity)}|${resource.toLowerCase()}`;
}

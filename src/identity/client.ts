/**
 * The embedded identity client: gets tokens for the VM's managed identity from whichever host serves
 * this machine (detected once from the environment), with the retry policy, a single-flight cache and
 * typed errors. No `vscode` here: collaborators come through the constructor.
 */
import * as fs from 'node:fs';
import { SingleFlightCache } from './cache';
import { type TokenClaims, decodeClaims } from './claims';
import { type Clock, systemClock } from './clock';
import {
  VmIdentityError,
  identityNotFound,
  isVmIdentityError,
  malformedResponse,
  multipleIdentities,
  proxyInterference,
  serviceError,
  throttled,
} from './errors';
import { type Logger, redacting, silentLogger } from './logger';
import { DEFAULT_TIMEOUTS, type SendContext, type Timeouts, describeRequest, sendWithRetry } from './request';
import { IMDS_RETRY_POLICY, type RetryPolicy } from './retry';
import { type IdentitySelector, SYSTEM_ASSIGNED, describeSelector, selectorKey } from './selector';
import { createAppServiceSource } from './sources/appService';
import { createArcSource } from './sources/arc';
import { createCloudShellSource } from './sources/cloudShell';
import { detectSource } from './sources/detect';
import { createImdsSource } from './sources/imds';
import { LEGACY_DEFAULT_ENDPOINT, createLegacySource } from './sources/legacy';
import { type IdentitySource, type TokenRequest, UnsupportedSelectorError } from './sources/source';
import { isRecord } from './json';
import { type AccessToken, MAX_TOKEN_RESPONSE_BYTES, parseTokenResponse } from './tokenResponse';
import { type Transport, type TransportResponse, directTransport } from './transport';

export interface IdentityClientOptions {
  env?: NodeJS.ProcessEnv;
  transport?: Transport;
  clock?: Clock;
  logger?: Logger;
  timeouts?: Partial<Timeouts>;
  retryPolicy?: RetryPolicy;
  /** The legacy VM extension's address, tried only when IMDS does not answer. */
  legacyEndpoint?: string;
  /** Reads Azure Arc's challenge key file (injectable for tests). */
  readArcKey?: (file: string) => Promise<Buffer>;
}

export interface IssuedToken {
  readonly accessToken: AccessToken;
  readonly claims: TokenClaims;
  readonly source: IdentitySource['kind'];
}

export interface GetTokenOptions {
  identity?: IdentitySelector;
  signal?: AbortSignal;
  forceRefresh?: boolean;
}

interface CachedToken extends IssuedToken {
  readonly expiresOn: number;
  readonly refreshAfter: number;
}

export class ManagedIdentityClient {
  private readonly env: NodeJS.ProcessEnv;
  private readonly transport: Transport;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private timeouts: Timeouts;
  private readonly policy: RetryPolicy;
  private readonly primary: IdentitySource | VmIdentityError;
  private readonly legacy?: IdentitySource;
  /** The source that last answered; starts as the detected one. */
  private active?: IdentitySource;
  private readonly cache: SingleFlightCache<CachedToken>;

  constructor(options: IdentityClientOptions = {}) {
    this.env = options.env ?? process.env;
    this.transport = options.transport ?? directTransport;
    this.clock = options.clock ?? systemClock;
    this.logger = redacting(options.logger ?? silentLogger);
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.policy = options.retryPolicy ?? IMDS_RETRY_POLICY;
    this.cache = new SingleFlightCache<CachedToken>(() => this.clock.now());
    const readKey = options.readArcKey ?? ((f: string) => fs.promises.readFile(f));
    const arcAgent = safeExists('/opt/azcmagent/bin/himds');
    const detected = detectSource(this.env, arcAgent);
    switch (detected.kind) {
      case 'imds':
        this.primary = createImdsSource(detected.host);
        this.legacy = createLegacySource(options.legacyEndpoint ?? LEGACY_DEFAULT_ENDPOINT);
        break;
      case 'appService':
        this.primary = createAppServiceSource(detected.endpoint, detected.header);
        break;
      case 'cloudShell':
        this.primary = createCloudShellSource(detected.endpoint);
        break;
      case 'azureArc':
        this.primary = createArcSource(detected.endpoint, readKey);
        break;
      case 'unsupported':
        this.primary = new VmIdentityError('endpointUnreachable', `${detected.name} managed identity is not supported by VM Identity.`, {
          fix: 'Run VM Identity on an Azure VM, App Service, Cloud Shell or an Arc-enabled server.',
        });
    }
  }

  /** The identity host in use (or that will be tried first). */
  get sourceKind(): IdentitySource['kind'] | 'unsupported' {
    if (this.active) return this.active.kind;
    return this.primary instanceof VmIdentityError ? 'unsupported' : this.primary.kind;
  }

  get sourceEndpoint(): string | undefined {
    return this.active?.endpoint ?? (this.primary instanceof VmIdentityError ? undefined : this.primary.endpoint);
  }

  async getToken(resource: string, options: GetTokenOptions = {}): Promise<IssuedToken> {
    const identity = options.identity ?? SYSTEM_ASSIGNED;
    const key = `${selectorKey(identity)}|${resource.toLowerCase()}`;
    return this.cache.get(key, () => this.fetchToken(resource, identity, options.signal), options.forceRefresh);
  }

  /** The time limits in force (instance metadata, fetched beside the token, keeps to the same bound). */
  get currentTimeouts(): Timeouts {
    return { ...this.timeouts };
  }

  /** Changes the time limits for the next requests (a setting changed). */
  setTimeouts(timeouts: Partial<Timeouts>): void {
    this.timeouts = { ...this.timeouts, ...timeouts };
  }

  /** Forgets every cached token (sign out). */
  clear(): void {
    this.cache.clear();
  }

  private async fetchToken(resource: string, identity: IdentitySelector, signal?: AbortSignal): Promise<CachedToken> {
    if (this.primary instanceof VmIdentityError) throw this.primary;
    const first = this.active ?? this.primary;
    try {
      return await this.fetchFrom(first, resource, identity, signal);
    } catch (e) {
      const fallback = this.legacy;
      if (!fallback || first !== this.primary || !isVmIdentityError(e, 'endpointUnreachable')) throw e;
      // IMDS does not answer. The retired VM extension on localhost:50342 may (AZURE-FACTS); try it once.
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

  private async fetchFrom(source: IdentitySource, resource: string, identity: IdentitySelector, signal?: AbortSignal): Promise<CachedToken> {
    let request: TokenRequest;
    try {
      request = source.tokenRequest(resource, identity);
    } catch (e) {
      if (e instanceof UnsupportedSelectorError) {
        throw new VmIdentityError('identityNotFound', `This identity host cannot select a user-assigned identity: ${e.message}.`, {
          fix: 'Use the system-assigned identity here.',
          remedy: 'selectIdentity',
        });
      }
      throw e;
    }
    const ctx: SendContext = {
      transport: this.transport,
      clock: this.clock,
      logger: this.logger,
      policy: this.policy,
      timeouts: this.timeouts,
      maxBodyBytes: MAX_TOKEN_RESPONSE_BYTES,
      signal,
    };
    let { response } = await sendWithRetry(ctx, request);
    if (response.status === 401 && source.answerChallenge) {
      const answered = await source.answerChallenge(request, response.headers).catch((e: Error) => {
        throw serviceError(describeRequest(request), 401, undefined, e.message);
      });
      if (answered) ({ response } = await sendWithRetry(ctx, (request = answered)));
    }
    const where = describeRequest(request);
    if (response.status !== 200) throw mapFailure(response, where, identity);
    if (looksLikeHtml(response)) throw proxyInterference(where, response.status);
    const accessToken = parseTokenResponse(response.body, where, resource, this.clock.now());
    const claims = decodeClaims(accessToken.token);
    this.logger.info(`token for ${resource} from ${source.kind}, expires ${new Date(accessToken.expiresOn).toISOString()}`);
    return { accessToken, claims, source: source.kind, expiresOn: accessToken.expiresOn, refreshAfter: accessToken.refreshAfter };
  }
}

/** Maps a final non-200 response to a typed error. IMDS bodies are `{error, error_description}`. */
export function mapFailure(response: TransportResponse, where: string, identity: IdentitySelector): VmIdentityError {
  const { status } = response;
  const body = parseErrorBody(response.body);
  if (status === 407 || ((status === 502 || status === 504) && !body.code) || looksLikeHtml(response)) {
    return proxyInterference(where, status);
  }
  if (status === 429) return throttled(where, status);
  if (status === 400 && body.code !== 'invalid_resource' && body.code !== 'bad_request_102') {
    // The only signal IMDS gives between these two cases is the description (AZURE-FACTS, observed);
    // when it does not say "multiple", the safe reading is "not found", whose fix also offers selection.
    if (identity.kind === 'system' && /multiple user assigned identities/i.test(body.description ?? '')) return multipleIdentities(status, body.code);
    return identityNotFound(describeSelector(identity), status, body.code);
  }
  if (status === 404 && body.code === undefined && response.body.length === 0) return identityNotFound(describeSelector(identity), status);
  if (status >= 200 && status < 300) return malformedResponse(where, `unexpected status ${status}`, status);
  return serviceError(where, status, body.code, body.description ? firstSentence(body.description) : undefined);
}

function parseErrorBody(body: Buffer): { code?: string; description?: string } {
  try {
    const json: unknown = JSON.parse(body.toString());
    if (!isRecord(json)) return {};
    if (typeof json.error === 'string') return { code: json.error, description: typeof json.error_description === 'string' ? json.error_description : undefined };
    if (isRecord(json.error) && typeof json.error.code === 'string') {
      return { code: json.error.code, description: typeof json.error.message === 'string' ? json.error.message : undefined };
    }
  } catch {
    /* not JSON */
  }
  return {};
}

function firstSentence(text: string): string {
  const s = text.split(/(?<=\.)\s/)[0] ?? text;
  return s.length > 200 ? `${s.slice(0, 200)}…` : s.replace(/\.$/, '');
}

function looksLikeHtml(response: TransportResponse): boolean {
  const type = String(response.headers['content-type'] ?? '');
  if (/text\/html/i.test(type)) return true;
  const head = response.body.subarray(0, 64).toString().trimStart().toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html');
}

function safeExists(file: string): boolean {
  try {
    return fs.existsSync(file);
  } catch {
    return false;
  }
}

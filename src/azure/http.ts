/**
 * HTTP for ARM and Graph. Unlike the identity endpoints these honour a proxy: the CLI passes agents from
 * HTTPS_PROXY/NO_PROXY, the extension passes none and lets VS Code's patched `https` apply its proxy
 * settings. A bearer token goes only to the origins this client was built for, over https (http only to
 * a loopback override); redirects are never followed and `nextLink`s are checked by the caller with
 * {@link AzureHttp.assertAllowed}. One log line per request: method, host, path, status, ms — no headers.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import {
  type Clock,
  type Logger,
  type RetryPolicy,
  VmIdentityError,
  cancelled,
  decideRetry,
  isRecord,
  malformedResponse,
  nextState,
  parseRetryAfter,
  serviceError,
  throttled,
  timedOut,
  type RetryState,
} from '../identity';

export type AgentFor = (url: URL) => http.Agent | undefined;

export interface AzureHttpOptions {
  /** Origins (scheme://host[:port]) that may receive the token. */
  allowedOrigins: string[];
  agentFor?: AgentFor;
  logger: Logger;
  clock: Clock;
  policy: RetryPolicy;
  timeoutMs?: number;
  maxBodyBytes?: number;
}

export interface JsonResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  json: unknown;
}

/** The parsed Azure error body `{error: {code, message}}`. */
export interface AzureErrorBody {
  code?: string;
  message?: string;
}

export class AzureHttpError extends VmIdentityError {}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host);
}

export class AzureHttp {
  private readonly allowed: Set<string>;
  private readonly timeoutMs: number;
  private readonly maxBodyBytes: number;

  constructor(private readonly options: AzureHttpOptions) {
    this.allowed = new Set(options.allowedOrigins.map((o) => new URL(o).origin));
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxBodyBytes = options.maxBodyBytes ?? 64 * 1024 * 1024;
  }

  /** Throws unless `url` may receive a bearer token. */
  assertAllowed(url: URL): void {
    const allowedOrigin = this.allowed.has(url.origin);
    const secure = url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
    if (!allowedOrigin || !secure) {
      throw new VmIdentityError('unsafeEndpoint', `Refused to send the identity's token to ${url.origin}: it is not the Azure endpoint in use.`, {
        fix: 'This usually means a response pointed somewhere unexpected; nothing was sent. Report it if it repeats.',
        where: url.origin,
      });
    }
  }

  async getJson(url: URL, token: string, signal?: AbortSignal): Promise<JsonResponse> {
    this.assertAllowed(url);
    const { clock, logger, policy } = this.options;
    let state: RetryState = { retries: 0 };
    const where = `GET ${url.host}${url.pathname}`;
    for (;;) {
      if (signal?.aborted) throw cancelled();
      const t0 = clock.now();
      let result: RawResponse | TransportFailure;
      try {
        result = await this.send(url, token, signal);
      } catch (e) {
        if (signal?.aborted) throw cancelled();
        result = e instanceof TransportFailure ? e : new TransportFailure('reset', String(e));
      }
      const ms = clock.now() - t0;
      if (result instanceof TransportFailure) logger.info(`GET ${url.host}${url.pathname} failed: ${result.message} (${ms} ms)`);
      else logger.info(`GET ${url.host}${url.pathname} ${result.status} ${ms} ms`);
      const outcome =
        result instanceof TransportFailure
          ? result.kind === 'timeout'
            ? ({ type: 'timeout' } as const)
            : ({ type: 'reset' } as const)
          : ({ type: 'status', status: result.status, retryAfterMs: parseRetryAfter(result.headers, clock.now()) } as const);
      // ARM answers 404 for things that do not exist; unlike IMDS it is final. So is an untrusted certificate.
      const final = (outcome.type === 'status' && outcome.status === 404) || (result instanceof TransportFailure && result.kind === 'untrusted');
      const decision = final ? { retry: false as const } : decideRetry(policy, outcome, state, clock.now());
      if (decision.retry) {
        logger.info(`${where}: retrying in ${decision.delayMs} ms (${decision.reason})`);
        state = nextState(state, outcome, clock.now());
        await clock.sleep(decision.delayMs, signal).catch(() => {
          throw cancelled();
        });
        continue;
      }
      if (result instanceof TransportFailure) {
        if (result.kind === 'timeout') throw timedOut(where, this.timeoutMs);
        if (result.kind === 'tooLarge') throw malformedResponse(where, 'the body is too large');
        if (result.kind === 'untrusted') {
          throw new VmIdentityError('serviceError', `${url.host} presented a TLS certificate this machine does not trust (${result.message}).`, {
            fix: "If a proxy or firewall inspects HTTPS, add its CA certificate to the operating system's trust store (VS Code reads that store; the CLI also honours NODE_EXTRA_CA_CERTS).",
            remedy: 'checkProxy',
            where,
          });
        }
        throw new VmIdentityError('serviceError', `${url.host} could not be reached: ${result.message}.`, {
          fix: 'Check the network connection and proxy settings (http.proxy / HTTPS_PROXY) for Azure Resource Manager.',
          remedy: 'checkProxy',
          where,
        });
      }
      return this.interpret(result, where);
    }
  }

  private interpret(result: RawResponse, where: string): JsonResponse {
    const { status } = result;
    if (status >= 300 && status < 400) {
      throw serviceError(where, status, undefined, 'redirected elsewhere; not followed, so the token stays here');
    }
    let json: unknown;
    const text = result.body.toString('utf8');
    try {
      json = text.length ? JSON.parse(text) : undefined;
    } catch {
      if (status >= 200 && status < 300) throw malformedResponse(where, 'the body is not JSON', status);
      json = undefined;
    }
    if (status >= 200 && status < 300) return { status, headers: result.headers, json };
    const error = azureError(json);
    if (status === 429) throw throttled(where, status);
    throw new AzureHttpError(status === 401 ? 'authenticationFailed' : status === 403 ? 'authorizationFailed' : 'serviceError', `${where} answered HTTP ${status}${error.code ? ` (${error.code})` : ''}.`, {
      fix: status === 401 ? 'Sign in again; the token was not accepted.' : 'Try again in a moment.',
      status,
      azureCode: error.code,
      where,
    });
  }

  private send(url: URL, token: string, signal?: AbortSignal): Promise<RawResponse> {
    const mod = url.protocol === 'https:' ? https : http;
    return new Promise<RawResponse>((resolve, reject) => {
      const agent = this.options.agentFor?.(url);
      const req = mod.request(
        url,
        {
          method: 'GET',
          headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', 'User-Agent': 'vm-identity' },
          ...(agent ? { agent } : {}),
          timeout: this.timeoutMs,
          signal,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > this.maxBodyBytes) {
              req.destroy();
              reject(new TransportFailure('tooLarge', 'body too large'));
            } else chunks.push(c);
          });
          res.on('aborted', () => reject(new TransportFailure('reset', 'response cut off')));
          res.on('error', (e) => reject(new TransportFailure('reset', e.message)));
          res.on('end', () => {
            if (!res.complete) reject(new TransportFailure('reset', 'response cut off'));
            else resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
          });
        },
      );
      req.on('timeout', () => {
        req.destroy();
        reject(new TransportFailure('timeout', `no answer within ${this.timeoutMs} ms`));
      });
      req.on('error', (e: NodeJS.ErrnoException) => reject(new TransportFailure(e.code && UNTRUSTED_CERT_CODES.has(e.code) ? 'untrusted' : 'reset', e.code ?? e.message)));
      req.end();
    });
  }
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** Node/OpenSSL verification failures: the same certificate fails again, so they are not retried. */
const UNTRUSTED_CERT_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REVOKED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

class TransportFailure extends Error {
  constructor(
    readonly kind: 'timeout' | 'reset' | 'tooLarge' | 'untrusted',
    message: string,
  ) {
    super(message);
  }
}

export function azureError(json: unknown): AzureErrorBody {
  if (isRecord(json) && isRecord(json.error)) {
    return {
      code: typeof json.error.code === 'string' ? json.error.code : undefined,
      message: typeof json.error.message === 'string' ? json.error.message : undefined,
    };
  }
  return {};
}

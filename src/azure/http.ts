/**
 * JSON over HTTP for ARM and Graph, on the core's {@link HttpClient} seam and retry loop (policy `arm` or
 * `graph`). A bearer token goes only to the origins this client was built for, over https (http only to a
 * loopback override); redirects are never followed and `nextLink`s are checked by the caller with
 * {@link AzureHttp.assertAllowed}. What a failure means comes from the core's error table.
 */
import type { Clock } from '../core/clock';
import { type Reading, errorBodyOf, errorFor } from '../core/errorTable';
import { VmIdentityError } from '../core/errors';
import { type Headers, type HttpClient, describeRequest, sendWithRetry } from '../core/http';
import { tryParseJson } from '../core/json';
import type { Logger } from '../core/log';
import { RETRY_POLICIES } from '../core/retry';

export type AzureApi = 'arm' | 'graph';

export interface AzureHttpOptions {
  /** Origins (scheme://host[:port]) that may receive the token. */
  allowedOrigins: string[];
  http: HttpClient;
  logger: Logger;
  clock: Clock;
  /** The longest silence from the server on one attempt. */
  timeoutMs?: number;
  maxBodyBytes?: number;
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  json: unknown;
}

export interface GetJsonOptions {
  signal?: AbortSignal;
  api?: AzureApi;
  /** What the read is for, so a 403 can say what to grant. */
  reading?: Reading;
}

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
      throw new VmIdentityError(
        'unsafeEndpoint',
        `Refused to send the identity's token to ${url.origin}: it is not the Azure endpoint in use.`,
        {
          fix: 'This usually means a response pointed somewhere unexpected; nothing was sent. Report it if it repeats.',
          where: url.origin,
        },
      );
    }
  }

  async getJson(url: URL, token: string, options: GetJsonOptions = {}): Promise<JsonResponse> {
    this.assertAllowed(url);
    const api = options.api ?? 'arm';
    const request = {
      url,
      method: 'GET' as const,
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', 'User-Agent': 'vm-identity' },
    };
    const { response } = await sendWithRetry(
      {
        http: this.options.http,
        clock: this.options.clock,
        logger: this.options.logger,
        policy: RETRY_POLICIES[api],
        source: api,
        timeouts: { connectMs: this.timeoutMs, attemptMs: this.timeoutMs, deadlineMs: Number.POSITIVE_INFINITY },
        maxBodyBytes: this.maxBodyBytes,
        signal: options.signal,
      },
      request,
    );
    const { status } = response;
    const json = tryParseJson(response.body);
    const notJson = json === undefined && response.body.length > 0;
    if (status >= 200 && status < 300 && !notJson) return { status, headers: response.headers, json };
    const body = errorBodyOf(json);
    throw errorFor({
      source: api,
      where: describeRequest(request),
      status,
      azureCode: body.code,
      description: body.description,
      notJson,
      reading: options.reading,
    });
  }
}

/**
 * The one HTTP seam and the one retry loop. Two {@link HttpClient}s are wired at the edge: the direct one
 * (./directHttp: a raw socket to identity hosts, which VS Code's proxy patches cannot touch) and the
 * standard one (./proxiedHttp: node's https, proxied, for ARM and Graph). {@link sendWithRetry} runs any of
 * them under a {@link RetryPolicy} and a deadline and reduces the result to a response or a typed error
 * (meaning decided by ./errorTable). No interpretation of successful bodies here.
 */
import type { Clock } from './clock';
import { type ErrorSource, errorFor } from './errorTable';
import { cancelled } from './errors';
import type { Logger } from './log';
import {
  type AttemptOutcome,
  type RetryPolicy,
  type RetryState,
  decideRetry,
  nextState,
  parseRetryAfter,
} from './retry';

export type Headers = Record<string, string | string[] | undefined>;

export interface HttpRequest {
  url: URL;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

/** One attempt: the request plus its limits. */
export interface HttpAttempt extends HttpRequest {
  connectTimeoutMs: number;
  /** Direct: until the last byte of the response. Proxied: the longest silence (node's socket timeout). */
  responseTimeoutMs: number;
  /** Bodies larger than this are refused. */
  maxBodyBytes: number;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  body: Buffer;
}

/** Why a request produced no response. `unreachable` happens before any byte reached the server. */
export type HttpFailure =
  'unreachable' | 'connectTimeout' | 'responseTimeout' | 'reset' | 'tooLarge' | 'untrusted' | 'aborted';

export class HttpError extends Error {
  constructor(
    readonly failure: HttpFailure,
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** The seam: every request of the product goes through one of these. */
export interface HttpClient {
  send(attempt: HttpAttempt): Promise<HttpResponse>;
}

export interface Timeouts {
  connectMs: number;
  attemptMs: number;
  /** Bound on the whole operation, retries included (a 410 run may need 70 s, so keep this above). */
  deadlineMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 3000, attemptMs: 10_000, deadlineMs: 100_000 };

export interface SendContext {
  http: HttpClient;
  clock: Clock;
  logger: Logger;
  policy: RetryPolicy;
  /** Which row set of the error table applies. */
  source: ErrorSource;
  timeouts: Timeouts;
  maxBodyBytes: number;
  signal?: AbortSignal;
  /** An answer that no retry can change (another cloud's metadata server): returned at once. */
  isFinal?: (response: HttpResponse) => boolean;
}

export type SendResult = { response: HttpResponse; attempts: number };

/** `where` is "GET host/path" for messages and logs: no query string, so no IDs or secrets leak into it. */
export function describeRequest(req: HttpRequest): string {
  return `${req.method} ${req.url.host}${req.url.pathname}`;
}

export async function sendWithRetry(ctx: SendContext, request: HttpRequest): Promise<SendResult> {
  const started = ctx.clock.now();
  const deadline = started + ctx.timeouts.deadlineMs;
  let state: RetryState = { retries: 0 };
  const where = describeRequest(request);
  for (let attempt = 1; ; attempt++) {
    if (ctx.signal?.aborted) throw cancelled();
    const t0 = ctx.clock.now();
    const again = attempt > 1 ? ` (attempt ${attempt})` : '';
    let outcome: AttemptOutcome;
    let response: HttpResponse | undefined;
    let failure: HttpError | undefined;
    try {
      response = await ctx.http.send({
        ...request,
        connectTimeoutMs: Math.min(ctx.timeouts.connectMs, Math.max(1, deadline - t0)),
        responseTimeoutMs: Math.min(ctx.timeouts.attemptMs, Math.max(1, deadline - t0)),
        maxBodyBytes: ctx.maxBodyBytes,
        signal: ctx.signal,
      });
      outcome = {
        type: 'status',
        status: response.status,
        retryAfterMs: parseRetryAfter(response.headers, ctx.clock.now()),
      };
      ctx.logger.info(`${where} ${response.status} ${ctx.clock.now() - t0} ms${again}`);
    } catch (e) {
      if (ctx.signal?.aborted) throw cancelled();
      failure = e instanceof HttpError ? e : new HttpError('reset', e instanceof Error ? e.message : String(e));
      if (failure.failure === 'aborted') throw cancelled();
      outcome = { type: 'failure', failure: failure.failure };
      ctx.logger.info(`${where} failed: ${failure.failure} (${failure.message}) ${ctx.clock.now() - t0} ms${again}`);
    }
    if (response && ctx.isFinal?.(response)) return { response, attempts: attempt };
    const now = ctx.clock.now();
    const decision = decideRetry(ctx.policy, outcome, state, now);
    if (decision.retry && now + decision.delayMs < deadline) {
      ctx.logger.info(`${where}: retrying in ${decision.delayMs} ms (${decision.reason})`);
      state = nextState(state, outcome, now);
      await ctx.clock.sleep(decision.delayMs, ctx.signal).catch(() => {
        throw cancelled();
      });
      continue;
    }
    if (response) return { response, attempts: attempt };
    const identityLike = ctx.source === 'identity' || ctx.source === 'metadata';
    throw errorFor({
      source: ctx.source,
      where,
      failure: failure!.failure,
      detail: failure!.message,
      origin: request.url.origin,
      ms: identityLike ? now - started : ctx.timeouts.attemptMs,
    });
  }
}

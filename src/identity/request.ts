/**
 * Sends one request to an identity host under the retry policy and a deadline, and reduces the result to
 * a response or a typed error. No interpretation of successful bodies here.
 */
import type { Clock } from './clock';
import { VmIdentityError, cancelled, endpointUnreachable, malformedResponse, timedOut } from './errors';
import type { Logger } from './logger';
import { type AttemptOutcome, type RetryPolicy, type RetryState, decideRetry, nextState, parseRetryAfter } from './retry';
import { type Transport, TransportError, type TransportResponse } from './transport';
import type { TokenRequest } from './sources/source';

export interface Timeouts {
  connectMs: number;
  attemptMs: number;
  /** Bound on the whole operation, retries included (a 410 run may need 70 s, so keep this above). */
  deadlineMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 3000, attemptMs: 10_000, deadlineMs: 100_000 };

export interface SendContext {
  transport: Transport;
  clock: Clock;
  logger: Logger;
  policy: RetryPolicy;
  timeouts: Timeouts;
  maxBodyBytes: number;
  signal?: AbortSignal;
}

export type SendResult = { response: TransportResponse; attempts: number };

/** `where` is "GET host/path" for messages and logs: no query string, so no IDs or secrets leak into it. */
export function describeRequest(req: TokenRequest): string {
  return `${req.method} ${req.url.host}${req.url.pathname}`;
}

export async function sendWithRetry(ctx: SendContext, request: TokenRequest): Promise<SendResult> {
  const started = ctx.clock.now();
  const deadline = started + ctx.timeouts.deadlineMs;
  let state: RetryState = { retries: 0 };
  const where = describeRequest(request);
  for (let attempt = 1; ; attempt++) {
    if (ctx.signal?.aborted) throw cancelled();
    const t0 = ctx.clock.now();
    let outcome: AttemptOutcome;
    let response: TransportResponse | undefined;
    let failure: TransportError | undefined;
    try {
      response = await ctx.transport({
        url: request.url,
        method: request.method,
        headers: request.headers,
        body: request.body,
        connectTimeoutMs: Math.min(ctx.timeouts.connectMs, Math.max(1, deadline - t0)),
        responseTimeoutMs: Math.min(ctx.timeouts.attemptMs, Math.max(1, deadline - t0)),
        maxBodyBytes: ctx.maxBodyBytes,
        signal: ctx.signal,
      });
      outcome = { type: 'status', status: response.status, retryAfterMs: parseRetryAfter(response.headers, ctx.clock.now()) };
      ctx.logger.info(`${where} ${response.status} ${ctx.clock.now() - t0} ms${attempt > 1 ? ` (attempt ${attempt})` : ''}`);
    } catch (e) {
      if (!(e instanceof TransportError)) throw e;
      failure = e;
      if (e.failure === 'aborted') throw cancelled();
      if (e.failure === 'tooLarge') throw malformedResponse(where, 'the body is larger than 1 MB');
      outcome = e.failure === 'unreachable' || e.failure === 'connectTimeout' ? { type: 'unreachable' } : e.failure === 'responseTimeout' ? { type: 'timeout' } : { type: 'reset' };
      ctx.logger.info(`${where} failed: ${e.failure} (${e.message}) ${ctx.clock.now() - t0} ms${attempt > 1 ? ` (attempt ${attempt})` : ''}`);
    }
    const now = ctx.clock.now();
    const decision = decideRetry(ctx.policy, outcome, state, now);
    if (decision.retry && now + decision.delayMs < deadline) {
      ctx.logger.info(`${where}: retrying in ${decision.delayMs} ms (${decision.reason})`);
      state = nextState(state, outcome, now);
      try {
        await ctx.clock.sleep(decision.delayMs, ctx.signal);
      } catch {
        throw cancelled();
      }
      continue;
    }
    if (response) return { response, attempts: attempt };
    throw transportFailureToError(failure!, request, where, now - started);
  }
}

function transportFailureToError(e: TransportError, request: TokenRequest, where: string, elapsedMs: number): VmIdentityError {
  switch (e.failure) {
    case 'unreachable':
    case 'connectTimeout':
      return endpointUnreachable(request.url.origin, e);
    case 'responseTimeout':
      return timedOut(where, elapsedMs);
    default:
      return malformedResponse(where, 'the connection closed before the response was complete');
  }
}

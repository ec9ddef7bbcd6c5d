/**
 * Retry policies as data, one per endpoint kind, and the one decision function every request goes through.
 * Identity endpoints follow Microsoft's guidance (docs/AZURE-FACTS.md "IMDS managed-identity token" (retry guidance); entra-docs
 * how-to-use-vm-token.md#retry-guidance and MSAL's ManagedIdentity retry policies); ARM and Graph their own
 * (azure-docs request-limits-and-throttling.md: honour Retry-After on 429, retry 5xx a few times).
 *
 * | kind     | retried outcomes                         | schedule                                             |
 * |----------|------------------------------------------|------------------------------------------------------|
 * | identity | 410 Gone (IMDS is updating)              | every 10 s until at least 70 s after the first 410   |
 * | identity | 404, 408, 429, 5xx, response timeout, reset | 1 s, 2 s, 4 s (3 retries); Retry-After wins        |
 * | arm      | 408, 429, 5xx, response timeout, reset   | 1 s, 2 s, 4 s; Retry-After wins; 404 is an answer    |
 * | graph    | as arm                                   | as arm                                               |
 * | all      | unreachable, connect timeout (identity), untrusted TLS, too large, anything else | not retried |
 *
 * A Retry-After longer than `maxRetryAfterMs` is not waited for: we give up and report throttling instead of
 * freezing for minutes. Every wait is also bounded by the caller's overall deadline.
 */
import type { HttpFailure } from './http';

export type EndpointKind = 'identity' | 'arm' | 'graph';

export interface RetryPolicy {
  /** Statuses retried with exponential backoff; '5xx' stands for 500–599. */
  retryStatuses: readonly (number | '5xx')[];
  /** Transport failures retried with the same backoff. */
  retryFailures: readonly HttpFailure[];
  maxRetries: number;
  baseDelayMs: number;
  maxRetryAfterMs: number;
  /** 410 Gone: the interval between tries and how long to keep trying (IMDS only). */
  gone?: { intervalMs: number; minDurationMs: number };
}

const BACKOFF = { maxRetries: 3, baseDelayMs: 1000, maxRetryAfterMs: 60_000 } as const;
const AZURE_API: RetryPolicy = {
  ...BACKOFF,
  retryStatuses: [408, 429, '5xx'],
  retryFailures: ['responseTimeout', 'reset'],
};

export const RETRY_POLICIES: Readonly<Record<EndpointKind, RetryPolicy>> = {
  identity: {
    ...BACKOFF,
    retryStatuses: [404, 408, 429, '5xx'],
    retryFailures: ['responseTimeout', 'reset'],
    gone: { intervalMs: 10_000, minDurationMs: 70_000 },
  },
  arm: AZURE_API,
  graph: AZURE_API,
};

/** What happened on one attempt, reduced to what the policy needs. */
export type AttemptOutcome =
  { type: 'status'; status: number; retryAfterMs?: number } | { type: 'failure'; failure: HttpFailure };

export interface RetryState {
  /** Retries already made under the exponential rule. */
  retries: number;
  /** When the first 410 was seen, if any. */
  firstGoneAt?: number;
}

export type RetryDecision = { retry: false; reason: string } | { retry: true; delayMs: number; reason: string };

export function decideRetry(
  policy: RetryPolicy,
  outcome: AttemptOutcome,
  state: RetryState,
  now: number,
): RetryDecision {
  if (outcome.type === 'status' && outcome.status === 410 && policy.gone) {
    const since = state.firstGoneAt ?? now;
    if (now - since >= policy.gone.minDurationMs)
      return { retry: false, reason: '410 for longer than the update window' };
    return { retry: true, delayMs: policy.gone.intervalMs, reason: '410: the endpoint is updating' };
  }
  const retriable =
    outcome.type === 'failure'
      ? policy.retryFailures.includes(outcome.failure)
      : policy.retryStatuses.some(
          (s) => s === outcome.status || (s === '5xx' && outcome.status >= 500 && outcome.status <= 599),
        );
  if (!retriable)
    return {
      retry: false,
      reason:
        outcome.type === 'failure' ? `${outcome.failure} is not retried` : `HTTP ${outcome.status} is not retried`,
    };
  if (state.retries >= policy.maxRetries) return { retry: false, reason: `gave up after ${state.retries} retries` };
  if (outcome.type === 'status' && outcome.retryAfterMs !== undefined) {
    if (outcome.retryAfterMs > policy.maxRetryAfterMs)
      return { retry: false, reason: 'Retry-After is too long to wait' };
    return {
      retry: true,
      delayMs: Math.max(outcome.retryAfterMs, 0),
      reason: `Retry-After ${outcome.retryAfterMs} ms`,
    };
  }
  const exponential = policy.baseDelayMs * 2 ** state.retries;
  return { retry: true, delayMs: exponential, reason: `backoff ${exponential} ms` };
}

/** Updates the state after a retry was decided. */
export function nextState(state: RetryState, outcome: AttemptOutcome, now: number): RetryState {
  if (outcome.type === 'status' && outcome.status === 410) return { ...state, firstGoneAt: state.firstGoneAt ?? now };
  return { ...state, retries: state.retries + 1 };
}

/** Parses Retry-After (seconds or an HTTP date, RFC 9110 §10.2.3) and x-ms-retry-after-ms. */
export function parseRetryAfter(
  headers: Record<string, string | string[] | undefined>,
  now: number,
): number | undefined {
  const ms = first(headers['x-ms-retry-after-ms'] ?? headers['retry-after-ms']);
  if (ms !== undefined && /^\d+$/.test(ms.trim())) return Number(ms.trim());
  const value = first(headers['retry-after']);
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The retry policy for identity endpoints, in one table (Microsoft's guidance, AZURE-FACTS "Retry guidance";
 * entra-docs how-to-use-vm-token.md#retry-guidance and MSAL's ManagedIdentity retry policies):
 *
 * | outcome                                 | retried? | schedule                                          |
 * |-----------------------------------------|----------|---------------------------------------------------|
 * | 410 Gone (IMDS is updating)             | yes      | every 10 s until at least 70 s after the first 410 |
 * | 404, 408, 429, 500–599                  | yes      | 1 s, 2 s, 4 s (3 retries); Retry-After wins         |
 * | response timeout, connection reset      | yes      | same as above                                       |
 * | other 4xx, 2xx, 3xx                     | no       | –                                                   |
 * | unreachable / connect timeout           | no       | the endpoint is not there; fail fast                |
 *
 * A Retry-After longer than {@link RetryPolicy.maxRetryAfterMs} is not waited for: we give up and report
 * throttling instead of freezing for minutes. Every wait is also bounded by the caller's overall deadline.
 */

export interface RetryPolicy {
  /** Retries for 404/408/429/5xx and timeouts. */
  maxRetries: number;
  baseDelayMs: number;
  /** 410: the interval between tries and how long we keep trying. */
  goneIntervalMs: number;
  goneMinDurationMs: number;
  maxRetryAfterMs: number;
}

export const IMDS_RETRY_POLICY: RetryPolicy = {
  maxRetries: 3,
  baseDelayMs: 1000,
  goneIntervalMs: 10_000,
  goneMinDurationMs: 70_000,
  maxRetryAfterMs: 60_000,
};

/** ARM's guidance: honour Retry-After on 429; retry 5xx a few times (azure-docs request-limits-and-throttling.md). */
export const ARM_RETRY_POLICY: RetryPolicy = {
  maxRetries: 3,
  baseDelayMs: 1000,
  goneIntervalMs: 0,
  goneMinDurationMs: 0,
  maxRetryAfterMs: 60_000,
};

/** What happened on one attempt, reduced to what the policy needs. */
export type AttemptOutcome =
  | { type: 'status'; status: number; retryAfterMs?: number }
  | { type: 'timeout' }
  | { type: 'reset' }
  | { type: 'unreachable' };

export interface RetryState {
  /** Retries already made under the exponential rule. */
  retries: number;
  /** When the first 410 was seen, if any. */
  firstGoneAt?: number;
}

export type RetryDecision = { retry: false; reason: string } | { retry: true; delayMs: number; reason: string };

const RETRIABLE_STATUS = (s: number) => s === 404 || s === 408 || s === 429 || (s >= 500 && s <= 599);

export function decideRetry(policy: RetryPolicy, outcome: AttemptOutcome, state: RetryState, now: number): RetryDecision {
  if (outcome.type === 'unreachable') return { retry: false, reason: 'unreachable' };
  if (outcome.type === 'status' && outcome.status === 410 && policy.goneMinDurationMs > 0) {
    const since = state.firstGoneAt ?? now;
    if (now - since >= policy.goneMinDurationMs) return { retry: false, reason: '410 for longer than the update window' };
    return { retry: true, delayMs: policy.goneIntervalMs, reason: '410: the endpoint is updating' };
  }
  const retriable = outcome.type !== 'status' || RETRIABLE_STATUS(outcome.status);
  if (!retriable) return { retry: false, reason: `HTTP ${(outcome as { status: number }).status} is not retried` };
  if (state.retries >= policy.maxRetries) return { retry: false, reason: `gave up after ${state.retries} retries` };
  const exponential = policy.baseDelayMs * 2 ** state.retries;
  if (outcome.type === 'status' && outcome.retryAfterMs !== undefined) {
    if (outcome.retryAfterMs > policy.maxRetryAfterMs) return { retry: false, reason: 'Retry-After is too long to wait' };
    return { retry: true, delayMs: Math.max(outcome.retryAfterMs, 0), reason: `Retry-After ${outcome.retryAfterMs} ms` };
  }
  return { retry: true, delayMs: exponential, reason: `backoff ${exponential} ms` };
}

/** Updates the state after a retry was decided. */
export function nextState(state: RetryState, outcome: AttemptOutcome, now: number): RetryState {
  if (outcome.type === 'status' && outcome.status === 410) return { ...state, firstGoneAt: state.firstGoneAt ?? now };
  return { ...state, retries: state.retries + 1 };
}

/** Parses Retry-After (seconds or an HTTP date, RFC 9110 §10.2.3) and x-ms-retry-after-ms. */
export function parseRetryAfter(headers: Record<string, string | string[] | undefined>, now: number): number | undefined {
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

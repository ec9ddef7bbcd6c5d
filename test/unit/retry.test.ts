import * as assert from 'node:assert/strict';
import {
  RETRY_POLICIES,
  type RetryPolicy,
  decideRetry,
  nextState,
  parseRetryAfter,
  type AttemptOutcome,
  type RetryState,
} from '../../src/core/retry';

/** Runs the policy over a scripted sequence of outcomes, advancing a fake clock by each delay. */
function schedule(
  outcomes: AttemptOutcome[],
  stepMs = 0,
  policy: RetryPolicy = RETRY_POLICIES.identity,
): Array<number | 'stop'> {
  let state: RetryState = { retries: 0 };
  let now = 0;
  const out: Array<number | 'stop'> = [];
  for (const o of outcomes) {
    const d = decideRetry(policy, o, state, now);
    if (!d.retry) {
      out.push('stop');
      break;
    }
    out.push(d.delayMs);
    state = nextState(state, o, now);
    now += d.delayMs + stepMs;
  }
  return out;
}

const s = (status: number, retryAfterMs?: number): AttemptOutcome => ({ type: 'status', status, retryAfterMs });
const f = (failure: 'responseTimeout' | 'reset' | 'unreachable' | 'untrusted'): AttemptOutcome => ({
  type: 'failure',
  failure,
});

describe('IMDS retry policy (Microsoft guidance)', () => {
  const table: Array<[string, AttemptOutcome[], Array<number | 'stop'>]> = [
    [
      '404, 408, 429, 5xx back off 1 s, 2 s, 4 s then stop',
      [s(500), s(404), s(408), s(503), s(500)],
      [1000, 2000, 4000, 'stop'],
    ],
    [
      'timeouts and resets are retried like 5xx',
      [f('responseTimeout'), f('reset'), f('responseTimeout'), f('responseTimeout')],
      [1000, 2000, 4000, 'stop'],
    ],
    ['Retry-After wins over the backoff', [s(429, 3000), s(429, 0)], [3000, 0]],
    ['a Retry-After above a minute is not waited for', [s(429, 120_000)], ['stop']],
    ['other 4xx are never retried', [s(400)], ['stop']],
    ['401 and 403 are never retried', [s(401)], ['stop']],
    ['unreachable is not retried (fail fast, try the next host)', [f('unreachable')], ['stop']],
    ['success is not retried', [s(200)], ['stop']],
  ];
  for (const [name, outcomes, expected] of table) {
    it(name, () => assert.deepEqual(schedule(outcomes), expected));
  }

  it('410 keeps trying every 10 s for at least 70 s', () => {
    const result = schedule(Array.from({ length: 12 }, () => s(410)));
    assert.deepEqual(result, [10_000, 10_000, 10_000, 10_000, 10_000, 10_000, 10_000, 'stop']);
    const covered = (result.filter((x) => x !== 'stop') as number[]).reduce((a, b) => a + b, 0);
    assert.ok(covered >= 70_000);
  });

  it('410 does not use up the budget of other retries', () => {
    assert.deepEqual(schedule([s(410), s(410), s(500), s(500), s(500), s(500)]), [
      10_000,
      10_000,
      1000,
      2000,
      4000,
      'stop',
    ]);
  });

  it('parses Retry-After as seconds, as an HTTP date, and x-ms-retry-after-ms', () => {
    const now = Date.UTC(2026, 0, 1);
    assert.equal(parseRetryAfter({ 'retry-after': '7' }, now), 7000);
    assert.equal(parseRetryAfter({ 'retry-after': new Date(now + 5000).toUTCString() }, now), 5000);
    assert.equal(parseRetryAfter({ 'x-ms-retry-after-ms': '250', 'retry-after': '9' }, now), 250);
    assert.equal(parseRetryAfter({ 'retry-after': 'soon' }, now), undefined);
    assert.equal(parseRetryAfter({}, now), undefined);
  });
});

describe('ARM and Graph retry policy (data, not a special case)', () => {
  const arm = (outcomes: AttemptOutcome[]) => schedule(outcomes, 0, RETRY_POLICIES.arm);
  it('404 is an answer, not retried', () => assert.deepEqual(arm([s(404)]), ['stop']));
  it('410 is not an update window here', () => assert.deepEqual(arm([s(410)]), ['stop']));
  it('408, 429 and 5xx back off 1 s, 2 s, 4 s; Retry-After wins', () => {
    assert.deepEqual(arm([s(500), s(408), s(503), s(502)]), [1000, 2000, 4000, 'stop']);
    assert.deepEqual(arm([s(429, 5000)]), [5000]);
  });
  it('an untrusted certificate fails the same way again: not retried', () =>
    assert.deepEqual(arm([f('untrusted')]), ['stop']));
  it('Graph follows the same table', () => assert.deepEqual(RETRY_POLICIES.graph, RETRY_POLICIES.arm));
});

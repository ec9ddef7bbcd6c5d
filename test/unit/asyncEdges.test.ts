/** The async edges of issue 8: shared-fetch cancellation, Refresh during a silent renewal, throwing listeners, sign-out. */
import * as assert from 'node:assert/strict';
import type { IdentityService, Snapshot } from '../../src/azure';
import { isVmIdentityError } from '../../src/core/errors';
import type { Logger } from '../../src/core/log';
import { SingleFlightCache } from '../../src/identity/cache';
import { Session } from '../../src/session/session';
import { FakeClock } from '../support/fakeClock';

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((a, b) => ((resolve = a), (reject = b)));
  return { promise, resolve, reject };
}
const tick = () => new Promise((r) => setImmediate(r));
const token = (n: number) => ({ n, expiresOn: 10_000_000, refreshAfter: 5_000_000 });

describe('single-flight token fetch: its own AbortController', () => {
  function harness() {
    const cache = new SingleFlightCache<ReturnType<typeof token>>(() => 0);
    const fetches: Array<{ signal: AbortSignal; result: Deferred<ReturnType<typeof token>> }> = [];
    const fetch = (signal: AbortSignal) => {
      const result = deferred<ReturnType<typeof token>>();
      fetches.push({ signal, result });
      signal.addEventListener('abort', () => result.reject(new Error('aborted')));
      return result.promise;
    };
    return { cache, fetches, fetch };
  }

  it('a joiner that cancels does not cancel the others', async () => {
    const { cache, fetches, fetch } = harness();
    const first = cache.get('k', fetch);
    const joiner = new AbortController();
    const joined = cache.get('k', fetch, { signal: joiner.signal });
    joiner.abort();
    await assert.rejects(joined, (e) => isVmIdentityError(e, 'cancelled'));
    assert.equal(fetches.length, 1);
    assert.equal(fetches[0].signal.aborted, false, 'the shared fetch goes on');
    fetches[0].result.resolve(token(1));
    assert.equal((await first).n, 1);
  });

  it('the first caller cancelling does not cancel a joiner', async () => {
    const { cache, fetches, fetch } = harness();
    const starter = new AbortController();
    const first = cache.get('k', fetch, { signal: starter.signal });
    const joined = cache.get('k', fetch, { signal: new AbortController().signal });
    starter.abort();
    await assert.rejects(first, (e) => isVmIdentityError(e, 'cancelled'));
    assert.equal(fetches[0].signal.aborted, false);
    fetches[0].result.resolve(token(2));
    assert.equal((await joined).n, 2);
  });

  it('the fetch is aborted when its last waiter leaves, and the next ask starts afresh', async () => {
    const { cache, fetches, fetch } = harness();
    const a = new AbortController();
    const b = new AbortController();
    const pa = cache.get('k', fetch, { signal: a.signal });
    const pb = cache.get('k', fetch, { signal: b.signal });
    a.abort();
    assert.equal(fetches[0].signal.aborted, false);
    b.abort();
    assert.equal(fetches[0].signal.aborted, true, 'nobody waits: the request is abandoned');
    await Promise.allSettled([pa, pb]);
    const again = cache.get('k', fetch);
    assert.equal(fetches.length, 2);
    fetches[1].result.resolve(token(3));
    assert.equal((await again).n, 3);
  });
});

describe('session async edges', () => {
  const snapshot = (expiresOn: number, refreshAfter: number, tag: string) =>
    ({ identity: { principalId: tag, token: { resource: 'r', expiresOn, refreshAfter } } }) as unknown as Snapshot;

  function fakeService() {
    const calls: string[] = [];
    const pending: Array<{ kind: string; result: Deferred<Snapshot>; signal?: AbortSignal }> = [];
    const service = {
      snapshot: (_s: unknown, _i: unknown, signal?: AbortSignal, force?: boolean) => {
        calls.push(force ? 'snapshot(force)' : 'snapshot');
        const result = deferred<Snapshot>();
        pending.push({ kind: 'snapshot', result, signal });
        return result.promise;
      },
      renewToken: (_s: Snapshot, signal?: AbortSignal) => {
        calls.push('renewToken');
        const result = deferred<Snapshot>();
        signal?.addEventListener('abort', () => result.reject(new Error('aborted')));
        pending.push({ kind: 'renew', result, signal });
        return result.promise;
      },
      reset: () => calls.push('reset'),
      configure: () => undefined,
      accessToken: async () => 't',
    };
    return { service: service as unknown as IdentityService, calls, pending };
  }

  it('a user Refresh during a silent renewal upgrades it: everything re-read, fresh token', async () => {
    const clock = new FakeClock();
    const { service, calls, pending } = fakeService();
    const timers: Array<() => void> = [];
    const session = new Session({ service, clock, setTimer: (fn) => (timers.push(fn), { dispose() {} }) });
    const signedIn = session.signIn();
    pending[0].result.resolve(snapshot(clock.now() + 3_600_000, clock.now() + 1000, 'first'));
    await signedIn;
    timers.pop()!(); // the silent renewal starts
    assert.deepEqual(calls, ['snapshot', 'renewToken']);
    const refreshed = session.refresh();
    assert.equal(pending[1].signal?.aborted, true, 'the renewal is abandoned, not joined');
    assert.deepEqual(calls, ['snapshot', 'renewToken', 'snapshot(force)']);
    pending[2].result.resolve(snapshot(clock.now() + 3_600_000, clock.now() + 1_800_000, 'second'));
    const state = await refreshed;
    assert.ok(state.status === 'signedIn' && state.snapshot.identity.principalId === 'second');
  });

  it('a listener that throws is logged; the transition completes and the other listeners run', async () => {
    const errors: string[] = [];
    const logger: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error: (m) => errors.push(m) };
    const { service, pending } = fakeService();
    const session = new Session({ service, logger, clock: new FakeClock(), setTimer: () => ({ dispose() {} }) });
    const seen: string[] = [];
    session.onDidChange(() => {
      throw new Error('listener broke with Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.sig');
    });
    session.onDidChange((s) => seen.push(s.status));
    const p = session.signIn();
    pending[0].result.resolve(snapshot(Date.now() + 3_600_000, Date.now() + 1_800_000, 'x'));
    assert.equal((await p).status, 'signedIn');
    assert.deepEqual(seen, ['signingIn', 'signedIn']);
    assert.equal(session.state.status, 'signedIn');
    assert.equal(errors.length, 2);
    assert.match(errors[0], /listener broke/);
    assert.ok(!errors.join('\n').includes('eyJ'), 'the log line is redacted');
  });

  it('sign-out resets the service (every cache about the identity)', async () => {
    const { service, calls, pending } = fakeService();
    const session = new Session({ service, clock: new FakeClock(), setTimer: () => ({ dispose() {} }) });
    const p = session.signIn();
    pending[0].result.resolve(snapshot(Date.now() + 3_600_000, Date.now() + 1_800_000, 'x'));
    await p;
    session.signOut();
    await tick();
    assert.deepEqual(calls, ['snapshot', 'reset']);
    assert.equal(session.state.status, 'signedOut');
  });
});

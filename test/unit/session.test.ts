/** The session state machine over the real core and the emulator (no VS Code needed). */
import * as assert from 'node:assert/strict';
import { type Emulator, startEmulator } from '../emulator';
import { IdentityService, valueOf } from '../../src/azure';
import { ManagedIdentityClient } from '../../src/identity';
import { Session, type SessionState } from '../../src/session/session';
import { FakeClock } from '../support/fakeClock';
import { closedPort } from '../support/recordingProxy';

describe('session', function () {
  let emu: Emulator;
  before(async () => {
    emu = await startEmulator({ dataset: { assignments: 12 }, listen: [{ host: '127.0.0.1', port: 0 }] });
  });
  after(() => emu.close());
  beforeEach(() => {
    emu.clearFaults();
    emu.resetLog();
    emu.configure({ systemAssigned: true, tokenLifetimeSec: 86399 });
  });

  function setup(imds = emu.httpUrl) {
    const clock = new FakeClock();
    const env = {
      AZURE_POD_IDENTITY_AUTHORITY_HOST: imds,
      VM_IDENTITY_ARM_ENDPOINT: emu.httpUrl,
      VM_IDENTITY_GRAPH_ENDPOINT: emu.httpUrl,
    };
    const timers: Array<{ fn: () => void; ms: number; disposed: boolean }> = [];
    const service = new IdentityService({
      identityClient: new ManagedIdentityClient({ env, clock, legacyEndpoint: imds }),
      env,
      clock,
    });
    const session = new Session({
      service,
      clock,
      setTimer: (fn, ms) => {
        const t = { fn, ms, disposed: false };
        timers.push(t);
        return { dispose: () => (t.disposed = true) };
      },
    });
    const states: SessionState['status'][] = [];
    session.onDidChange((s) => states.push(s.status));
    return { session, clock, timers, states };
  }
  const tokenRequests = () =>
    emu.requests.filter((r) => r.endpoint === 'imds-token' && r.query.resource === 'https://management.azure.com/')
      .length;

  it('signed out → signing in → signed in, with one sign-in in flight however often it is asked', async () => {
    const { session, states } = setup();
    const all = await Promise.all([session.signIn(), session.signIn(), session.refresh(), session.signIn()]);
    assert.ok(all.every((s) => s.status === 'signedIn'));
    assert.deepEqual(states, ['signingIn', 'signedIn']);
    assert.equal(tokenRequests(), 1);
    assert.equal(emu.requests.filter((r) => r.endpoint === 'arm-subscriptions').length, 1, 'one snapshot');
    const s = session.state;
    assert.ok(s.status === 'signedIn');
    assert.equal(s.snapshot.identity.principalId, emu.dataset.systemIdentity.principalId);
    assert.equal(valueOf(s.snapshot.vm)?.name, emu.dataset.vm.name);
    assert.ok(valueOf(s.snapshot.roles)!.assignments.length >= 12);
  });

  it('no endpoint → unavailable; an identity error → error; Refresh recovers', async () => {
    const port = await closedPort();
    const off = setup(`http://127.0.0.1:${port}`);
    assert.equal((await off.session.signIn()).status, 'unavailable');

    const { session, states } = setup();
    emu.fault('imds-token', [
      { status: 400, body: { error: 'invalid_request', error_description: 'Identity not found' } },
    ] as never);
    const failed = await session.signIn();
    assert.ok(failed.status === 'error' && failed.error.kind === 'identityNotFound');
    assert.equal((await session.refresh()).status, 'signedIn');
    assert.deepEqual(states, ['signingIn', 'error', 'signingIn', 'signedIn']);
  });

  it('refreshes silently before expiry: stays signed in, one IMDS token request per refresh', async () => {
    emu.configure({ tokenLifetimeSec: 600 });
    const { session, clock, timers, states } = setup();
    await session.signIn();
    const first = session.state.status === 'signedIn' ? session.state.snapshot.identity.token : undefined;
    assert.ok(first);
    const before = tokenRequests();
    for (let i = 1; i <= 3; i++) {
      const timer = timers.filter((t) => !t.disposed).at(-1)!;
      assert.ok(timer.ms > 0 && timer.ms <= 600_000, `refresh scheduled in ${timer.ms} ms`);
      clock.advance(timer.ms);
      timer.fn();
      await new Promise((r) => setTimeout(r, 50));
      while (session.state.status === 'signedIn' && session.state.refreshing)
        await new Promise((r) => setTimeout(r, 10));
      assert.equal(tokenRequests(), before + i);
    }
    assert.ok(!states.slice(2).includes('signingIn'), `no visible sign-in during silent refresh: ${states}`);
    assert.equal(session.state.status, 'signedIn');
    assert.equal(
      emu.requests.filter((r) => r.endpoint === 'arm-subscriptions').length,
      1,
      'a silent refresh re-reads nothing else',
    );
  });

  it('sign out forgets everything: the next sign-in asks IMDS again', async () => {
    const { session, timers } = setup();
    await session.signIn();
    session.signOut();
    assert.equal(session.state.status, 'signedOut');
    assert.ok(
      timers.every((t) => t.disposed),
      'no refresh left scheduled',
    );
    await session.signIn();
    assert.equal(tokenRequests(), 2);
  });

  it('sign out during a sign-in cancels it', async () => {
    emu.configure({ latencyMs: { imds: 200, arm: 0, graph: 0 } });
    try {
      const { session } = setup();
      const pending = session.signIn();
      session.signOut();
      await pending;
      assert.equal(session.state.status, 'signedOut');
    } finally {
      emu.configure({ latencyMs: { imds: 0, arm: 0, graph: 0 } });
    }
  });

  it('changing the identity signs in again as that identity', async () => {
    const { session } = setup();
    await session.signIn();
    const u = emu.dataset.userAssignedIdentities[0];
    const s = await session.configure({ identity: { kind: 'clientId', value: u.clientId } });
    assert.ok(s.status === 'signedIn');
    assert.equal(s.snapshot.identity.principalId, u.principalId);
    assert.equal(s.snapshot.identity.identityType, 'UserAssigned');
  });
});

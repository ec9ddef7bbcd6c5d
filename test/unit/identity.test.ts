/**
 * The identity client against the emulator over real HTTP on loopback: every fault, asserting the
 * outcome and the requests sent (count, headers, query).
 */
import * as assert from 'node:assert/strict';
import { type Emulator, startEmulator } from '../emulator';
import { type IdentitySelector, ManagedIdentityClient, SYSTEM_ASSIGNED } from '../../src/identity';
import { type ErrorKind, isVmIdentityError } from '../../src/core/errors';
import { directHttp } from '../../src/core/directHttp';
import { FakeClock } from '../support/fakeClock';
import { closedPort } from '../support/recordingProxy';
import { recordCase } from '../support/cases';

const ARM = 'https://management.azure.com/';

describe('identity client against the emulator', function () {
  let emu: Emulator;
  let clock: FakeClock;
  let legacyClosed: string;

  before(async () => {
    emu = await startEmulator({
      dataset: { assignments: 12, userAssignedIdentities: 3 },
      listen: [{ host: '127.0.0.1', port: 0 }],
    });
    legacyClosed = `http://127.0.0.1:${await closedPort()}`;
  });
  after(() => emu.close());
  beforeEach(() => {
    emu.clearFaults();
    emu.resetLog();
    emu.configure({ systemAssigned: true, userAssignedAttached: true, tokenLifetimeSec: 86399 });
    clock = new FakeClock();
  });

  const client = (extra: Partial<ConstructorParameters<typeof ManagedIdentityClient>[0]> = {}) =>
    new ManagedIdentityClient({
      env: { AZURE_POD_IDENTITY_AUTHORITY_HOST: emu.httpUrl },
      clock,
      legacyEndpoint: legacyClosed,
      timeouts: { connectMs: 1000, attemptMs: 500, deadlineMs: 120_000 },
      ...extra,
    });
  const tokenRequests = () => emu.requests.filter((r) => r.endpoint === 'imds-token');

  it('asks IMDS exactly as documented and reads the system identity', async () => {
    const t = await client().getToken(ARM);
    const [req, ...rest] = tokenRequests();
    assert.equal(rest.length, 0);
    assert.equal(req.method, 'GET');
    assert.equal(req.path, '/metadata/identity/oauth2/token');
    assert.deepEqual(req.query, { 'api-version': '2018-02-01', resource: ARM });
    assert.equal(req.headers.metadata, 'true');
    assert.equal(req.headers['x-forwarded-for'], undefined);
    assert.equal(t.claims.principalId, emu.dataset.systemIdentity.principalId);
    assert.equal(t.claims.clientId, emu.dataset.systemIdentity.clientId);
    assert.equal(t.claims.tenantId, emu.dataset.tenantId);
    assert.equal(t.claims.identityType, 'SystemAssigned');
    assert.equal(t.source, 'imds');
    assert.ok(t.accessToken.expiresOn > Date.now() + 23 * 3600_000);
  });

  type Case = { name: string; steps: object[]; requests: number; outcome: 'ok' | ErrorKind; sleeps?: number[] };
  const cases: Case[] = [
    {
      name: '410, 410, 200 → waits 10 s between tries',
      steps: [{ status: 410 }, { status: 410 }],
      requests: 3,
      outcome: 'ok',
      sleeps: [10_000, 10_000],
    },
    {
      name: '429 with Retry-After: 2 → waits 2 s',
      steps: [{ status: 429, retryAfter: 2 }],
      requests: 2,
      outcome: 'ok',
      sleeps: [2000],
    },
    {
      name: '500 ×3 then 200 → 1 s, 2 s, 4 s',
      steps: [{ status: 500 }, { status: 500 }, { status: 500 }],
      requests: 4,
      outcome: 'ok',
      sleeps: [1000, 2000, 4000],
    },
    {
      name: '500 ×4 → gives up after 3 retries',
      steps: [{ status: 500, count: 4 }],
      requests: 4,
      outcome: 'serviceError',
    },
    { name: '404 then 200 → retried', steps: [{ status: 404 }], requests: 2, outcome: 'ok' },
    { name: '429 ×4 → throttled', steps: [{ status: 429, count: 4 }], requests: 4, outcome: 'throttled' },
    {
      name: '400 → never retried',
      steps: [{ status: 400, body: { error: 'invalid_request', error_description: 'Identity not found' } }],
      requests: 1,
      outcome: 'identityNotFound',
    },
    {
      name: '400 invalid_resource → never retried, not "identity not found"',
      steps: [{ status: 400, body: { error: 'invalid_resource', error_description: 'AADSTS500011' } }],
      requests: 1,
      outcome: 'serviceError',
    },
    {
      name: 'a hang → times out, retried, then a timeout error',
      steps: [{ kind: 'hang', count: 4 }],
      requests: 4,
      outcome: 'timeout',
    },
    { name: 'a hang then 200 → recovers', steps: [{ kind: 'hang' }], requests: 2, outcome: 'ok' },
    { name: 'a reset connection → retried', steps: [{ kind: 'reset' }], requests: 2, outcome: 'ok' },
    { name: 'a truncated body → retried', steps: [{ kind: 'truncated' }], requests: 2, outcome: 'ok' },
    {
      name: 'a malformed body → typed error, not retried',
      steps: [{ kind: 'malformed' }],
      requests: 1,
      outcome: 'malformedResponse',
    },
    { name: 'a 2 MB body → refused', steps: [{ kind: 'huge' }], requests: 1, outcome: 'malformedResponse' },
    {
      name: "a proxy's 502 HTML page → retried, then proxy interference",
      steps: [{ kind: 'html502', count: 4 }],
      requests: 4,
      outcome: 'proxyInterference',
    },
    {
      name: 'a 200 with an HTML page → proxy interference',
      steps: [
        {
          status: 200,
          body: '<html><body>Access denied by policy</body></html>',
          headers: { 'content-type': 'text/html' },
        },
      ],
      requests: 1,
      outcome: 'proxyInterference',
    },
    {
      name: '407 from a proxy → proxy interference',
      steps: [{ status: 407, body: 'Proxy Authentication Required' }],
      requests: 1,
      outcome: 'proxyInterference',
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      emu.fault('imds-token', c.steps as never);
      const result = await client()
        .getToken(ARM)
        .then(
          (t) => ({ ok: t }),
          (e: unknown) => ({ error: e }),
        );
      if (c.outcome === 'ok') {
        assert.ok('ok' in result, `expected a token, got ${'error' in result ? String(result.error) : ''}`);
        assert.equal(result.ok.claims.principalId, emu.dataset.systemIdentity.principalId);
      } else {
        assert.ok('error' in result, 'expected an error');
        assert.ok(isVmIdentityError(result.error, c.outcome), `expected ${c.outcome}, got ${String(result.error)}`);
        assert.ok(result.error.fix.length > 10, 'the error says how to fix it');
      }
      assert.equal(tokenRequests().length, c.requests);
      if (c.sleeps) assert.deepEqual(clock.sleeps, c.sleeps);
      recordCase({
        area: 'identity endpoint (client, real HTTP)',
        name: c.name,
        expected: c.outcome === 'ok' ? 'token' : `${c.outcome} error`,
        observed: `${'ok' in result ? 'token' : `${(result.error as { kind: string }).kind}: ${(result.error as Error).message}`} after ${c.requests} request(s)${clock.sleeps.length ? `, waits ${clock.sleeps.map((ms) => `${ms / 1000} s`).join(', ')}` : ''}`,
        pass: true,
      });
    });
  }

  it('410 keeps trying for at least 70 s before giving up', async () => {
    emu.fault('imds-token', [{ status: 410, count: 20 }] as never);
    await assert.rejects(client().getToken(ARM), (e: unknown) => isVmIdentityError(e, 'serviceError'));
    const waited = clock.sleeps.reduce((a, b) => a + b, 0);
    assert.ok(waited >= 70_000, `waited ${waited} ms`);
    assert.equal(tokenRequests().length, 8);
  });

  it('stops at the overall deadline', async () => {
    emu.fault('imds-token', [{ status: 410, count: 20 }] as never);
    await assert.rejects(client({ timeouts: { connectMs: 1000, attemptMs: 500, deadlineMs: 25_000 } }).getToken(ARM));
    assert.equal(tokenRequests().length, 3, '0 s, 10 s, 20 s; the next try would pass 25 s');
  });

  it('an unreachable endpoint → "enable the identity", with no retries', async () => {
    const c = new ManagedIdentityClient({
      env: { AZURE_POD_IDENTITY_AUTHORITY_HOST: legacyClosed },
      clock,
      legacyEndpoint: legacyClosed,
    });
    await assert.rejects(
      c.getToken(ARM),
      (e: unknown) =>
        isVmIdentityError(e, 'endpointUnreachable') && e.remedy === 'enableIdentity' && /System assigned/.test(e.fix),
    );
    assert.deepEqual(clock.sleeps, []);
  });

  it('falls back to the legacy VM extension (localhost:50342 shape) only when IMDS does not answer', async () => {
    const c = new ManagedIdentityClient({
      env: { AZURE_POD_IDENTITY_AUTHORITY_HOST: legacyClosed },
      clock,
      legacyEndpoint: emu.httpUrl,
    });
    const t = await c.getToken(ARM);
    assert.equal(t.source, 'legacyVmExtension');
    const legacy = emu.requests.filter((r) => r.endpoint === 'legacy-token');
    assert.equal(legacy.length, 1);
    assert.deepEqual(legacy[0].query, { resource: ARM });
    assert.equal(legacy[0].headers.metadata, 'true');
    assert.equal(c.sourceKind, 'legacyVmExtension');
    // And when IMDS answers, the legacy endpoint is never asked.
    emu.resetLog();
    await client({ legacyEndpoint: emu.httpUrl }).getToken(ARM);
    assert.equal(emu.requests.filter((r) => r.endpoint === 'legacy-token').length, 0);
  });

  it('no identity at all on the VM → identity not found, with the enable-identity fix', async () => {
    emu.configure({ systemAssigned: false, userAssignedAttached: false });
    await assert.rejects(
      client().getToken(ARM),
      (e: unknown) =>
        isVmIdentityError(e, 'identityNotFound') &&
        e.remedy === 'enableIdentity' &&
        /System assigned to On/.test(e.fix),
    );
    assert.equal(tokenRequests().length, 1, 'a 400 is not retried');
  });

  it('several user-assigned identities and no system one → asks the user to pick', async () => {
    emu.configure({ systemAssigned: false });
    await assert.rejects(
      client().getToken(ARM),
      (e: unknown) => isVmIdentityError(e, 'multipleIdentities') && e.remedy === 'selectIdentity',
    );
  });

  for (const kind of ['clientId', 'objectId', 'resourceId'] as const) {
    it(`selects a user-assigned identity by ${kind}`, async () => {
      emu.configure({ systemAssigned: false });
      const u = emu.dataset.userAssignedIdentities[1];
      const value = kind === 'clientId' ? u.clientId : kind === 'objectId' ? u.principalId : u.resourceId;
      const t = await client().getToken(ARM, { identity: { kind, value } as IdentitySelector });
      assert.equal(t.claims.principalId, u.principalId);
      assert.equal(t.claims.identityType, 'UserAssigned');
      assert.equal(t.claims.identityResourceId?.toLowerCase(), u.resourceId.toLowerCase());
      const param = { clientId: 'client_id', objectId: 'object_id', resourceId: 'msi_res_id' }[kind];
      assert.equal(tokenRequests()[0].query[param], value);
      assert.equal(Object.keys(tokenRequests()[0].query).length, 3, 'api-version, resource and exactly one id');
    });
  }

  it('an id that matches no identity → identity not found, naming the id', async () => {
    const id = '00000000-0000-4000-8000-000000000001';
    await assert.rejects(
      client().getToken(ARM, { identity: { kind: 'clientId', value: id } }),
      (e: unknown) => isVmIdentityError(e, 'identityNotFound') && e.message.includes(id),
    );
  });

  it('100 concurrent asks → 1 request; later asks are served from the cache', async () => {
    const c = client();
    const tokens = await Promise.all(Array.from({ length: 100 }, () => c.getToken(ARM)));
    assert.equal(tokenRequests().length, 1);
    assert.equal(new Set(tokens.map((t) => t.accessToken.token)).size, 1);
    await c.getToken(ARM);
    assert.equal(tokenRequests().length, 1);
    await c.getToken('https://graph.microsoft.com/');
    assert.equal(tokenRequests().length, 2, 'another resource is another key');
    await c.getToken(ARM, { forceRefresh: true });
    assert.equal(tokenRequests().length, 3);
  });

  it('refreshes inside the window before expiry, once', async () => {
    // The client's clock moves, the emulator's does not: its IMDS token cache would keep serving the first token.
    emu.configure({ tokenLifetimeSec: 3600, imdsTokenCache: false });
    const c = client();
    const first = await c.getToken(ARM);
    assert.equal(first.accessToken.refreshAfter, first.accessToken.expiresOn - 5 * 60_000);
    clock.advance(3600_000 - 6 * 60_000); // before the window
    await c.getToken(ARM);
    assert.equal(tokenRequests().length, 1);
    clock.advance(2 * 60_000); // inside the 5-minute window
    const [a, b] = await Promise.all([c.getToken(ARM), c.getToken(ARM)]);
    assert.equal(tokenRequests().length, 2);
    assert.equal(a.accessToken.token, b.accessToken.token);
    assert.notEqual(a.accessToken.token, first.accessToken.token);
  });

  it('does not cache failures', async () => {
    emu.fault('imds-token', [
      { status: 400, body: { error: 'invalid_request', error_description: 'Identity not found' } },
    ] as never);
    const c = client();
    await assert.rejects(c.getToken(ARM));
    const t = await c.getToken(ARM);
    assert.equal(t.claims.principalId, emu.dataset.systemIdentity.principalId);
    assert.equal(tokenRequests().length, 2);
  });

  it('keeps serving a still-valid token when a refresh fails', async () => {
    emu.configure({ tokenLifetimeSec: 3600 });
    const c = client();
    const first = await c.getToken(ARM);
    clock.advance(3600_000 - 2 * 60_000);
    emu.fault('imds-token', [{ status: 400, body: { error: 'invalid_request' } }] as never);
    const again = await c.getToken(ARM);
    assert.equal(again.accessToken.token, first.accessToken.token);
  });

  it('never goes through a proxy, even when http/https and their global agents are patched (as VS Code does)', async () => {
    // The CommonJS module object, which is what VS Code's proxy resolver patches.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the CommonJS module object, not an ESM namespace
    const http = require('node:http') as typeof import('node:http');
    const originals = { request: http.request, get: http.get, globalAgent: http.globalAgent };
    const intercepted: string[] = [];
    const trap = ((...args: unknown[]) => {
      intercepted.push(String(args[0]));
      throw new Error('patched http.request used');
    }) as unknown as typeof http.request;
    try {
      (http as { request: typeof http.request }).request = trap;
      (http as { get: typeof http.get }).get = trap as unknown as typeof http.get;
      const trapAgent = new http.Agent();
      (trapAgent as unknown as { addRequest: () => void }).addRequest = () => {
        intercepted.push('globalAgent');
        throw new Error('global agent used');
      };
      (http as { globalAgent: import('node:http').Agent }).globalAgent = trapAgent;
      const t = await new ManagedIdentityClient({
        env: { AZURE_POD_IDENTITY_AUTHORITY_HOST: emu.httpUrl },
        clock,
        http: directHttp,
      }).getToken(ARM);
      assert.equal(t.claims.principalId, emu.dataset.systemIdentity.principalId);
    } finally {
      Object.assign(http, originals);
    }
    assert.deepEqual(intercepted, []);
  });

  it('sends at most one of client_id / object_id / msi_res_id, and never X-Forwarded-For', async () => {
    await client().getToken(ARM, { identity: SYSTEM_ASSIGNED });
    const q = tokenRequests()[0].query;
    assert.ok(!('client_id' in q) && !('object_id' in q) && !('msi_res_id' in q));
  });
});

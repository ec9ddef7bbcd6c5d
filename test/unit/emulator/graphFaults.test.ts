/** The emulator's Graph endpoint and fault scripts. */
import * as assert from 'node:assert/strict';
import { type Emulator, type FaultStep, startEmulator } from '../../emulator';
import { ARM, GRAPH, HTTP_ONLY, send, parse, imds, tokenPath, token, bearer, type ArmErrorBody } from './helpers';

describe('emulator: Graph', function () {
  let emu: Emulator;
  before(async () => {
    emu = await startEmulator({ listen: HTTP_ONLY });
  });
  after(() => emu.close());

  it('the service principal of the system identity, honouring $select', async () => {
    const d = emu.dataset;
    const t = await token(emu, GRAPH);
    const url = `${emu.httpUrl}/v1.0/servicePrincipals/${d.systemIdentity.principalId}?$select=id,appId,displayName,servicePrincipalType,alternativeNames`;
    assert.deepEqual(parse(await send(url, { headers: bearer(t) })), {
      '@odata.context':
        'https://graph.microsoft.com/v1.0/$metadata#servicePrincipals(id,appId,displayName,servicePrincipalType,alternativeNames)/$entity',
      id: d.systemIdentity.principalId,
      appId: d.systemIdentity.clientId,
      displayName: d.vm.name,
      servicePrincipalType: 'ManagedIdentity',
      alternativeNames: ['isExplicit=False', d.vm.resourceId],
    });
    const full = parse<Record<string, unknown>>(
      await send(`${emu.httpUrl}/v1.0/servicePrincipals/${d.userAssignedIdentities[0].principalId}`, {
        headers: bearer(t),
      }),
    );
    assert.equal(full['@odata.context'], 'https://graph.microsoft.com/v1.0/$metadata#servicePrincipals/$entity');
    assert.equal(full.displayName, d.userAssignedIdentities[0].name);
  });

  it('403 Authorization_RequestDenied when not readable, 401 for an ARM token, 404 for an unknown id', async () => {
    const d = emu.dataset;
    const url = `${emu.httpUrl}/v1.0/servicePrincipals/${d.systemIdentity.principalId}`;
    const t = await token(emu, GRAPH);
    emu.configure({ graphReadable: false });
    const denied = await send(url, { headers: bearer(t) });
    emu.configure({ graphReadable: true });
    assert.equal(denied.status, 403);
    const body = parse<{
      error: { code: string; message: string; innerError: { date: string; 'request-id': string } };
    }>(denied);
    assert.equal(body.error.code, 'Authorization_RequestDenied');
    assert.equal(body.error.message, 'Insufficient privileges to complete the operation.');
    assert.equal(body.error.innerError['request-id'], denied.headers['request-id']);
    assert.equal((await send(url, { headers: bearer(await token(emu, ARM)) })).status, 401);
    assert.equal(
      (await send(`${emu.httpUrl}/v1.0/servicePrincipals/00000000-0000-4000-8000-000000000000`, { headers: bearer(t) }))
        .status,
      404,
    );
  });
});

describe('emulator: fault scripts', function () {
  let emu: Emulator;
  before(async () => {
    emu = await startEmulator({ listen: HTTP_ONLY });
  });
  after(() => emu.close());
  beforeEach(() => {
    emu.clearFaults();
    emu.resetLog();
  });

  const statuses = async (n: number) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await imds(emu, tokenPath({ resource: ARM }))).status);
    return out;
  };

  it('410, 410, then normal', async () => {
    emu.fault('imds-token', [{ status: 410 }, { status: 410 }]);
    assert.deepEqual(await statuses(3), [410, 410, 200]);
  });

  it('count repeats a step; pass answers normally mid-script', async () => {
    emu.fault('imds-token', [{ status: 500, count: 2 }, { kind: 'pass' }, { status: 404 }]);
    assert.deepEqual(await statuses(5), [500, 500, 200, 404, 200]);
  });

  it('forMs keeps a step for a while from its first use', async () => {
    emu.fault('imds-token', [{ status: 410, forMs: 250 }, { status: 503 }]);
    const early = await statuses(3);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual([...early, ...(await statuses(2))], [410, 410, 410, 503, 200]);
  });

  it("a status step with Retry-After and the service's own error body", async () => {
    emu.fault('arm-subscriptions', [{ status: 429, retryAfter: 7 }]);
    const reply = await send(`${emu.httpUrl}/subscriptions?api-version=2022-12-01`, {
      headers: bearer(await token(emu)),
    });
    assert.equal(reply.status, 429);
    assert.equal(reply.headers['retry-after'], '7');
    assert.equal(parse<ArmErrorBody>(reply).error.code, 'TooManyRequests');
    assert.ok(reply.headers['x-ms-request-id']);
  });

  it('hang: accepted, never answered, until the client gives up', async () => {
    emu.fault('imds-token', [{ kind: 'hang' }]);
    const started = Date.now();
    await assert.rejects(
      send(`${emu.httpUrl}${tokenPath({ resource: ARM })}`, { headers: { Metadata: 'true' }, timeoutMs: 300 }),
      /client timeout/,
    );
    assert.ok(Date.now() - started >= 280);
    await new Promise((r) => setTimeout(r, 50));
    const logged = emu.requests.find((r) => r.endpoint === 'imds-token')!;
    assert.equal(logged.status, 0);
    assert.equal((await imds(emu, tokenPath({ resource: ARM }))).status, 200, 'the next request is normal');
  });

  it('reset and truncated fail the client; malformed, huge and html502 answer badly', async () => {
    const steps: FaultStep[] = [
      { kind: 'reset' },
      { kind: 'truncated' },
      { kind: 'malformed' },
      { kind: 'huge' },
      { kind: 'html502' },
    ];
    emu.fault('imds-token', steps);
    const url = `${emu.httpUrl}${tokenPath({ resource: ARM })}`;
    await assert.rejects(send(url, { headers: { Metadata: 'true' } }), /socket hang up|ECONNRESET/);
    await assert.rejects(send(url, { headers: { Metadata: 'true' } }), /aborted|ECONNRESET|terminated/);
    const malformed = await send(url, { headers: { Metadata: 'true' } });
    assert.equal(malformed.status, 200);
    assert.throws(() => JSON.parse(malformed.text));
    const huge = await send(url, { headers: { Metadata: 'true' } });
    assert.ok(huge.text.length >= 2 * 1024 * 1024 - 1);
    assert.doesNotThrow(() => JSON.parse(huge.text));
    const proxy = await send(url, { headers: { Metadata: 'true' } });
    assert.equal(proxy.status, 502);
    assert.match(String(proxy.headers['content-type']), /^text\/html/);
    assert.match(proxy.text, /<html>/);
  });

  it('rejects unknown endpoints and malformed steps', () => {
    assert.throws(() => emu.fault('nope' as never, []), /unknown fault endpoint/);
    assert.throws(() => emu.fault('imds-token', [{ kind: 'explode' } as never]), /unknown fault kind/);
  });
});

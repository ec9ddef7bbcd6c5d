/**
 * Workload identity host over real HTTP: a service-account token from the emulator's Kubernetes issuer, exchanged at
 * the Entra token endpoint; every documented AADSTS failure in Entra's error shape; the token works at ARM.
 */
import * as assert from 'node:assert/strict';
import { startEmulator, type Emulator, type RunningHost } from '../../emulator';
import { ARM, HTTP_ONLY, body, claimsOf, form, send } from './httpHelpers';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

describe('emulator host: AKS workload identity (Entra client-assertion grant)', () => {
  let emu: Emulator;
  let host: RunningHost;
  before(async () => {
    emu = await startEmulator({ listen: HTTP_ONLY });
    host = await emu.startHost({ kind: 'workload-identity' });
  });
  after(() => emu.close());

  const assertion = (input: Record<string, unknown> = {}) => host.action('serviceAccountToken', input) as string;
  const exchange = (fields: Record<string, string> = {}, tenant = host.env.AZURE_TENANT_ID) =>
    form(`${host.env.AZURE_AUTHORITY_HOST}${tenant}/oauth2/v2.0/token`, {
      grant_type: 'client_credentials',
      client_id: host.env.AZURE_CLIENT_ID,
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: assertion(),
      scope: `${ARM}.default`,
      ...fields,
    });

  function assertAadsts(reply: { status: number; text: string }, status: number, error: string, code: number): void {
    assert.equal(reply.status, status, reply.text);
    const b = body(reply);
    assert.equal(b.error, error);
    assert.deepEqual(b.error_codes, [code]);
    assert.match(
      String(b.error_description),
      new RegExp(
        `^AADSTS${code}: .*\\r\\nTrace ID: [0-9a-f-]{36}\\r\\nCorrelation ID: [0-9a-f-]{36}\\r\\nTimestamp: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ$`,
        's',
      ),
    );
    for (const key of ['trace_id', 'correlation_id', 'timestamp', 'error_uri'])
      assert.equal(typeof b[key], 'string', key);
  }

  it('exchanges the federated token for an app token of the workload identity (numbers, idtyp app, no xms_mirid)', async () => {
    const reply = await exchange();
    assert.equal(reply.status, 200, reply.text);
    const b = body(reply);
    assert.equal(b.token_type, 'Bearer');
    assert.equal(typeof b.expires_in, 'number');
    assert.equal(typeof b.ext_expires_in, 'number');
    const c = claimsOf(String(b.access_token));
    const d = host.details;
    assert.equal(c.oid, d.principalId);
    assert.equal(c.appid, d.clientId);
    assert.equal(c.tid, emu.dataset.tenantId);
    assert.equal(c.idtyp, 'app');
    assert.equal(c.aud, 'https://management.azure.com');
    assert.equal(c.xms_mirid, undefined);
    // ARM accepts it like an IMDS token.
    const subs = await send(`${emu.httpUrl}/subscriptions?api-version=2022-12-01`, {
      headers: { authorization: `Bearer ${String(b.access_token)}` },
    });
    assert.equal(subs.status, 200, subs.text);
  });

  it('AADSTS700024 for an expired assertion (401 invalid_client)', async () => {
    assertAadsts(await exchange({ client_assertion: assertion({ expiresInSec: -60 }) }), 401, 'invalid_client', 700024);
  });

  it('AADSTS70021 when no federated credential matches issuer, subject or audience', async () => {
    assertAadsts(
      await exchange({ client_assertion: assertion({ serviceAccount: 'other-sa' }) }),
      400,
      'invalid_request',
      70021,
    );
    assertAadsts(
      await exchange({ client_assertion: assertion({ issuer: 'https://issuer.example/' }) }),
      400,
      'invalid_request',
      70021,
    );
    const wrongAudience = await exchange({ client_assertion: assertion({ audiences: ['api://SomethingElse'] }) });
    assertAadsts(wrongAudience, 400, 'invalid_request', 70021);
    assert.match(
      String(body(wrongAudience).error_description),
      /Assertion Subject: 'system:serviceaccount:default:workload-identity-sa'/,
    );
  });

  it('AADSTS700016 for an unknown client id, AADSTS500011 for an unknown resource, AADSTS90002 for another tenant', async () => {
    assertAadsts(
      await exchange({ client_id: '00000000-0000-0000-0000-000000000001' }),
      400,
      'unauthorized_client',
      700016,
    );
    assertAadsts(await exchange({ scope: 'https://unknown.example.com/.default' }), 400, 'invalid_resource', 500011);
    assertAadsts(await exchange({}, '11111111-1111-1111-1111-111111111111'), 400, 'invalid_request', 90002);
  });

  it('rejects the wrong assertion type, a malformed assertion and a scope without /.default', async () => {
    assertAadsts(
      await exchange({ client_assertion_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer' }),
      401,
      'invalid_client',
      7000218,
    );
    assertAadsts(await exchange({ client_assertion: 'not-a-jwt' }), 400, 'invalid_request', 50027);
    assertAadsts(await exchange({ scope: ARM }), 400, 'invalid_scope', 1002012);
    assertAadsts(
      await send(`${host.env.AZURE_AUTHORITY_HOST}${host.env.AZURE_TENANT_ID}/oauth2/v2.0/token`),
      400,
      'invalid_request',
      900561,
    );
  });

  it('is started and driven over the control API too', async () => {
    const started = await send(`${emu.httpUrl}/_emulator/hosts`, {
      method: 'POST',
      body: JSON.stringify({ kind: 'workload-identity', name: 'wi2' }),
    });
    assert.equal(started.status, 200, started.text);
    const s = body<{ url: string; env: Record<string, string> }>(started);
    assert.equal(s.env.AZURE_AUTHORITY_HOST, `${s.url}/`);
    const minted = await send(`${emu.httpUrl}/_emulator/hosts/wi2/serviceAccountToken`, { method: 'POST', body: '{}' });
    const sa = body<{ result: string }>(minted).result;
    assert.equal(claimsOf(sa).sub, 'system:serviceaccount:default:workload-identity-sa');
    const reply = await form(`${s.url}/${s.env.AZURE_TENANT_ID}/oauth2/v2.0/token`, {
      grant_type: 'client_credentials',
      client_id: s.env.AZURE_CLIENT_ID,
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: sa,
      scope: `${ARM}.default`,
    });
    assert.equal(reply.status, 200, reply.text);
    const log = body<Array<{ path: string; status: number }>>(
      await send(`${emu.httpUrl}/_emulator/hosts/wi2/requests`),
    );
    assert.deepEqual(
      log.map((r) => r.status),
      [200],
    );
    assert.equal((await send(`${emu.httpUrl}/_emulator/hosts/wi2`, { method: 'DELETE' })).status, 204);
    assert.equal((await send(`${emu.httpUrl}/_emulator/hosts/wi2`)).status, 404);
  });
});

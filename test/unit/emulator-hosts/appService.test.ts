/** App Service / Functions host over real HTTP: X-IDENTITY-HEADER, identity selection, error bodies, the 2017 API. */
import * as assert from 'node:assert/strict';
import { startEmulator, type Emulator, type RunningHost } from '../../emulator';
import { ARM, HTTP_ONLY, body, claimsOf, send } from './httpHelpers';

describe('emulator host: App Service / Functions', () => {
  let emu: Emulator;
  let host: RunningHost;
  before(async () => {
    emu = await startEmulator({ listen: HTTP_ONLY, dataset: { userAssignedIdentities: 2 } });
    host = await emu.startHost({ kind: 'app-service', options: { appName: 'func-orders' } });
  });
  afterEach(() => emu.configure({ systemAssigned: true }));
  after(() => emu.close());

  const get = (
    query: Record<string, string>,
    headers: Record<string, string> = { 'X-IDENTITY-HEADER': host.env.IDENTITY_HEADER },
  ) =>
    send(
      `${host.env.IDENTITY_ENDPOINT}?${new URLSearchParams({ 'api-version': '2019-08-01', resource: ARM, ...query })}`,
      { headers },
    );

  function assertAppServiceError(reply: { status: number; text: string }, status: number): string {
    assert.equal(reply.status, status, reply.text);
    const b = body(reply);
    assert.deepEqual(Object.keys(b).sort(), ['correlationId', 'message', 'statusCode']);
    assert.equal(b.statusCode, status);
    return String(b.message);
  }

  it('hands out the system identity with expires_on as an epoch string, and names the site in xms_mirid', async () => {
    const reply = await get({});
    assert.equal(reply.status, 200, reply.text);
    const b = body(reply);
    assert.deepEqual(Object.keys(b).sort(), ['access_token', 'client_id', 'expires_on', 'resource', 'token_type']);
    assert.match(String(b.expires_on), /^\d{10}$/);
    const c = claimsOf(String(b.access_token));
    assert.equal(c.oid, emu.dataset.systemIdentity.principalId);
    assert.match(String(c.xms_mirid), /\/resourcegroups\/[^/]+\/providers\/Microsoft\.Web\/sites\/func-orders$/);
    assert.equal(host.env.MSI_ENDPOINT, host.env.IDENTITY_ENDPOINT, 'the platform also sets the legacy variables');
  });

  it('selects a user-assigned identity by client_id, principal_id, object_id or mi_res_id', async () => {
    const u = emu.dataset.userAssignedIdentities[1];
    const queries: Array<Record<string, string>> = [
      { client_id: u.clientId },
      { principal_id: u.principalId },
      { object_id: u.principalId },
      { mi_res_id: u.resourceId },
    ];
    for (const query of queries) {
      const reply = await get(query);
      assert.equal(reply.status, 200, reply.text);
      assert.equal(claimsOf(String(body(reply).access_token)).oid, u.principalId, JSON.stringify(query));
    }
  });

  it('answers {statusCode, message, correlationId} for a missing header, an unknown identity, two ids, no system identity', async () => {
    assertAppServiceError(await get({}, {}), 401);
    assert.equal(
      assertAppServiceError(await get({ client_id: '00000000-0000-0000-0000-000000000009' }), 400),
      'Unable to load the proper Managed Identity.',
    );
    const u = emu.dataset.userAssignedIdentities[0];
    assertAppServiceError(await get({ client_id: u.clientId, mi_res_id: u.resourceId }), 400);
    emu.configure({ systemAssigned: false });
    assert.equal(assertAppServiceError(await get({}), 400), 'Unable to load the proper Managed Identity.');
    assertAppServiceError(await get({ 'api-version': '2018-02-01' }), 400);
  });

  it('serves the legacy 2017-09-01 API (header secret, clientid) with its date-string expires_on', async () => {
    const reply = await send(
      `${host.env.MSI_ENDPOINT}?${new URLSearchParams({ 'api-version': '2017-09-01', resource: ARM })}`,
      { headers: { secret: host.env.MSI_SECRET } },
    );
    assert.equal(reply.status, 200, reply.text);
    assert.match(String(body(reply).expires_on), /^\d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d [AP]M \+00:00$/);
  });
});

/** Azure Machine Learning compute host over real HTTP: MSI_SECRET, clientid (2017 spelling), integer expires_on. */
import * as assert from 'node:assert/strict';
import { startEmulator, type Emulator, type RunningHost } from '../../emulator';
import { ARM, HTTP_ONLY, body, claimsOf, send } from './httpHelpers';

describe('emulator host: Azure Machine Learning compute', () => {
  let emu: Emulator;
  let host: RunningHost;
  before(async () => {
    emu = await startEmulator({ listen: HTTP_ONLY, dataset: { userAssignedIdentities: 1 } });
    host = await emu.startHost({ kind: 'machine-learning', options: { computeName: 'ci-ada' } });
  });
  after(() => emu.close());

  const get = (
    query: Record<string, string>,
    headers: Record<string, string> = { secret: host.env.MSI_SECRET, Metadata: 'true' },
  ) =>
    send(`${host.env.MSI_ENDPOINT}?${new URLSearchParams({ 'api-version': '2017-09-01', resource: ARM, ...query })}`, {
      headers,
    });

  it('sets MSI_ENDPOINT, MSI_SECRET and DEFAULT_IDENTITY_CLIENT_ID (no IDENTITY_* variables)', () => {
    assert.deepEqual(Object.keys(host.env).sort(), ['DEFAULT_IDENTITY_CLIENT_ID', 'MSI_ENDPOINT', 'MSI_SECRET']);
    assert.equal(host.env.DEFAULT_IDENTITY_CLIENT_ID, emu.dataset.systemIdentity.clientId);
  });

  it('issues the compute identity for clientid=DEFAULT_IDENTITY_CLIENT_ID, expires_on an integer', async () => {
    const reply = await get({ clientid: host.env.DEFAULT_IDENTITY_CLIENT_ID });
    assert.equal(reply.status, 200, reply.text);
    const b = body(reply);
    assert.equal(typeof b.expires_on, 'number');
    const c = claimsOf(String(b.access_token));
    assert.equal(c.oid, emu.dataset.systemIdentity.principalId);
    assert.match(String(c.xms_mirid), /Microsoft\.MachineLearningServices\/workspaces\/[^/]+\/computes\/ci-ada$/);
  });

  it('selects a user-assigned identity by clientid only', async () => {
    const u = emu.dataset.userAssignedIdentities[0];
    const reply = await get({ clientid: u.clientId });
    assert.equal(reply.status, 200, reply.text);
    assert.equal(claimsOf(String(body(reply).access_token)).oid, u.principalId);
    // The 2019 spelling is not this API's: without clientid the request fails.
    assert.equal((await get({ client_id: u.clientId })).status, 400);
  });

  it('refuses a missing clientid, an unknown one, a wrong secret and another api-version', async () => {
    for (const reply of [await get({}), await get({ clientid: '00000000-0000-0000-0000-00000000000a' })]) {
      assert.equal(reply.status, 400, reply.text);
      assert.match(String(body(reply).error_description), /Token not found/);
    }
    assert.equal((await get({ clientid: host.env.DEFAULT_IDENTITY_CLIENT_ID }, { secret: 'wrong' })).status, 401);
    assert.equal(
      (await get({ clientid: host.env.DEFAULT_IDENTITY_CLIENT_ID, 'api-version': '2019-08-01' })).status,
      400,
    );
  });
});

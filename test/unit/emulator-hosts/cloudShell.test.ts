/** Cloud Shell host over real HTTP: POST form, the signed-in user's token, ignored identity parameters, error shape. */
import * as assert from 'node:assert/strict';
import { startEmulator, type Emulator, type RunningHost } from '../../emulator';
import { ARM, HTTP_ONLY, body, claimsOf, form, send } from './httpHelpers';

describe('emulator host: Cloud Shell', () => {
  let emu: Emulator;
  let host: RunningHost;
  const userObjectId = '3f1c0a52-7c55-4c8e-9d1e-0a4c1b2e3d4f';
  before(async () => {
    emu = await startEmulator({ listen: HTTP_ONLY });
    host = await emu.startHost({
      kind: 'cloud-shell',
      options: { userObjectId, upn: 'ada@contoso.example', displayName: 'Ada' },
    });
  });
  after(() => emu.close());

  const post = (fields: Record<string, string>, headers: Record<string, string> = { Metadata: 'true' }) =>
    form(host.env.MSI_ENDPOINT, fields, headers);

  it("answers a POST with the signed-in user's token: idtyp user, upn, name, scp, no xms_mirid", async () => {
    const reply = await post({ resource: ARM });
    assert.equal(reply.status, 200, reply.text);
    const b = body(reply);
    assert.equal(typeof b.expires_in, 'string');
    const c = claimsOf(String(b.access_token));
    assert.deepEqual(
      { oid: c.oid, idtyp: c.idtyp, upn: c.upn, name: c.name, scp: c.scp, mirid: c.xms_mirid },
      {
        oid: userObjectId,
        idtyp: 'user',
        upn: 'ada@contoso.example',
        name: 'Ada',
        scp: 'user_impersonation',
        mirid: undefined,
      },
    );
  });

  it('ignores identity parameters: still the user', async () => {
    const u = emu.dataset.userAssignedIdentities[0];
    const reply = await post({ resource: ARM, client_id: u.clientId, msi_res_id: u.resourceId });
    assert.equal(claimsOf(String(body(reply).access_token)).oid, userObjectId);
  });

  it('also answers the IMDS-style GET path', async () => {
    const reply = await send(
      `${host.url}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=${encodeURIComponent(ARM)}`,
      { headers: { Metadata: 'true' } },
    );
    assert.equal(claimsOf(String(body(reply).access_token)).idtyp, 'user');
  });

  it('errors are {"error":{"code","message"}}: unsupported audience, no Metadata header, GET on the POST endpoint', async () => {
    const cases: Array<[Promise<{ status: number; text: string }>, number, string]> = [
      [post({ resource: 'https://azconfig.io' }), 400, 'AudienceNotSupported'],
      [post({ resource: ARM }, {}), 400, 'BadRequest'],
      [send(host.env.MSI_ENDPOINT), 405, 'MethodNotAllowed'],
    ];
    for (const [pending, status, code] of cases) {
      const reply = await pending;
      assert.equal(reply.status, status, reply.text);
      const e = body<{ error: { code: string; message: string } }>(reply).error;
      assert.equal(e.code, code);
      assert.equal(typeof e.message, 'string');
    }
  });
});

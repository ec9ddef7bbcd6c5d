/** The emulator's IMDS and legacy token endpoints: shapes, identity selection, limits. */
import * as assert from 'node:assert/strict';
import { type Emulator, startEmulator } from '../../emulator';
import { ARM, HTTP_ONLY, parse, imds, tokenPath, type TokenBody, token, claimsOf } from './helpers';

describe('emulator: IMDS and the legacy endpoint', function () {
  let emu: Emulator;
  before(async () => {
    emu = await startEmulator({ dataset: { userAssignedIdentities: 3 }, listen: HTTP_ONLY });
  });
  after(() => emu.close());
  beforeEach(() => {
    emu.configure({ systemAssigned: true, latencyMs: { imds: 0 } });
    emu.clearFaults();
  });

  it('answers a token with every field a string and a JWT-shaped access token', async () => {
    const reply = await imds(emu, tokenPath({ resource: ARM }));
    assert.equal(reply.status, 200);
    assert.match(String(reply.headers['content-type']), /^application\/json/);
    const body = parse<Record<string, unknown>>(reply);
    for (const key of [
      'access_token',
      'refresh_token',
      'expires_in',
      'expires_on',
      'not_before',
      'resource',
      'token_type',
      'client_id',
    ])
      assert.equal(typeof body[key], 'string', key);
    const t = parse<TokenBody>(reply);
    assert.equal(t.refresh_token, '');
    assert.equal(t.token_type, 'Bearer');
    assert.equal(t.expires_in, '86399');
    assert.ok(Math.abs(Number(t.expires_on) - (Date.now() / 1000 + 86399)) < 5);
    const [header] = t.access_token.split('.');
    assert.deepEqual(JSON.parse(Buffer.from(header, 'base64url').toString()), {
      typ: 'JWT',
      alg: 'RS256',
      kid: 'emulator',
    });
    const c = claimsOf(t.access_token);
    const d = emu.dataset;
    assert.deepEqual(
      {
        aud: c.aud,
        iss: c.iss,
        oid: c.oid,
        sub: c.sub,
        tid: c.tid,
        appid: c.appid,
        appidacr: c.appidacr,
        idtyp: c.idtyp,
      },
      {
        aud: ARM,
        iss: `https://sts.windows.net/${d.tenantId}/`,
        oid: d.systemIdentity.principalId,
        sub: d.systemIdentity.principalId,
        tid: d.tenantId,
        appid: d.systemIdentity.clientId,
        appidacr: '2',
        idtyp: 'app',
      },
    );
    assert.equal(c.xms_mirid, d.vm.resourceId.replace('/resourceGroups/', '/resourcegroups/'));
    assert.equal(await token(emu), await token(emu), 'IMDS serves its cached token');
  });

  const badRequests: Array<
    [string, string, Record<string, string>, number, { error: string; error_description?: string }]
  > = [
    [
      'no Metadata header',
      tokenPath({ resource: ARM }),
      {},
      400,
      { error: 'invalid_request', error_description: 'Required metadata header not specified' },
    ],
    [
      'Metadata: false',
      tokenPath({ resource: ARM }),
      { Metadata: 'false' },
      400,
      { error: 'invalid_request', error_description: 'Required metadata header not specified' },
    ],
    [
      'no api-version',
      `/metadata/identity/oauth2/token?resource=${ARM}`,
      { Metadata: 'true' },
      400,
      { error: 'invalid_request' },
    ],
    ['no resource', tokenPath({}), { Metadata: 'true' }, 400, { error: 'invalid_resource' }],
    [
      'X-Forwarded-For',
      tokenPath({ resource: ARM }),
      { Metadata: 'true', 'X-Forwarded-For': '10.0.0.1' },
      400,
      { error: 'invalid_request' },
    ],
  ];
  for (const [name, path, headers, status, body] of badRequests) {
    it(`400 for ${name}`, async () => {
      const reply = await imds(emu, path, headers);
      assert.equal(reply.status, status);
      const got = parse<{ error: string; error_description: string }>(reply);
      assert.equal(got.error, body.error);
      if (body.error_description) assert.equal(got.error_description, body.error_description);
    });
  }

  it('selects identities as IMDS does', async () => {
    const d = emu.dataset;
    const [u0, u1, u2] = d.userAssignedIdentities;
    const cases: Array<{ system: boolean; query: Record<string, string>; oid?: string; error?: RegExp }> = [
      { system: true, query: {}, oid: d.systemIdentity.principalId },
      { system: true, query: { client_id: u0.clientId }, oid: u0.principalId },
      { system: true, query: { object_id: u1.principalId }, oid: u1.principalId },
      { system: true, query: { msi_res_id: u2.resourceId }, oid: u2.principalId },
      { system: true, query: { client_id: '00000000-0000-0000-0000-000000000001' }, error: /^Identity not found$/ },
      { system: true, query: { client_id: u0.clientId, object_id: u0.principalId }, error: /one of/ },
      {
        system: false,
        query: {},
        error:
          /^Multiple user assigned identities exist, please specify the clientId \/ resourceId of the identity in the token request$/,
      },
      { system: false, query: { client_id: d.systemIdentity.clientId }, error: /^Identity not found$/ },
      { system: false, query: { client_id: u0.clientId }, oid: u0.principalId },
    ];
    for (const c of cases) {
      emu.configure({ systemAssigned: c.system });
      const reply = await imds(emu, tokenPath({ resource: ARM, ...c.query }));
      const label = JSON.stringify(c);
      if (c.oid) {
        assert.equal(reply.status, 200, label);
        assert.equal(claimsOf(parse<TokenBody>(reply).access_token).oid, c.oid, label);
      } else {
        assert.equal(reply.status, 400, label);
        const body = parse<{ error: string; error_description: string }>(reply);
        assert.equal(body.error, 'invalid_request', label);
        assert.match(body.error_description, c.error!, label);
      }
    }
  });

  it('a user-assigned token names the identity in xms_mirid and the VM in xms_az_rid', async () => {
    const u = emu.dataset.userAssignedIdentities[0];
    const c = claimsOf(await token(emu, ARM, { client_id: u.clientId }));
    assert.equal(c.xms_mirid, u.resourceId);
    assert.equal(c.xms_az_rid, emu.dataset.vm.resourceId);
    assert.equal(c.appid, u.clientId);
  });

  for (const [uamis, expected] of [
    [1, 'the only user-assigned identity'],
    [0, 'Identity not found'],
  ] as const) {
    it(`system identity off with ${uamis} user-assigned → ${expected}`, async () => {
      const other = await startEmulator({
        dataset: { userAssignedIdentities: uamis, systemAssigned: false },
        listen: HTTP_ONLY,
      });
      try {
        const reply = await imds(other, tokenPath({ resource: ARM }));
        if (uamis === 1)
          assert.equal(
            claimsOf(parse<TokenBody>(reply).access_token).oid,
            other.dataset.userAssignedIdentities[0].principalId,
          );
        else assert.deepEqual(parse(reply), { error: 'invalid_request', error_description: 'Identity not found' });
      } finally {
        await other.close();
      }
    });
  }

  it('more than 5 concurrent identity requests → 429', async () => {
    emu.configure({ latencyMs: { imds: 300 } });
    const replies = await Promise.all(Array.from({ length: 8 }, () => imds(emu, tokenPath({ resource: ARM }))));
    const statuses = replies.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 200).length, 5, String(statuses));
    assert.equal(statuses.filter((s) => s === 429).length, 3, String(statuses));
  });

  it('instance metadata: strings only, azEnvironment and the VM; leaves as text; api-version required', async () => {
    const reply = await imds(emu, '/metadata/instance?api-version=2021-02-01');
    const { compute, network } = parse<{
      compute: Record<string, unknown>;
      network: { interface: Array<{ macAddress: string }> };
    }>(reply);
    const d = emu.dataset;
    for (const key of [
      'azEnvironment',
      'name',
      'resourceGroupName',
      'subscriptionId',
      'resourceId',
      'location',
      'vmSize',
      'osType',
      'vmId',
    ])
      assert.equal(typeof compute[key], 'string', key);
    assert.deepEqual(
      {
        name: compute.name,
        rg: compute.resourceGroupName,
        sub: compute.subscriptionId,
        id: compute.resourceId,
        env: compute.azEnvironment,
        tags: compute.tagsList,
        os: compute.osProfile,
      },
      {
        name: d.vm.name,
        rg: d.resourceGroupName,
        sub: d.subscriptionId,
        id: d.vm.resourceId,
        env: 'AzurePublicCloud',
        tags: [],
        os: {
          adminUsername: 'azureuser',
          computerName: d.vm.computerName,
          disablePasswordAuthentication: d.vm.osType === 'Linux' ? 'true' : 'false',
        },
      },
    );
    assert.equal(compute.identity, undefined, 'no identity section');
    assert.equal(network.interface[0].macAddress, d.vm.macAddress);
    assert.equal(
      (await imds(emu, '/metadata/instance/compute/vmId?api-version=2021-02-01&format=text')).text,
      d.vm.vmId,
    );
    const missing = await imds(emu, '/metadata/instance');
    assert.equal(missing.status, 400);
    assert.ok(Array.isArray(parse<Record<string, unknown>>(missing)['newest-versions']));
    assert.equal(
      (await imds(emu, '/metadata/instance?api-version=2021-02-01', {})).status,
      400,
      'Metadata header required',
    );
  });

  it('identity/info gives the tenant, and fails when the system identity is off', async () => {
    assert.deepEqual(parse(await imds(emu, '/metadata/identity/info?api-version=2018-10-01')), {
      tenantId: emu.dataset.tenantId,
    });
    emu.configure({ systemAssigned: false });
    assert.equal((await imds(emu, '/metadata/identity/info?api-version=2018-10-01')).status, 400);
  });

  it('legacy /oauth2/token: no api-version, Metadata required, same all-string shape, client_id honoured', async () => {
    const reply = await imds(emu, `/oauth2/token?resource=${encodeURIComponent(ARM)}`);
    assert.equal(reply.status, 200, reply.text);
    const t = parse<TokenBody>(reply);
    assert.equal(typeof t.expires_on, 'string');
    assert.equal(t.resource, ARM);
    assert.equal((await imds(emu, `/oauth2/token?resource=${encodeURIComponent(ARM)}`, {})).status, 400);
    const u = emu.dataset.userAssignedIdentities[1];
    assert.equal(
      claimsOf(
        parse<TokenBody>(await imds(emu, `/oauth2/token?resource=${encodeURIComponent(ARM)}&client_id=${u.clientId}`))
          .access_token,
      ).oid,
      u.principalId,
    );
  });
});

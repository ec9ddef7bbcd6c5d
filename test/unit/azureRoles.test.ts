/** Role assignments against the emulator at 12 and 2,000 assignments: what is listed and the requests it took. */
import * as assert from 'node:assert/strict';
import { type Emulator, expectedView, startEmulator } from '../emulator';
import { IdentityService } from '../../src/azure';
import { ManagedIdentityClient } from '../../src/identity';
import { FakeClock } from '../support/fakeClock';
import { essentials, expectedFor, value } from '../support/parts';

for (const size of [12, 2000]) {
  describe(`role assignments with ${size} assignments`, function () {
    let emu: Emulator;
    before(async () => {
      emu = await startEmulator({
        dataset: { assignments: size },
        listen: [{ host: '127.0.0.1', port: 0 }],
        pageSize: 100,
      });
    });
    after(() => emu.close());

    const service = () =>
      new IdentityService({
        identityClient: new ManagedIdentityClient({
          env: { AZURE_POD_IDENTITY_AUTHORITY_HOST: emu.httpUrl },
          clock: new FakeClock(),
        }),
        env: {
          AZURE_POD_IDENTITY_AUTHORITY_HOST: emu.httpUrl,
          VM_IDENTITY_ARM_ENDPOINT: emu.httpUrl,
          VM_IDENTITY_GRAPH_ENDPOINT: emu.httpUrl,
        },
        clock: new FakeClock(),
      });

    it('lists exactly the expected assignments with role names, scopes and via', async () => {
      emu.resetLog();
      const s = await service().snapshot(undefined, { roles: true });
      const expected = expectedFor(emu, emu.dataset.systemIdentity.principalId);
      assert.equal(expected.length >= size, true, 'the dataset has the assignments asked for');
      const roles = value(s.roles).assignments;
      assert.deepEqual(essentials(roles), expected);
      assert.ok(
        roles.every((r) => r.roleName && !/^[0-9a-f-]{36}$/.test(r.roleName)),
        'every role has a name',
      );
      assert.ok(new Set(roles.map((r) => r.via)).size === 3, 'direct, group and inherited all present');
    });

    it('takes one request per page in each subscription and reads each distinct role definition once, never the catalog', async () => {
      emu.resetLog();
      const s = await service().snapshot(undefined, { roles: true });
      const count = (e: string) => emu.requests.filter((r) => r.endpoint === e).length;
      const subs = expectedView(emu.dataset, emu.dataset.systemIdentity.principalId).subscriptions;
      const pages = subs.reduce((n, sub) => n + Math.max(1, Math.ceil(sub.assignments.length / 100)), 0);
      assert.equal(count('arm-role-assignments'), pages);
      assert.equal(s.stats.rolePages, pages);
      assert.equal(count('arm-subscriptions'), 1);
      assert.equal(count('arm-role-definitions'), 0, 'never the role catalog (1–2 MB on real ARM)');
      const distinctRoles = new Set(
        value(s.roles).assignments.map((r) => r.roleDefinitionId.split('/').pop()!.toLowerCase()),
      ).size;
      assert.equal(count('arm-role-definition'), distinctRoles, 'one GET per distinct role definition');
      assert.equal(count('imds-token'), 1);
      assert.equal(count('imds-instance'), 1);
      for (const r of emu.requests.filter((x) => x.service === 'arm')) {
        assert.equal(r.bearer?.aud, 'https://management.azure.com/');
        assert.equal(r.headers.authorization, 'Bearer <redacted>');
      }
    });
  });
}

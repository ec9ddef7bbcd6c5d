/** The spawned CLI over every page of 2,000+ role assignments. */
import * as assert from 'node:assert/strict';
import { type Emulator, expectedView } from '../emulator';
import { cli, cliEnvFor, expectedAssignments, startCliEmulator } from '../support/cliRun';

describe('CLI (spawned) with 2,000 role assignments', function () {
  this.timeout(60_000);
  let emu: Emulator;
  before(async () => {
    emu = await startCliEmulator({ assignments: 2000 });
  });
  after(() => emu.close());

  it('roles --json lists exactly the expected 2,000+ assignments over every page; whoami names the principal', async () => {
    const env = cliEnvFor(emu);
    const run = await cli(['roles', '--json'], env);
    assert.equal(run.code, 0, run.stderr);
    const me = emu.dataset.systemIdentity.principalId;
    const expected = expectedAssignments(emu, me);
    const got = (
      JSON.parse(run.stdout) as Array<{ id: string; scope: string; via: string; roleName: string; deny?: boolean }>
    ).filter((i) => !i.deny);
    assert.ok(expected.length >= 2000);
    assert.deepEqual(got.map((r) => r.id).sort(), expected.map((a) => a.id).sort());
    const scopes = new Map(expected.map((a) => [a.id, a.scope]));
    assert.ok(
      got.every((r) => r.scope === scopes.get(r.id) && r.roleName && ['direct', 'group', 'inherited'].includes(r.via)),
    );
    const pages = expectedView(emu.dataset, me).subscriptions.reduce(
      (n, x) => n + Math.max(1, Math.ceil(x.assignments.length / 100)),
      0,
    );
    assert.equal(emu.requests.filter((r) => r.endpoint === 'arm-role-assignments').length, pages);
    const who = JSON.parse((await cli(['whoami', '--json'], env)).stdout);
    assert.deepEqual(
      [who.principalId, who.clientId, who.tenantId, who.vm.name],
      [me, emu.dataset.systemIdentity.clientId, emu.dataset.tenantId, emu.dataset.vm.name],
    );
  });
});

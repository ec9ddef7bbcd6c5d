/**
 * Issue 9 over real HTTP against the emulator's default tenant, compared with the emulator's independently
 * computed expected view: every subscription, least privilege (partial view / nothing readable), deny
 * assignments, a group inside a group, role names by id and remembered, and no dependence on IMDS.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Emulator, type ExpectedView, type Persona, expectedView, personas, startEmulator } from '../emulator';
import { IdentityService, type Part, type RoleNameStore, type RolesView, memoryRoleNameStore } from '../../src/azure';
import { ManagedIdentityClient, selectorFrom } from '../../src/identity';
import { isVmIdentityError } from '../../src/core/errors';
import { roleNameFile } from '../../src/cli/roleNameFile';
import { recordCase } from '../support/cases';

function value<T>(part: Part<T>): T {
  assert.equal(
    part.status,
    'ok',
    part.status === 'failed' ? part.error.message : part.status === 'skipped' ? part.reason : '',
  );
  return (part as { value: T }).value;
}

describe('roles across a realistic tenant (issue 9)', function () {
  let emu: Emulator;
  let who: Record<string, Persona | undefined>;
  before(async () => {
    emu = await startEmulator({ listen: [{ host: '127.0.0.1', port: 0 }] });
    who = personas(emu.dataset);
  });
  after(() => emu.close());
  beforeEach(() => {
    emu.clearFaults();
    emu.resetLog();
  });

  const env = () => ({
    AZURE_POD_IDENTITY_AUTHORITY_HOST: emu.httpUrl,
    VM_IDENTITY_ARM_ENDPOINT: emu.httpUrl,
    VM_IDENTITY_GRAPH_ENDPOINT: emu.httpUrl,
  });
  const service = (roleNames: RoleNameStore = memoryRoleNameStore()) =>
    new IdentityService({ identityClient: new ManagedIdentityClient({ env: env() }), env: env(), roleNames });
  const snapshotAs = (persona: Persona, svc = service()) =>
    svc.snapshot(persona.kind === 'systemAssigned' ? undefined : selectorFrom('clientId', persona.clientId), {
      roles: true,
    });
  const count = (endpoint: string) => emu.requests.filter((r) => r.endpoint === endpoint).length;
  const roleName = (guid: string) =>
    emu.dataset.roleDefinitions.find((d) => d.name.toLowerCase() === guid.toLowerCase())?.properties.roleName;

  it("lists every subscription the identity sees, the VM's first, each assignment once, as the expected view", async () => {
    const me = who.full!;
    const expected: ExpectedView = expectedView(emu.dataset, me.principalId);
    const view = value((await snapshotAs(me)).roles);
    assert.ok(expected.subscriptions.length >= 2, 'the default tenant gives the identity roles in two subscriptions');
    assert.deepEqual(
      view.subscriptions.map((s) => [s.subscriptionId, s.displayName, s.readFrom, s.complete]),
      expected.subscriptions.map((s) => [s.subscriptionId, s.displayName, s.readFrom, s.complete]),
    );
    assert.deepEqual(view.assignments.map((a) => a.id).sort(), [...expected.assignmentIds].sort());
    assert.equal(new Set(view.assignments.map((a) => a.id.toLowerCase())).size, view.assignments.length, 'shown once');
    const second = expected.subscriptions[1];
    const inSecond = view.assignments.filter((a) =>
      a.scope.toLowerCase().startsWith(`/subscriptions/${second.subscriptionId}`.toLowerCase()),
    );
    assert.ok(inSecond.length > 0, 'roles in the second subscription are shown');
    for (const a of view.assignments) assert.equal(a.roleName, roleName(a.roleDefinitionId.split('/').pop()!), a.id);
    assert.equal(count('arm-role-definitions'), 0, 'never the role catalog');
    const guids = new Set(view.assignments.map((a) => a.roleDefinitionId.split('/').pop()!.toLowerCase()));
    assert.equal(count('arm-role-definition'), guids.size, 'one GET per distinct role definition');
    recordCase({
      area: 'roles',
      name: 'roles in a second subscription',
      expected: `${expected.assignmentIds.length} assignments in ${expected.subscriptions.length} subscriptions`,
      observed: `${view.assignments.length} in ${view.subscriptions.length}, ${inSecond.length} in ${second.displayName}; ${count('arm-role-definition')} role definitions read by id, 0 catalog lists`,
      pass: true,
    });
  });

  it('Reader on the resource group only → a partial view read at the resource group, with the subscription-scope remedy', async () => {
    const me = who.leastPrivilege!;
    const expected = expectedView(emu.dataset, me.principalId);
    const vmSub = expected.subscriptions.find((s) => s.isVmSubscription)!;
    const view = value((await snapshotAs(me)).roles);
    assert.ok(view.partial, 'marked partial');
    assert.equal(view.partial.readFrom, vmSub.readFrom);
    assert.deepEqual(view.partial.refused, vmSub.refused);
    assert.deepEqual(view.assignments.map((a) => a.id).sort(), vmSub.assignments.map((a) => a.id).sort());
    assert.ok(view.assignments.length > 0);
    assert.ok(view.partial.note.includes(vmSub.readFrom!), 'says where it was read');
    assert.ok(view.partial.note.includes(`at the subscription ${expected.remedy!.scope}`), view.partial.note);
    assert.match(view.partial.note, /Reader, or Microsoft\.Authorization\/roleAssignments\/read/);
    assert.equal(
      view.partial.link,
      `https://portal.azure.com/#@${emu.dataset.tenantId}/resource${expected.remedy!.scope}/users`,
    );
    assert.doesNotMatch(view.partial.note, /VM scope or higher/);
    recordCase({
      area: 'roles',
      name: 'Reader on the resource group only (least privilege)',
      expected: `partial, read at ${vmSub.readFrom}`,
      observed: view.partial.note,
      pass: true,
    });
  });

  it('nothing readable → an error naming the refused subscription scope and the grant there', async () => {
    const me = who.noAccess!;
    const expected = expectedView(emu.dataset, me.principalId);
    assert.equal(expected.nothingReadable, true);
    const roles = (await snapshotAs(me)).roles;
    assert.equal(roles.status, 'failed');
    const e = (roles as { error: Error }).error;
    assert.ok(isVmIdentityError(e, 'authorizationFailed'));
    assert.ok(e.message.includes(`at ${expected.remedy!.scope} `), e.message);
    assert.ok(e.fix.includes(`at the subscription ${expected.remedy!.scope}`), e.fix);
    assert.doesNotMatch(e.fix, /VM scope or higher/);
    assert.equal(e.link, `https://portal.azure.com/#@${emu.dataset.tenantId}/resource${expected.remedy!.scope}/users`);
    recordCase({
      area: 'roles',
      name: 'nothing readable (no role anywhere)',
      expected: 'error naming the refused subscription',
      observed: `${e.message} ${e.fix}`,
      pass: true,
    });
  });

  it("deny assignments that apply are listed at the same scopes, and no one else's", async () => {
    const me = who.full!;
    const expected = expectedView(emu.dataset, me.principalId);
    const view = value((await snapshotAs(me)).roles);
    const wanted = [...new Set(expected.subscriptions.flatMap((s) => s.denyAssignments.map((d) => d.id)))].sort();
    assert.ok(wanted.length > 0);
    assert.deepEqual(view.denyAssignments.map((d) => d.id).sort(), wanted);
    assert.ok(view.denyAssignments.every((d) => d.actions.length + d.dataActions.length > 0));
    recordCase({
      area: 'roles',
      name: 'deny assignments shown',
      expected: wanted.join(', '),
      observed: view.denyAssignments.map((d) => `${d.name} (${d.appliesVia})`).join('; '),
      pass: true,
    });
  });

  it('an assignment reached through a group inside a group is "via group"', async () => {
    const me = who.nestedGroup!;
    const view = value((await snapshotAs(me)).roles);
    const direct = new Set(
      emu.dataset.groups.filter((g) => g.memberIds.includes(me.principalId)).map((g) => g.id.toLowerCase()),
    );
    const nested = view.assignments.filter(
      (a) => a.principalId !== me.principalId && !direct.has(a.principalId.toLowerCase()),
    );
    assert.ok(
      nested.length > 0,
      'the dataset has an assignment to a group the identity is in only through another group',
    );
    for (const a of nested) assert.equal(a.via, 'group', a.id);
    recordCase({
      area: 'roles',
      name: 'group inside a group',
      expected: 'via group',
      observed: nested.map((a) => `${a.roleName}: ${a.via}`).join('; '),
      pass: true,
    });
  });

  it('remembers built-in role names: a second run (new process, same store) asks ARM for none of them; custom roles again', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmid-roles-'));
    try {
      const cold = value((await snapshotAs(who.full!, service(roleNameFile(dir)))).roles);
      const coldLookups = count('arm-role-definition');
      emu.resetLog();
      const warm = value((await snapshotAs(who.full!, service(roleNameFile(dir)))).roles);
      const custom = new Set(
        warm.assignments
          .filter((a) => a.roleType !== 'BuiltInRole')
          .map((a) => a.roleDefinitionId.split('/').pop()!.toLowerCase()),
      );
      assert.equal(count('arm-role-definition'), custom.size, 'only custom roles are read again');
      assert.deepEqual(
        warm.assignments.map((a) => [a.id, a.roleName]),
        cold.assignments.map((a) => [a.id, a.roleName]),
      );
      const stored = fs.readFileSync(path.join(dir, 'role-names.json'), 'utf8');
      assert.ok(!/eyJ|Bearer|token/i.test(stored), 'names only');
      assert.deepEqual(fs.readdirSync(dir), ['role-names.json'], 'no temp file left');
      recordCase({
        area: 'roles',
        name: 'role names from the cache',
        expected: 'no built-in role definition read on the second run',
        observed: `cold ${coldLookups} reads, warm ${count('arm-role-definition')} (custom roles: ${custom.size})`,
        pass: true,
      });
      fs.writeFileSync(path.join(dir, 'role-names.json'), '{"format":1,"roles":{"x":');
      emu.resetLog();
      const rebuilt = value((await snapshotAs(who.full!, service(roleNameFile(dir)))).roles);
      assert.equal(count('arm-role-definition'), coldLookups, 'a corrupt file is ignored and read again');
      assert.deepEqual(
        rebuilt.assignments.map((a) => a.roleName),
        cold.assignments.map((a) => a.roleName),
      );
      assert.ok(JSON.parse(fs.readFileSync(path.join(dir, 'role-names.json'), 'utf8')).roles, 'and rewritten');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('without instance metadata (Cloud Shell, AKS, App Service…) the subscriptions come from GET /subscriptions', async () => {
    emu.fault('imds-instance', [{ status: 400, body: { error: 'invalid_request' }, count: 50 }] as never);
    const me = who.full!;
    const expected = expectedView(emu.dataset, me.principalId);
    const s = await snapshotAs(me);
    assert.notEqual(s.vm.status, 'ok');
    const view: RolesView = value(s.roles);
    assert.deepEqual(
      view.subscriptions.map((x) => x.subscriptionId).sort(),
      expected.subscriptions.map((x) => x.subscriptionId).sort(),
    );
    assert.deepEqual(view.assignments.map((a) => a.id).sort(), [...expected.assignmentIds].sort());
  });

  it('--subscription narrows to one subscription by display name; an unknown one is a usage error', async () => {
    const me = who.full!;
    const second = expectedView(emu.dataset, me.principalId).subscriptions[1];
    const s = await service().snapshot(undefined, { roles: true, subscription: second.displayName.toUpperCase() });
    const view = value(s.roles);
    assert.deepEqual(
      view.subscriptions.map((x) => x.subscriptionId),
      [second.subscriptionId],
    );
    assert.deepEqual(view.assignments.map((a) => a.id).sort(), second.assignments.map((a) => a.id).sort());
    const bad = await service().snapshot(undefined, { roles: true, subscription: 'no-such-subscription' });
    assert.equal(bad.roles.status, 'failed');
    assert.ok(isVmIdentityError((bad.roles as { error: Error }).error, 'usage'));
  });
});

/** The emulator's dataset: determinism, the system identity's assignments, real role ids, scale. */
import * as assert from 'node:assert/strict';
import { BUILT_IN_ROLE_IDS, expectedAssignmentsFor, generateDataset, roleDefinitionGuid } from '../../emulator';

describe('emulator: dataset', function () {
  it('is a pure function of the seed', () => {
    assert.deepEqual(generateDataset({ seed: 7 }), generateDataset({ seed: 7 }));
    assert.equal(
      JSON.stringify(generateDataset({ seed: 'x', assignments: 40 })),
      JSON.stringify(generateDataset({ seed: 'x', assignments: 40 })),
    );
    assert.notEqual(generateDataset({ seed: 7 }).tenantId, generateDataset({ seed: 8 }).tenantId);
  });

  it('has exactly N assignments for the system identity, spread over every kind of scope', () => {
    const d = generateDataset({ assignments: 12 });
    const mine = expectedAssignmentsFor(d, d.systemIdentity.principalId, 'assignedTo');
    assert.equal(mine.length, 12);
    const scopes = new Set(mine.map((a) => a.scope));
    for (const scope of Object.values(d.scopes)) assert.ok(scopes.has(scope), `an assignment at ${scope}`);
    assert.ok(
      mine.some((a) => a.principalType === 'Group' && a.principalId === d.groups[0].id),
      'one via the group',
    );
    assert.ok(
      mine.some((a) => a.condition && a.conditionVersion === '2.0'),
      'one with an ABAC condition',
    );
    assert.ok(
      mine.some(
        (a) =>
          a.scope === d.scopes.subscription &&
          a.principalId === d.systemIdentity.principalId &&
          roleDefinitionGuid(a.roleDefinitionId) === BUILT_IN_ROLE_IDS.reader,
      ),
      'Reader at the subscription, directly',
    );
    for (const a of mine) {
      assert.equal(a.id, `${a.scope}/providers/Microsoft.Authorization/roleAssignments/${a.name}`);
      assert.match(a.name, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const form = a.scope.startsWith('/providers/Microsoft.Management/')
        ? /^\/providers\/Microsoft\.Authorization\/roleDefinitions\/[0-9a-f-]{36}$/
        : new RegExp(
            `^/subscriptions/${d.subscriptionId}/providers/Microsoft\\.Authorization/roleDefinitions/[0-9a-f-]{36}$`,
          );
      assert.match(a.roleDefinitionId, form);
    }
    assert.equal(
      expectedAssignmentsFor(d, d.systemIdentity.principalId, 'principalId').length,
      mine.filter((a) => a.principalId === d.systemIdentity.principalId).length,
    );
  });

  it('uses the real built-in role GUIDs and has custom roles', () => {
    const d = generateDataset();
    const byName = new Map(d.roleDefinitions.map((r) => [r.properties.roleName, r]));
    const real: Array<[string, string]> = [
      ['Owner', '8e3af657-a8ff-443c-a75c-2fe8c4bcb635'],
      ['Contributor', 'b24988ac-6180-42a0-ab88-20f7382dd24c'],
      ['Reader', 'acdd72a7-3385-48ef-bd42-f606fba81ae7'],
      ['Storage Blob Data Reader', '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'],
      ['Storage Blob Data Contributor', 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'],
      ['Key Vault Secrets User', '4633458b-17de-408a-b874-0445c86b69e6'],
      ['Virtual Machine Contributor', '9980e02c-c2be-4d73-94e8-173b1dc7cf3c'],
      ['Monitoring Reader', '43d0d8ad-25c7-4714-9337-8ba259a9fe05'],
    ];
    for (const [name, guid] of real) {
      assert.equal(byName.get(name)?.name, guid, name);
      assert.equal(byName.get(name)?.properties.type, 'BuiltInRole');
      assert.ok(byName.get(name)?.properties.description);
    }
    const custom = d.roleDefinitions.filter((r) => r.properties.type === 'CustomRole');
    assert.ok(custom.length >= 2 && custom.length <= 3);
    assert.ok(custom.every((r) => r.properties.permissions[0].actions.length > 0));
  });

  it('gives the first user-assigned identity roles, the second none, and never returns noise as ours', () => {
    const d = generateDataset({ userAssignedIdentities: 3 });
    const [first, roleless] = d.userAssignedIdentities;
    assert.ok(expectedAssignmentsFor(d, first.principalId, 'assignedTo').length >= 2);
    assert.equal(roleless.access, 'none');
    assert.equal(d.roleAssignments.filter((a) => a.principalId === roleless.principalId).length, 0);
    const ours = new Set([d.systemIdentity.principalId, d.groups[0].id]);
    const noise = d.roleAssignments.filter(
      (a) => !ours.has(a.principalId) && !d.userAssignedIdentities.some((u) => u.principalId === a.principalId),
    );
    assert.ok(noise.length >= 8, 'there is noise');
    assert.ok(
      noise.some((a) => !a.scope.includes(d.subscriptionId) && a.scope.startsWith('/subscriptions/')),
      'some in another subscription',
    );
    assert.ok(
      expectedAssignmentsFor(d, d.systemIdentity.principalId, 'assignedTo').every((a) => ours.has(a.principalId)),
    );
  });

  it('scales to 20,000 assignments without blowing up (a loose bound; timing targets live in the bench), all distinct', () => {
    const started = Date.now();
    const d = generateDataset({ assignments: 20_000 });
    const mine = expectedAssignmentsFor(d, d.systemIdentity.principalId, 'assignedTo');
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 5000, `${elapsed} ms`);
    assert.equal(mine.length, 20_000);
    assert.equal(new Set(d.roleAssignments.map((a) => a.id)).size, d.roleAssignments.length);
    assert.equal(
      new Set(mine.map((a) => `${a.scope}|${a.roleDefinitionId}`)).size,
      20_000,
      'no duplicate (scope, role) for the identity',
    );
  });
});

/**
 * The emulator's RBAC engine, table-driven: the wildcard examples of azure-docs
 * role-based-access-control/role-definitions.md ("Actions", "NotActions", "DataActions"), notActions as
 * subtraction within one role only, deny precedence, conditions, nested groups, and scope containment
 * across management groups — checked against the engine and over HTTP through the permissions API.
 */
import * as assert from 'node:assert/strict';
import {
  type Emulator,
  actionMatches,
  blockGrants,
  evaluate,
  generateDataset,
  principalAndGroups,
  startEmulator,
} from '../../emulator';
import { ARM, HTTP_ONLY, bearer, parse, send, token } from './helpers';

// [pattern, operation, matches] — the doc's examples and their obvious non-matches.
const WILDCARDS: Array<[string, string, boolean]> = [
  ['*', 'Microsoft.Compute/virtualMachines/delete', true],
  ['*/read', 'Microsoft.Storage/storageAccounts/read', true],
  ['*/read', 'Microsoft.Storage/storageAccounts/listKeys/action', false],
  ['Microsoft.Compute/*', 'Microsoft.Compute/virtualMachines/start/action', true],
  ['Microsoft.Compute/*', 'Microsoft.Network/virtualNetworks/read', false],
  ['Microsoft.Network/*/read', 'Microsoft.Network/virtualNetworks/subnets/read', true],
  ['Microsoft.Network/*/read', 'Microsoft.Network/virtualNetworks/write', false],
  ['Microsoft.Compute/virtualMachines/*', 'Microsoft.Compute/virtualMachines/restart/action', true],
  ['microsoft.web/sites/*/action', 'Microsoft.Web/sites/restart/action', true],
  ['microsoft.web/sites/*/action', 'Microsoft.Web/sites/read', false],
  ['Microsoft.CostManagement/*/query/*', 'Microsoft.CostManagement/externalBillingAccounts/query/action', true],
  ['Microsoft.CostManagement/*/query/*', 'Microsoft.CostManagement/budgets/read', false],
  ['Microsoft.Authorization/*/read', 'Microsoft.Authorization/roleAssignments/read', true],
  ['Microsoft.Authorization/*/Delete', 'Microsoft.Authorization/roleAssignments/delete', true],
  [
    'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*',
    'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read',
    true,
  ],
];

describe('emulator: RBAC engine', function () {
  for (const [pattern, operation, expected] of WILDCARDS) {
    it(`'${pattern}' ${expected ? 'matches' : 'does not match'} ${operation}`, () =>
      assert.equal(actionMatches(pattern, operation), expected));
  }

  it('notActions subtract within the block; actions never grant data actions (Owner, Contributor)', () => {
    const contributor = {
      actions: ['*'],
      notActions: ['Microsoft.Authorization/*/Write', 'Microsoft.Authorization/*/Delete'],
      dataActions: [],
      notDataActions: [],
    };
    assert.equal(blockGrants(contributor, 'Microsoft.Compute/virtualMachines/write', 'control'), true);
    assert.equal(blockGrants(contributor, 'Microsoft.Authorization/roleAssignments/write', 'control'), false);
    assert.equal(blockGrants(contributor, 'Microsoft.Authorization/roleAssignments/read', 'control'), true);
    assert.equal(
      blockGrants(
        { ...contributor, notActions: [] },
        'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read',
        'data',
      ),
      false,
    );
    const blobDataOwnerish = {
      actions: [],
      notActions: [],
      dataActions: ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*'],
      notDataActions: ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete'],
    };
    assert.equal(
      blockGrants(blobDataOwnerish, 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write', 'data'),
      true,
    );
    assert.equal(
      blockGrants(blobDataOwnerish, 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete', 'data'),
      false,
    );
  });

  it('group membership is transitive: the system identity is in its group and in the group that contains it', () => {
    const d = generateDataset();
    const ids = principalAndGroups(d, d.systemIdentity.principalId);
    assert.ok(ids.has(d.groups[0].id.toLowerCase()) && ids.has(d.groups[2].id.toLowerCase()));
    assert.ok(!ids.has(d.groups[1].id.toLowerCase()), 'not in the admins group');
    assert.ok(
      d.groups[2].memberIds.includes(d.groups[0].id) && !d.groups[2].memberIds.includes(d.systemIdentity.principalId),
      'only through the inner group',
    );
  });

  it('verdicts: allowed (direct, via nested group, inherited from a management group), denied, conditional, not granted', () => {
    const d = generateDataset();
    const me = d.systemIdentity.principalId;
    const blobRead = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read';
    const blobWrite = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write';
    const cases: Array<[string, string, string, 'control' | 'data', string]> = [
      [
        'Reader on the shared storage account (direct)',
        'Microsoft.Storage/storageAccounts/read',
        d.shared.storageAccount,
        'control',
        'allowed',
      ],
      ['blob read via the group inside a group', blobRead, d.shared.storageAccount, 'data', 'allowed'],
      [
        'blob write: no role grants it, and the managed-application deny (its group) names it',
        blobWrite,
        d.shared.storageAccount,
        'data',
        'denied',
      ],
      [
        'role assignments read in the shared subscription, inherited from the management group',
        'Microsoft.Authorization/roleAssignments/read',
        d.shared.subscription,
        'control',
        'allowed',
      ],
      [
        'delete in the VM resource group: Contributor grants, the deployment stack denies',
        'Microsoft.Storage/storageAccounts/delete',
        d.scopes.storageAccount,
        'control',
        'denied',
      ],
      [
        'blob read on the VM storage account: only an ABAC-conditioned grant',
        blobRead,
        d.scopes.storageAccount,
        'data',
        'conditional',
      ],
      [
        'anything in the sandbox subscription',
        'Microsoft.Resources/subscriptions/resourceGroups/read',
        d.subscriptions[2].id,
        'control',
        'notGranted',
      ],
    ];
    for (const [what, action, scope, plane, verdict] of cases)
      assert.equal(evaluate(d, me, action, scope, plane).verdict, verdict, what);
    const viaNested = evaluate(d, me, blobRead, d.shared.storageAccount, 'data').grantedBy;
    assert.deepEqual(
      viaNested.map((a) => a.principalId),
      [d.groups[2].id],
    );
  });

  it('a deny assignment blocks a data action some role grants; excludePrincipals exempts the admin', () => {
    const d = generateDataset();
    const deny = d.denyAssignments[1];
    const extra = { ...d, roleAssignments: [...d.roleAssignments] };
    // Give the system identity Storage Blob Data Contributor there: the write is granted, then denied.
    const grant = {
      ...d.roleAssignments[0],
      id: 'x',
      scope: d.shared.storageAccount,
      roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe`,
      principalId: d.systemIdentity.principalId,
      condition: null,
    };
    extra.roleAssignments.push(grant);
    const e = evaluate(
      extra,
      d.systemIdentity.principalId,
      'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write',
      d.shared.storageAccount,
      'data',
    );
    assert.equal(e.verdict, 'denied');
    assert.deepEqual(
      e.deniedBy.map((x) => x.id),
      [deny.id],
    );
    const admin = d.denyAssignments[0].excludePrincipals[0].id;
    assert.equal(
      evaluate(d, admin, 'Microsoft.Compute/virtualMachines/delete', d.scopes.vm).deniedBy.length,
      0,
      'the stack excludes its admin',
    );
  });
});

describe('emulator: permissions API over HTTP', function () {
  let emu: Emulator;
  let systemToken: string;

  before(async () => {
    emu = await startEmulator({ listen: HTTP_ONLY, armMsPerKb: 0 });
    systemToken = await token(emu, ARM);
  });
  after(() => emu.close());

  type Entry = {
    actions: string[];
    notActions: string[];
    dataActions: string[];
    notDataActions: string[];
    condition: string | null;
  };
  const permissionsAt = async (scope: string, t = systemToken) =>
    parse<{ value: Entry[] }>(
      await send(`${emu.httpUrl}${scope}/providers/Microsoft.Authorization/permissions?api-version=2022-04-01`, {
        headers: bearer(t),
      }),
    ).value;

  it('lists one entry per permission block of every assignment at or above the scope, conditions included', async () => {
    const d = emu.dataset;
    const got = await permissionsAt(d.shared.storageAccount);
    const expected = parse<{ permissions: Entry[] }>(
      await send(`${emu.httpUrl}/_emulator/expected-access?scope=${encodeURIComponent(d.shared.storageAccount)}`),
    ).permissions;
    assert.equal(got.length, expected.length);
    assert.ok(
      got.some((e) => e.actions.includes('*/read')),
      'Reader there (and the management group ones)',
    );
    assert.ok(
      got.some((e) => e.dataActions.includes('Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read')),
      'blob read via the nested group',
    );
    const onVmStorage = await permissionsAt(d.scopes.storageAccount);
    assert.ok(
      onVmStorage.some((e) => e.condition?.includes('ActionMatches')),
      'the conditional grant carries its condition',
    );
  });

  it('a least-privilege identity has Reader at its resource group and nothing at the subscription', async () => {
    const d = emu.dataset;
    const lp = d.userAssignedIdentities.find((u) => u.access === 'resourceGroupOnly');
    assert.ok(lp);
    const t = await token(emu, ARM, { client_id: lp.clientId });
    assert.deepEqual(
      (await permissionsAt(d.scopes.resourceGroup, t)).map((e) => e.actions),
      [['*/read']],
    );
    assert.deepEqual(await permissionsAt(d.scopes.subscription, t), []);
  });
});

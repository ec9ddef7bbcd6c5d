import * as assert from 'node:assert/strict';
import { actionMatches, anyGrants } from '../../../src/access';

// Every wildcard example in "Understand Azure role definitions"
// (learn.microsoft.com/azure/role-based-access-control/role-definitions; MicrosoftDocs/azure-docs
// articles/role-based-access-control/role-definitions.md), plus edge cases.
const cases: [pattern: string, operation: string, expected: boolean, why: string][] = [
  [
    '*/read',
    'Microsoft.Compute/virtualMachines/read',
    true,
    'doc: read actions of all resource types of all providers',
  ],
  ['*/read', 'Microsoft.Network/virtualNetworks/subnets/read', true, 'doc: */read spans several segments'],
  ['*/read', 'Microsoft.Compute/virtualMachines/write', false, 'doc: */read grants no write'],
  [
    'Microsoft.Compute/*',
    'Microsoft.Compute/virtualMachines/start/action',
    true,
    'doc: all actions of Microsoft.Compute',
  ],
  ['Microsoft.Compute/*', 'Microsoft.Network/networkInterfaces/read', false, 'another provider'],
  [
    'Microsoft.Network/*/read',
    'Microsoft.Network/virtualNetworks/subnets/read',
    true,
    'doc: reads of all Microsoft.Network types',
  ],
  ['Microsoft.Network/*/read', 'Microsoft.Network/virtualNetworks/write', false, 'doc: only reads'],
  [
    'Microsoft.Compute/virtualMachines/*',
    'Microsoft.Compute/virtualMachines/extensions/write',
    true,
    'doc: VMs and child resource types',
  ],
  ['Microsoft.Compute/virtualMachines/*', 'Microsoft.Compute/disks/read', false, 'sibling type'],
  [
    'microsoft.web/sites/restart/Action',
    'Microsoft.Web/sites/restart/action',
    true,
    'doc example mixes case: case-insensitive',
  ],
  ['Microsoft.CostManagement/exports/*', 'Microsoft.CostManagement/exports/run/action', true, 'doc NotActions table'],
  ['Microsoft.CostManagement/exports/*', 'Microsoft.CostManagement/exports/delete', true, 'doc NotActions table'],
  [
    'Microsoft.CostManagement/*/query/*',
    'Microsoft.CostManagement/externalBillingAccounts/query/action',
    true,
    'doc: several wildcards in one string',
  ],
  ['Microsoft.CostManagement/*/query/*', 'Microsoft.CostManagement/exports/read', false, 'no query segment'],
  [
    'Microsoft.Storage/storageAccounts/queueServices/queues/messages/*',
    'Microsoft.Storage/storageAccounts/queueServices/queues/messages/process/action',
    true,
    'doc DataActions table',
  ],
  [
    'Microsoft.Authorization/*/Write',
    'Microsoft.Authorization/roleAssignments/write',
    true,
    "doc: Contributor's NotActions",
  ],
  ['*', 'Microsoft.Anything/at/all/action', true, 'Owner'],
  [
    'Microsoft.Storage/storageAccounts/*Services/read',
    'Microsoft.Storage/storageAccounts/blobServices/read',
    true,
    'wildcard inside a segment',
  ],
  [
    'Microsoft.Storage/storageAccounts/read',
    'Microsoft.Storage/storageAccounts/read/extra',
    false,
    'anchored at the end',
  ],
  [
    'Microsoft.Sto.age/storageAccounts/read',
    'Microsoft.Storage/storageAccounts/read',
    false,
    'a dot is literal, not a regex',
  ],
  ['Microsoft.Storage/(x)+/read', 'Microsoft.Storage/xx/read', false, 'regex characters are literal'],
  ['', 'Microsoft.Storage/storageAccounts/read', false, 'an empty pattern grants nothing'],
];

describe('ARM action matcher', () => {
  for (const [pattern, operation, expected, why] of cases) {
    it(`${pattern} ${expected ? 'matches' : 'does not match'} ${operation} (${why})`, () => {
      assert.equal(actionMatches(pattern, operation), expected);
    });
  }

  it('NotActions subtract from the same role only (doc: "NotActions is not a deny rule")', () => {
    const costExports = {
      actions: ['Microsoft.CostManagement/exports/*'],
      notActions: ['Microsoft.CostManagement/exports/delete'],
      dataActions: [],
      notDataActions: [],
    };
    const deleter = {
      actions: ['Microsoft.CostManagement/exports/delete'],
      notActions: [],
      dataActions: [],
      notDataActions: [],
    };
    assert.equal(anyGrants([costExports], 'Microsoft.CostManagement/exports/delete', 'control'), false);
    assert.equal(anyGrants([costExports], 'Microsoft.CostManagement/exports/run/action', 'control'), true);
    assert.equal(anyGrants([costExports, deleter], 'Microsoft.CostManagement/exports/delete', 'control'), true);
  });

  it('a control-plane * never grants a data action, and DataActions never grant control actions', () => {
    const owner = { actions: ['*'], notActions: [], dataActions: [], notDataActions: [] };
    const blobReader = { actions: [], notActions: [], dataActions: ['Microsoft.Storage/*'], notDataActions: [] };
    const blobRead = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read';
    assert.equal(anyGrants([owner], blobRead, 'data'), false);
    assert.equal(anyGrants([owner], blobRead, 'control'), true);
    assert.equal(anyGrants([blobReader], 'Microsoft.Storage/storageAccounts/read', 'control'), false);
  });

  it('NotDataActions subtract from DataActions (doc: queue messages minus delete)', () => {
    const set = {
      actions: [],
      notActions: [],
      dataActions: ['Microsoft.Storage/storageAccounts/queueServices/queues/messages/*'],
      notDataActions: ['Microsoft.Storage/storageAccounts/queueServices/queues/messages/delete'],
    };
    assert.equal(
      anyGrants([set], 'Microsoft.Storage/storageAccounts/queueServices/queues/messages/delete', 'data'),
      false,
    );
    assert.equal(
      anyGrants([set], 'Microsoft.Storage/storageAccounts/queueServices/queues/messages/read', 'data'),
      true,
    );
  });
});

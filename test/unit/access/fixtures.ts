/** Realistic ARM fixtures (built-in role definitions as published in "Azure built-in roles") and a scripted reader. */
import type {
  AccessReader,
  DenyAssignmentInfo,
  KeyVaultProperties,
  PermissionSet,
  ProviderOperation,
  RoleAssignmentInfo,
  RoleDefinitionInfo,
} from '../../../src/access';

export const OID = '11111111-2222-3333-4444-555555555555';
export const GROUP = '99999999-8888-7777-6666-555555555555';
export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const SUB = '/subscriptions/00000000-0000-0000-0000-0000000000aa';
export const RG = `${SUB}/resourceGroups/rg-app`;
export const STORAGE = `${RG}/providers/Microsoft.Storage/storageAccounts/stapp`;
export const VAULT = `${RG}/providers/Microsoft.KeyVault/vaults/kv-app`;
export const BLOB_READ = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read';
export const GET_SECRET = 'Microsoft.KeyVault/vaults/secrets/getSecret/action';

const p = (
  actions: string[],
  dataActions: string[] = [],
  notActions: string[] = [],
  notDataActions: string[] = [],
): PermissionSet => ({
  actions,
  notActions,
  dataActions,
  notDataActions,
});
const role = (guid: string, roleName: string, perms: PermissionSet): RoleDefinitionInfo => ({
  id: `/providers/Microsoft.Authorization/roleDefinitions/${guid}`,
  roleName,
  roleType: 'BuiltInRole',
  permissions: [perms],
});

export const OWNER = role('8e3af657-a8ff-443c-a75c-2fe8c4bcb635', 'Owner', p(['*']));
const CONTRIBUTOR = role(
  'b24988ac-6180-42a0-ab88-20f7382dd24c',
  'Contributor',
  p(
    ['*'],
    [],
    [
      'Microsoft.Authorization/*/Delete',
      'Microsoft.Authorization/*/Write',
      'Microsoft.Authorization/elevateAccess/Action',
    ],
  ),
);
export const READER = role('acdd72a7-3385-48ef-bd42-f606fba81ae7', 'Reader', p(['*/read']));
export const BLOB_DATA_READER = role(
  '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1',
  'Storage Blob Data Reader',
  p(
    [
      'Microsoft.Storage/storageAccounts/blobServices/containers/read',
      'Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action',
    ],
    [BLOB_READ],
  ),
);
export const BLOB_DATA_CONTRIBUTOR = role(
  'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  'Storage Blob Data Contributor',
  p(
    [
      'Microsoft.Storage/storageAccounts/blobServices/containers/delete',
      'Microsoft.Storage/storageAccounts/blobServices/containers/read',
      'Microsoft.Storage/storageAccounts/blobServices/containers/write',
      'Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action',
    ],
    [
      'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete',
      BLOB_READ,
      'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write',
      'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/move/action',
      'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action',
    ],
  ),
);
export const BLOB_DATA_OWNER = role(
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  'Storage Blob Data Owner',
  p(
    [
      'Microsoft.Storage/storageAccounts/blobServices/containers/*',
      'Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action',
    ],
    ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*'],
  ),
);
export const KV_SECRETS_USER = role(
  '4633458b-17de-408a-b874-0445c86b69e6',
  'Key Vault Secrets User',
  p([], [GET_SECRET, 'Microsoft.KeyVault/vaults/secrets/readMetadata/action']),
);
const KV_SECRETS_OFFICER = role(
  'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
  'Key Vault Secrets Officer',
  p(
    [
      'Microsoft.Authorization/*/read',
      'Microsoft.KeyVault/checkNameAvailability/read',
      'Microsoft.KeyVault/deletedVaults/read',
      'Microsoft.KeyVault/locations/*/read',
      'Microsoft.KeyVault/vaults/*/read',
      'Microsoft.KeyVault/operations/read',
      'Microsoft.Resources/deployments/*',
      'Microsoft.Resources/subscriptions/resourceGroups/read',
      'Microsoft.Insights/alertRules/*',
      'Microsoft.Support/*',
    ],
    ['Microsoft.KeyVault/vaults/secrets/*'],
  ),
);
const KV_ADMIN = role(
  '00482a5a-887f-4fb3-b363-3b7fe8e74483',
  'Key Vault Administrator',
  p(
    [
      'Microsoft.Authorization/*/read',
      'Microsoft.Insights/alertRules/*',
      'Microsoft.Resources/deployments/*',
      'Microsoft.Resources/subscriptions/resourceGroups/read',
      'Microsoft.Support/*',
      'Microsoft.KeyVault/checkNameAvailability/read',
      'Microsoft.KeyVault/deletedVaults/read',
      'Microsoft.KeyVault/locations/*/read',
      'Microsoft.KeyVault/vaults/*/read',
      'Microsoft.KeyVault/operations/read',
    ],
    ['Microsoft.KeyVault/vaults/*'],
  ),
);
const BUILT_INS = [
  OWNER,
  CONTRIBUTOR,
  READER,
  BLOB_DATA_OWNER,
  BLOB_DATA_CONTRIBUTOR,
  BLOB_DATA_READER,
  KV_ADMIN,
  KV_SECRETS_OFFICER,
  KV_SECRETS_USER,
];

let n = 0;
export function assignment(
  def: RoleDefinitionInfo,
  scope: string,
  extra: Partial<RoleAssignmentInfo> = {},
): RoleAssignmentInfo {
  n += 1;
  return {
    id: `${scope}/providers/Microsoft.Authorization/roleAssignments/0000000${n}-aaaa-bbbb-cccc-dddddddddddd`,
    scope,
    roleDefinitionId: `${SUB}${def.id}`,
    principalId: OID,
    principalType: 'ServicePrincipal',
    condition: null,
    createdOn: '2026-01-10T08:00:00.000Z',
    updatedOn: '2026-01-10T08:00:00.000Z',
    ...extra,
  };
}

/** The permissions API answer: one Permission block per granting role (what ARM returns, no conditions). */
function effectiveOf(assignments: RoleAssignmentInfo[]): PermissionSet[] {
  return assignments.map((a) => BUILT_INS.find((d) => a.roleDefinitionId.endsWith(d.id))!.permissions[0]);
}

export interface World {
  effective?: PermissionSet[] | Error;
  assignments?: RoleAssignmentInfo[];
  denies?: DenyAssignmentInfo[] | Error;
  vault?: KeyVaultProperties;
  operations?: ProviderOperation[];
}

/** An AccessReader over a fixed world that records every call, so tests see what was asked. */
export function scriptedReader(world: World): AccessReader & { calls: string[] } {
  const calls: string[] = [];
  const fail = <T>(v: T | Error | undefined, fallback: T): Promise<T> =>
    v instanceof Error ? Promise.reject(v) : Promise.resolve(v ?? fallback);
  return {
    calls,
    permissionsAt: (scope) => (
      calls.push(`permissions ${scope}`),
      fail(world.effective, effectiveOf(world.assignments ?? []))
    ),
    roleAssignmentsAt: (scope) => (calls.push(`assignments ${scope}`), Promise.resolve(world.assignments ?? [])),
    denyAssignmentsAt: (scope) => (calls.push(`denies ${scope}`), fail(world.denies, [])),
    roleDefinition: (id) => (
      calls.push(`definition ${id.split('/').pop()}`),
      Promise.resolve(BUILT_INS.find((d) => id.endsWith(d.id)))
    ),
    providerOperations: (ns) => (calls.push(`operations ${ns}`), Promise.resolve(world.operations ?? [])),
    keyVaultProperties: (id) => (
      calls.push(`vault ${id}`),
      world.vault ? Promise.resolve(world.vault) : Promise.reject(new Error('404'))
    ),
    builtInRoleDefinitions: () => (calls.push('builtins'), Promise.resolve(BUILT_INS)),
  };
}

/**
 * Built-in Azure role definitions with their real, stable GUIDs, names, descriptions and (for the long
 * ones, abridged) permissions. Source: azure-docs role-based-access-control/built-in-roles.md and the
 * role definitions ARM returns (`GET /providers/Microsoft.Authorization/roleDefinitions`).
 */
import { generatedBuiltInRoles } from './catalog';

export interface RolePermission {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
}

/** `properties` of a role definition (azure-rest-api-specs authorization 2022-04-01 examples/GetRoleDefinitionById.json). */
export interface RoleDefinitionProperties {
  roleName: string;
  type: 'BuiltInRole' | 'CustomRole';
  description: string;
  assignableScopes: string[];
  permissions: RolePermission[];
  createdOn: string;
  updatedOn: string;
  createdBy: string | null;
  updatedBy: string | null;
}

/** A role definition as ARM returns it at the subscription (`name` is its GUID). */
export interface RoleDefinition {
  /** `/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{guid}` */
  id: string;
  name: string;
  type: 'Microsoft.Authorization/roleDefinitions';
  properties: RoleDefinitionProperties;
}

/** Real built-in role GUIDs (identical in every tenant and cloud). */
export const BUILT_IN_ROLE_IDS = {
  owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
  userAccessAdministrator: '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
  storageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1',
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  storageAccountContributor: '17d1049b-9a84-46fb-8f53-869881c3d3ab',
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
  keyVaultReader: '21090545-7ca7-4776-b22c-e363652d74d2',
  virtualMachineContributor: '9980e02c-c2be-4d73-94e8-173b1dc7cf3c',
  monitoringReader: '43d0d8ad-25c7-4714-9337-8ba259a9fe05',
} as const;

export type BuiltInRoleKey = keyof typeof BUILT_IN_ROLE_IDS;

function perms(
  actions: string[],
  notActions: string[] = [],
  dataActions: string[] = [],
  notDataActions: string[] = [],
): RolePermission[] {
  return [{ actions, notActions, dataActions, notDataActions }];
}

/** `/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{guid}` or, for scope '', the tenant form. */
export function roleDefinitionIdAt(scope: string, guid: string): string {
  return `${scope}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
}

export function roleDefinition(scope: string, guid: string, properties: RoleDefinitionProperties): RoleDefinition {
  return {
    id: roleDefinitionIdAt(scope, guid),
    name: guid,
    type: 'Microsoft.Authorization/roleDefinitions',
    properties,
  };
}

interface BuiltInSpec {
  key: BuiltInRoleKey;
  properties: RoleDefinitionProperties;
}

function builtIn(
  key: BuiltInRoleKey,
  roleName: string,
  description: string,
  permissions: RolePermission[],
  createdOn: string,
  updatedOn: string,
): BuiltInSpec {
  return {
    key,
    properties: {
      roleName,
      type: 'BuiltInRole',
      description,
      assignableScopes: ['/'],
      permissions,
      createdOn,
      updatedOn,
      createdBy: null,
      updatedBy: null,
    },
  };
}

const KEY_VAULT_RBAC_NOTE =
  "Only works for key vaults that use the 'Azure role-based access control' permission model.";

const BUILT_INS: readonly BuiltInSpec[] = [
  builtIn(
    'owner',
    'Owner',
    'Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.',
    perms(['*']),
    '2015-02-02T21:55:09.8806423Z',
    '2021-11-11T20:13:45.8978856Z',
  ),
  builtIn(
    'contributor',
    'Contributor',
    'Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, manage assignments in Azure Blueprints, or share image galleries.',
    perms(
      ['*'],
      [
        'Microsoft.Authorization/*/Delete',
        'Microsoft.Authorization/*/Write',
        'Microsoft.Authorization/elevateAccess/Action',
        'Microsoft.Blueprint/blueprintAssignments/write',
        'Microsoft.Blueprint/blueprintAssignments/delete',
        'Microsoft.Compute/galleries/share/action',
        'Microsoft.Purview/consents/write',
        'Microsoft.Purview/consents/delete',
      ],
    ),
    '2015-02-02T21:55:09.8806423Z',
    '2023-07-10T15:10:53.1164195Z',
  ),
  builtIn(
    'reader',
    'Reader',
    'View all resources, but does not allow you to make any changes.',
    perms(['*/read']),
    '2015-02-02T21:55:09.8806423Z',
    '2021-11-11T20:13:47.8628684Z',
  ),
  builtIn(
    'userAccessAdministrator',
    'User Access Administrator',
    'Lets you manage user access to Azure resources.',
    perms(['*/read', 'Microsoft.Authorization/*', 'Microsoft.Support/*']),
    '2015-02-02T21:55:09.8806423Z',
    '2021-11-11T20:13:48.2328863Z',
  ),
  builtIn(
    'storageBlobDataReader',
    'Storage Blob Data Reader',
    'Allows for read access to Azure Storage blob containers and data',
    perms(
      [
        'Microsoft.Storage/storageAccounts/blobServices/containers/read',
        'Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action',
      ],
      [],
      ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'],
    ),
    '2017-12-21T00:01:24.7972312Z',
    '2021-11-11T20:13:52.3988431Z',
  ),
  builtIn(
    'storageBlobDataContributor',
    'Storage Blob Data Contributor',
    'Allows for read, write and delete access to Azure Storage blob containers and data',
    perms(
      [
        'Microsoft.Storage/storageAccounts/blobServices/containers/delete',
        'Microsoft.Storage/storageAccounts/blobServices/containers/read',
        'Microsoft.Storage/storageAccounts/blobServices/containers/write',
        'Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action',
      ],
      [],
      [
        'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete',
        'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read',
        'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write',
        'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/move/action',
        'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action',
      ],
    ),
    '2017-12-21T00:01:24.7972312Z',
    '2021-11-11T20:13:52.6048536Z',
  ),
  builtIn(
    'storageAccountContributor',
    'Storage Account Contributor',
    'Lets you manage storage accounts, including accessing storage account keys which provide full access to storage account data.',
    perms([
      'Microsoft.Authorization/*/read',
      'Microsoft.Insights/alertRules/*',
      'Microsoft.Insights/diagnosticSettings/*',
      'Microsoft.Network/virtualNetworks/subnets/joinViaServiceEndpoint/action',
      'Microsoft.ResourceHealth/availabilityStatuses/read',
      'Microsoft.Resources/deployments/*',
      'Microsoft.Resources/subscriptions/resourceGroups/read',
      'Microsoft.Storage/storageAccounts/*',
      'Microsoft.Support/*',
    ]),
    '2015-06-02T00:18:27.3542698Z',
    '2021-11-11T20:13:52.1828432Z',
  ),
  builtIn(
    'keyVaultSecretsUser',
    'Key Vault Secrets User',
    `Read secret contents. ${KEY_VAULT_RBAC_NOTE}`,
    perms(
      [],
      [],
      ['Microsoft.KeyVault/vaults/secrets/getSecret/action', 'Microsoft.KeyVault/vaults/secrets/readMetadata/action'],
    ),
    '2020-05-19T17:52:47.0099249Z',
    '2021-11-11T20:13:54.2000617Z',
  ),
  builtIn(
    'keyVaultSecretsOfficer',
    'Key Vault Secrets Officer',
    `Perform any action on the secrets of a key vault, except manage permissions. ${KEY_VAULT_RBAC_NOTE}`,
    perms(
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
      [],
      ['Microsoft.KeyVault/vaults/secrets/*'],
    ),
    '2020-05-19T17:52:47.0099249Z',
    '2021-11-11T20:13:54.0150573Z',
  ),
  builtIn(
    'keyVaultReader',
    'Key Vault Reader',
    `Read metadata of key vaults and its certificates, keys, and secrets. Cannot read sensitive values such as secret contents or key material. ${KEY_VAULT_RBAC_NOTE}`,
    perms(
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
      [],
      ['Microsoft.KeyVault/vaults/*/read', 'Microsoft.KeyVault/vaults/secrets/readMetadata/action'],
    ),
    '2020-05-19T17:52:46.2349235Z',
    '2021-11-11T20:13:53.8220654Z',
  ),
  builtIn(
    'virtualMachineContributor',
    'Virtual Machine Contributor',
    "Lets you manage virtual machines, but not access to them, and not the virtual network or storage account they're connected to.",
    // Abridged: the real list has ~50 actions.
    perms([
      'Microsoft.Authorization/*/read',
      'Microsoft.Compute/availabilitySets/*',
      'Microsoft.Compute/locations/*',
      'Microsoft.Compute/virtualMachines/*',
      'Microsoft.Compute/virtualMachineScaleSets/*',
      'Microsoft.Compute/disks/write',
      'Microsoft.Compute/disks/read',
      'Microsoft.Compute/disks/delete',
      'Microsoft.Insights/alertRules/*',
      'Microsoft.Network/networkInterfaces/*',
      'Microsoft.Network/networkSecurityGroups/join/action',
      'Microsoft.Network/networkSecurityGroups/read',
      'Microsoft.Network/publicIPAddresses/join/action',
      'Microsoft.Network/publicIPAddresses/read',
      'Microsoft.Network/virtualNetworks/read',
      'Microsoft.Network/virtualNetworks/subnets/join/action',
      'Microsoft.Resources/deployments/*',
      'Microsoft.Resources/subscriptions/resourceGroups/read',
      'Microsoft.Storage/storageAccounts/listKeys/action',
      'Microsoft.Storage/storageAccounts/read',
      'Microsoft.Support/*',
    ]),
    '2015-06-02T00:18:27.3542698Z',
    '2023-04-18T15:12:16.7419587Z',
  ),
  builtIn(
    'monitoringReader',
    'Monitoring Reader',
    'Can read all monitoring data.',
    perms(['*/read', 'Microsoft.OperationalInsights/workspaces/search/action', 'Microsoft.Support/*']),
    '2016-09-21T19:19:52.4939376Z',
    '2021-11-11T20:13:21.6968981Z',
  ),
];

/** About as many built-in roles as real ARM lists at a subscription (built-in-roles.md: ~550). */
const DEFAULT_BUILT_IN_ROLE_COUNT = 550;

/**
 * The built-in roles as listed at `scope` (e.g. /subscriptions/{sub}): the real ones the dataset uses
 * first, then generated ones (catalog.ts) up to `total`.
 */
export function builtInRoleDefinitions(scope: string, total = DEFAULT_BUILT_IN_ROLE_COUNT): RoleDefinition[] {
  const real = BUILT_INS.map((b) => roleDefinition(scope, BUILT_IN_ROLE_IDS[b.key], structuredClone(b.properties)));
  const reserved = new Set(BUILT_INS.map((b) => b.properties.roleName.toLowerCase()));
  const generated = generatedBuiltInRoles(Math.max(0, total - real.length), reserved).map((g) =>
    roleDefinition(scope, g.guid, g.properties),
  );
  return [...real, ...generated];
}

/** Shapes of the tenant's custom roles; GUIDs and scopes are filled in by the dataset generator. */
export interface CustomRoleTemplate {
  key: 'vmOperator' | 'blobAuditor' | 'platformObserver';
  roleName: string;
  description: string;
  /** Where the role may be assigned: the subscription or the management group. */
  assignableAt: 'subscription' | 'managementGroup';
  permissions: RolePermission[];
}

export const CUSTOM_ROLE_TEMPLATES: readonly CustomRoleTemplate[] = [
  {
    key: 'vmOperator',
    roleName: 'Virtual Machine Operator',
    description: 'Can read, start, restart and deallocate virtual machines.',
    assignableAt: 'subscription',
    permissions: perms([
      'Microsoft.Compute/virtualMachines/read',
      'Microsoft.Compute/virtualMachines/start/action',
      'Microsoft.Compute/virtualMachines/restart/action',
      'Microsoft.Compute/virtualMachines/deallocate/action',
      'Microsoft.Compute/virtualMachines/powerOff/action',
    ]),
  },
  {
    key: 'blobAuditor',
    roleName: 'Blob Audit Reader',
    description: 'Reads storage account metadata and blob contents for audits.',
    assignableAt: 'subscription',
    permissions: perms(
      ['Microsoft.Storage/storageAccounts/read', 'Microsoft.Storage/storageAccounts/blobServices/containers/read'],
      [],
      ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'],
    ),
  },
  {
    key: 'platformObserver',
    roleName: 'Platform Observer',
    description: 'Reads subscriptions, resource groups, role assignments and monitoring data across the platform.',
    assignableAt: 'managementGroup',
    permissions: perms([
      'Microsoft.Authorization/*/read',
      'Microsoft.Resources/subscriptions/read',
      'Microsoft.Resources/subscriptions/resourceGroups/read',
      'Microsoft.Insights/*/read',
    ]),
  },
];

/**
 * What makes the dataset a real tenant rather than one subscription: a management-group hierarchy above
 * two subscriptions (plus one the identity has no role in), a shared-services subscription where the
 * system identity has Reader on a storage account, a group inside a group, and deny assignments.
 * Everything is minted from the dataset's own generator, after the older parts, so older ids are unchanged.
 */
import type {
  DenyAssignment,
  DenyPrincipal,
  ManagementGroup,
  PrincipalType,
  SecurityGroup,
  SharedServicesScopes,
  Subscription,
} from './model';
import type { SeededRandom } from './random';

/** What tenant.ts asks dataset.ts to mint (same generator, same id scheme). */
export type MintAssignment = (a: {
  scope: string;
  role: 'reader' | 'storageBlobDataReader' | 'contributor' | 'keyVaultSecretsUser';
  principalId: string;
  principalType: PrincipalType;
}) => void;

export interface TenantParts {
  managementGroups: ManagementGroup[];
  subscriptions: Subscription[];
  shared: SharedServicesScopes;
  nestedGroup: SecurityGroup;
  denyAssignments: DenyAssignment[];
}

/**
 * "Everyone" in a deny assignment: the all-zero id with type SystemDefined (azure-docs
 * role-based-access-control/deny-assignments.md, "Everyone principal": "00000000-0000-0000-0000-000000000000").
 */
export const EVERYONE: DenyPrincipal = {
  id: '00000000-0000-0000-0000-000000000000',
  type: 'SystemDefined',
  displayName: 'Everyone',
};
const EPOCH = Date.UTC(2023, 0, 1);

export function tenantParts(
  rng: SeededRandom,
  t: {
    word: string;
    tenantId: string;
    vmManagementGroup: ManagementGroup;
    vmSubscription: Subscription;
    vmResourceGroup: string;
    workloadsGroupId: string;
    adminId: string;
  },
): TenantParts {
  // Every tenant has a Tenant Root Group named after the tenant id (azure-docs governance/management-groups/overview.md "Root management group for each directory").
  const root: ManagementGroup = {
    name: t.tenantId,
    displayName: 'Tenant Root Group',
    id: `/providers/Microsoft.Management/managementGroups/${t.tenantId}`,
    parentId: null,
  };
  t.vmManagementGroup.parentId = root.id;
  t.vmSubscription.managementGroupId = t.vmManagementGroup.id;
  const sharedId = rng.guid();
  const sandboxId = rng.guid();
  const subscriptions: Subscription[] = [
    t.vmSubscription,
    {
      subscriptionId: sharedId,
      displayName: `${cap(t.word)} Shared Services`,
      id: `/subscriptions/${sharedId}`,
      managementGroupId: t.vmManagementGroup.id,
    },
    {
      subscriptionId: sandboxId,
      displayName: `${cap(t.word)} Sandbox`,
      id: `/subscriptions/${sandboxId}`,
      managementGroupId: root.id,
    },
  ];
  const sharedRg = `/subscriptions/${sharedId}/resourceGroups/rg-shared-services`;
  const suffix = rng.hex(6);
  const shared: SharedServicesScopes = {
    subscription: `/subscriptions/${sharedId}`,
    resourceGroup: sharedRg,
    storageAccount: `${sharedRg}/providers/Microsoft.Storage/storageAccounts/stshared${suffix}`,
    keyVault: `${sharedRg}/providers/Microsoft.KeyVault/vaults/kv-shared-${suffix}`,
  };
  const nestedGroup: SecurityGroup = {
    id: rng.guid(),
    displayName: `sg-${t.word}-platform-readers`,
    memberIds: [t.workloadsGroupId],
  };
  const denyAssignments = makeDenyAssignments(rng, t, shared, sandboxId);
  return { managementGroups: [root, t.vmManagementGroup], subscriptions, shared, nestedGroup, denyAssignments };
}

/**
 * The system identity's roles in the shared-services subscription: Reader on the storage account (direct)
 * and Storage Blob Data Reader there through the group inside a group; plus others' roles there.
 */
export function mintSharedAssignments(
  mint: MintAssignment,
  parts: TenantParts,
  systemPrincipalId: string,
  noiseUserId: string,
): void {
  mint({
    scope: parts.shared.storageAccount,
    role: 'reader',
    principalId: systemPrincipalId,
    principalType: 'ServicePrincipal',
  });
  mint({
    scope: parts.shared.storageAccount,
    role: 'storageBlobDataReader',
    principalId: parts.nestedGroup.id,
    principalType: 'Group',
  });
  mint({ scope: parts.shared.subscription, role: 'contributor', principalId: noiseUserId, principalType: 'User' });
  mint({ scope: parts.subscriptions[2].id, role: 'contributor', principalId: noiseUserId, principalType: 'User' });
}

/**
 * Deny assignments are created by Azure only (deployment stacks, managed applications, Blueprints;
 * azure-docs role-based-access-control/deny-assignments.md "How deny assignments are created"). Shape from
 * azure-rest-api-specs authorization 2022-04-01 examples/GetDenyAssignmentById.json.
 */
function makeDenyAssignments(
  rng: SeededRandom,
  t: { word: string; vmResourceGroup: string; workloadsGroupId: string; adminId: string },
  shared: SharedServicesScopes,
  sandboxId: string,
): DenyAssignment[] {
  const admin: DenyPrincipal = { id: t.adminId, type: 'User', displayName: `admin@${t.word}.onmicrosoft.com` };
  const perms = (actions: string[], dataActions: string[] = []) => [
    { actions, notActions: [], dataActions, notDataActions: [] },
  ];
  const deny = (
    scope: string,
    name: string,
    description: string,
    p: DenyAssignment['permissions'],
    principals: DenyPrincipal[],
    exclude: DenyPrincipal[],
    childScopes: boolean,
  ): DenyAssignment => {
    const id = rng.guid();
    const createdOn = new Date(EPOCH + rng.int(500) * 86_400_000).toISOString();
    return {
      id: `${scope}/providers/Microsoft.Authorization/denyAssignments/${id}`,
      name: id,
      denyAssignmentName: name,
      description,
      permissions: p,
      scope,
      doNotApplyToChildScopes: !childScopes,
      principals,
      excludePrincipals: exclude,
      isSystemProtected: true,
      createdOn,
      updatedOn: createdOn,
    };
  };
  return [
    // A deployment stack with denySettingsMode denyDelete (azure-docs azure-resource-manager/bicep/deployment-stacks.md): nobody but the admin deletes.
    deny(
      t.vmResourceGroup,
      `Deny assignment for deployment stack 'stack-${t.word}-baseline'`,
      'Created by a deployment stack (denyDelete).',
      perms(['*/delete']),
      [EVERYONE],
      [admin],
      true,
    ),
    // A managed-application-style deny on the shared storage account's blob writes, for the workloads group (reached by the system identity).
    deny(
      shared.storageAccount,
      'Deny blob writes for managed application',
      'Created by a managed application: blob data is read-only for workloads.',
      perms(
        [],
        [
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write',
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete',
        ],
      ),
      [{ id: t.workloadsGroupId, type: 'Group', displayName: `sg-${t.word}-workloads` }],
      [],
      true,
    ),
    // Someone else's, elsewhere: must never be listed for our identities.
    deny(
      `/subscriptions/${sandboxId}`,
      'Sandbox lock',
      'Nobody writes in the sandbox except the admin.',
      perms(['*/write']),
      [admin],
      [],
      false,
    ),
  ];
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

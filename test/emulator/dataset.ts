/**
 * Deterministic tenant for the emulator: one VM with a system-assigned identity, some user-assigned
 * identities, security groups (one inside another), ~550 built-in and a few custom roles, and role
 * assignments at management-group, subscription, resource-group and resource scope in two subscriptions
 * (tenant.ts adds the hierarchy, the shared-services subscription and deny assignments). Everything is a
 * pure function of the options.
 */
import { listRoleAssignments } from './rbac';
import { SeededRandom } from './random';
import { BUILT_IN_ROLE_IDS, CUSTOM_ROLE_TEMPLATES, builtInRoleDefinitions } from './roles';
import { cloudFor } from './clouds';
import type {
  Dataset,
  DatasetOptions,
  DatasetScopes,
  ManagementGroup,
  PrincipalType,
  RoleAssignment,
  SecurityGroup,
  Subscription,
  AssignmentFilter,
} from './model';
import { mintSharedAssignments, tenantParts } from './tenant';
import {
  type Builder,
  type RoleKey,
  WORDS,
  addAssignment,
  addNoiseAssignments,
  addSystemAssignments,
  addUamiAssignments,
  capitalise,
  makeCustomRole,
  makeNoisePrincipals,
  makeUami,
  makeVm,
  nonNegativeInt,
  planSystemAssignments,
} from './datasetParts';

export type {
  AssignmentFilter,
  Dataset,
  DatasetOptions,
  DatasetScopes,
  DenyAssignment,
  DenyPrincipal,
  ManagementGroup,
  PrincipalType,
  RoleAssignment,
  SecurityGroup,
  SharedServicesScopes,
  Subscription,
  SystemAssignedIdentity,
  UserAssignedAccess,
  UserAssignedIdentity,
  VirtualMachine,
} from './model';

export function generateDataset(options: DatasetOptions = {}): Dataset {
  const seed = String(options.seed ?? 'vm-identity');
  const assignmentCount = nonNegativeInt(options.assignments ?? 12, 'assignments');
  const uamiCount = nonNegativeInt(options.userAssignedIdentities ?? 3, 'userAssignedIdentities');
  const cloud = cloudFor(options.azEnvironment ?? 'AzurePublicCloud');
  const rng = new SeededRandom(seed);

  const word = rng.pick(WORDS);
  const tenantId = rng.guid();
  const subscriptionId = rng.guid();
  const mgName = `mg-${word}-platform`;
  const managementGroup: ManagementGroup = {
    name: mgName,
    displayName: `${capitalise(word)} Platform`,
    id: `/providers/Microsoft.Management/managementGroups/${mgName}`,
  };
  const resourceGroupName = `rg-${word}-${rng.pick(['prod', 'dev', 'test'])}`;
  const rgId = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}`;
  const vm = makeVm(rng, word, cloud.locations, rgId);
  const systemIdentity = { principalId: rng.guid(), clientId: rng.guid() };
  const userAssignedIdentities = Array.from({ length: uamiCount }, (_, i) =>
    makeUami(rng, word, i, uamiCount, subscriptionId, resourceGroupName),
  );
  const suffix = rng.hex(6);
  const scopes: DatasetScopes = {
    managementGroup: managementGroup.id,
    subscription: `/subscriptions/${subscriptionId}`,
    resourceGroup: rgId,
    vm: vm.resourceId,
    storageAccount: `${rgId}/providers/Microsoft.Storage/storageAccounts/st${word.slice(0, 8)}${suffix}`,
    keyVault: `${rgId}/providers/Microsoft.KeyVault/vaults/kv-${word}-${suffix}`,
  };
  const noisePrincipals = makeNoisePrincipals(rng, Math.max(6, Math.ceil(assignmentCount / 200)));
  const groups: SecurityGroup[] = [
    {
      id: rng.guid(),
      displayName: `sg-${word}-workloads`,
      memberIds: [systemIdentity.principalId, ...noisePrincipals.users.slice(0, 2)],
    },
    { id: rng.guid(), displayName: `sg-${word}-admins`, memberIds: noisePrincipals.users.slice(1) },
  ];
  const adminId = noisePrincipals.users[0];
  const customRoles = CUSTOM_ROLE_TEMPLATES.map((t) => makeCustomRole(rng, t, scopes, adminId));
  const roleGuids = {
    ...BUILT_IN_ROLE_IDS,
    ...Object.fromEntries(CUSTOM_ROLE_TEMPLATES.map((t, i) => [t.key, customRoles[i].name])),
  } as Record<RoleKey, string>;

  const builder: Builder = { rng, roleGuids, adminId, out: [] };
  addSystemAssignments(
    builder,
    planSystemAssignments(rng, scopes, assignmentCount),
    systemIdentity.principalId,
    groups[0].id,
  );
  addUamiAssignments(builder, userAssignedIdentities, scopes);
  addNoiseAssignments(builder, noisePrincipals, groups[1].id, scopes, Math.max(8, Math.ceil(assignmentCount / 10)));

  const vmSubscription: Subscription = {
    subscriptionId,
    displayName: `${capitalise(word)} Production`,
    id: scopes.subscription,
    managementGroupId: managementGroup.id,
  };
  const tenant = tenantParts(rng, {
    word,
    tenantId,
    vmManagementGroup: managementGroup,
    vmSubscription,
    vmResourceGroup: rgId,
    workloadsGroupId: groups[0].id,
    adminId,
  });
  groups.push(tenant.nestedGroup);
  const mint = (a: { scope: string; role: RoleKey; principalId: string; principalType: PrincipalType }) =>
    addAssignment(builder, { ...a, condition: null, description: null });
  mintSharedAssignments(mint, tenant, systemIdentity.principalId, noisePrincipals.users[2]);

  return {
    seed,
    azEnvironment: cloud.name,
    systemAssigned: options.systemAssigned ?? true,
    tenantId,
    subscriptionId,
    subscriptionDisplayName: vmSubscription.displayName,
    managementGroup,
    managementGroups: tenant.managementGroups,
    subscriptions: tenant.subscriptions,
    shared: tenant.shared,
    resourceGroupName,
    vm,
    systemIdentity,
    userAssignedIdentities,
    groups,
    scopes,
    roleDefinitions: [...builtInRoleDefinitions(scopes.subscription, options.builtInRoles), ...customRoles],
    roleAssignments: builder.out,
    denyAssignments: tenant.denyAssignments,
  };
}

/**
 * What ARM returns for `GET /subscriptions/{sub}/providers/Microsoft.Authorization/roleAssignments` with
 * `$filter=assignedTo('{id}')` (direct and via group membership) or `principalId eq '{id}'` (direct only):
 * assignments at the subscription (or `scope`), above it (management groups) and below it.
 */
export function expectedAssignmentsFor(
  dataset: Dataset,
  principalId: string,
  filter: AssignmentFilter,
  scope = dataset.scopes.subscription,
): RoleAssignment[] {
  return [...listRoleAssignments(dataset, scope, { principalId, filter, atScopeOnly: false })];
}

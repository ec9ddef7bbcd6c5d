/** The shapes of the emulated tenant (see dataset.ts and tenant.ts for how they are filled). */
import type { RoleDefinition, RolePermission } from './roles';

export interface DatasetOptions {
  seed?: number | string;
  /** Role assignments of the system-assigned identity (direct and via its group). Default 12. */
  assignments?: number;
  /** Number of user-assigned identities on the VM. Default 3. */
  userAssignedIdentities?: number;
  /** AzurePublicCloud (default), AzureUSGovernmentCloud or AzureChinaCloud. */
  azEnvironment?: string;
  /** Whether the system-assigned identity is enabled. Default true. */
  systemAssigned?: boolean;
  /** Built-in role definitions in the catalog (real ARM: ~550). Default 550. */
  builtInRoles?: number;
}

export interface VirtualMachine {
  name: string;
  computerName: string;
  location: string;
  vmSize: string;
  osType: 'Linux' | 'Windows';
  vmId: string;
  /** `/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines/{name}` */
  resourceId: string;
  /** Managed OS disk name, `{vm}_OsDisk_1_{32 hex}` as the portal names it. */
  osDiskName: string;
  zone: string;
  adminUsername: string;
  privateIpAddress: string;
  macAddress: string;
  image: { publisher: string; offer: string; sku: string; version: string };
}

export interface SystemAssignedIdentity {
  principalId: string;
  clientId: string;
}

/** What a user-assigned identity may do: read the subscription, nothing at all, or only its resource group. */
export type UserAssignedAccess = 'subscriptionReader' | 'none' | 'resourceGroupOnly';

export interface UserAssignedIdentity {
  name: string;
  principalId: string;
  clientId: string;
  /** `/subscriptions/{sub}/resourcegroups/{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}` (ARM prints lower-case `resourcegroups` here). */
  resourceId: string;
  access: UserAssignedAccess;
}

export interface SecurityGroup {
  id: string;
  displayName: string;
  memberIds: string[];
}

export interface ManagementGroup {
  name: string;
  displayName: string;
  /** `/providers/Microsoft.Management/managementGroups/{name}` */
  id: string;
  /** The parent group's id; null for the Tenant Root Group (whose name is the tenant id). */
  parentId?: string | null;
}

/** A subscription and the management group it sits in (ids do not say which: the hierarchy does). */
export interface Subscription {
  subscriptionId: string;
  displayName: string;
  /** `/subscriptions/{subscriptionId}` */
  id: string;
  managementGroupId: string;
}

/** The shared-services subscription's named scopes (another subscription than the VM's). */
export interface SharedServicesScopes {
  subscription: string;
  resourceGroup: string;
  storageAccount: string;
  keyVault: string;
}

/** azure-rest-api-specs authorization 2022-04-01 Principal (of a deny assignment). */
export interface DenyPrincipal {
  id: string;
  type: 'SystemDefined' | 'ServicePrincipal' | 'Group' | 'User';
  displayName: string;
}

/** azure-rest-api-specs authorization 2022-04-01 DenyAssignmentProperties (+ id and name). */
export interface DenyAssignment {
  /** `{scope}/providers/Microsoft.Authorization/denyAssignments/{name}` */
  id: string;
  name: string;
  denyAssignmentName: string;
  description: string;
  permissions: RolePermission[];
  scope: string;
  doNotApplyToChildScopes: boolean;
  principals: DenyPrincipal[];
  excludePrincipals: DenyPrincipal[];
  isSystemProtected: boolean;
  createdOn: string;
  updatedOn: string;
}

/** The named scopes the system identity's assignments are spread over. */
export interface DatasetScopes {
  managementGroup: string;
  subscription: string;
  resourceGroup: string;
  vm: string;
  storageAccount: string;
  keyVault: string;
}

export type PrincipalType = 'ServicePrincipal' | 'Group' | 'User';

/** One role assignment as ARM stores it (azure-rest-api-specs authorization 2022-04-01 RoleAssignmentProperties). */
export interface RoleAssignment {
  /** `{scope}/providers/Microsoft.Authorization/roleAssignments/{name}` */
  id: string;
  name: string;
  scope: string;
  roleDefinitionId: string;
  principalId: string;
  principalType: PrincipalType;
  condition: string | null;
  conditionVersion: '2.0' | null;
  description: string | null;
  createdOn: string;
  updatedOn: string;
  createdBy: string;
  updatedBy: string;
}

export interface Dataset {
  seed: string;
  azEnvironment: string;
  systemAssigned: boolean;
  tenantId: string;
  subscriptionId: string;
  subscriptionDisplayName: string;
  /** The VM's management group (parent: the Tenant Root Group). */
  managementGroup: ManagementGroup;
  /** Every management group, the Tenant Root Group first. */
  managementGroups: ManagementGroup[];
  /** Every subscription in the tenant, the VM's first, then shared services, then one the identity has no role in. */
  subscriptions: Subscription[];
  shared: SharedServicesScopes;
  resourceGroupName: string;
  vm: VirtualMachine;
  systemIdentity: SystemAssignedIdentity;
  userAssignedIdentities: UserAssignedIdentity[];
  /** groups[0] contains the system identity; groups[2] contains groups[0] (a group inside a group). */
  groups: SecurityGroup[];
  scopes: DatasetScopes;
  /** As ARM lists them at the subscription: built-ins, then the custom roles. */
  roleDefinitions: RoleDefinition[];
  roleAssignments: RoleAssignment[];
  denyAssignments: DenyAssignment[];
}

export type AssignmentFilter = 'assignedTo' | 'principalId';

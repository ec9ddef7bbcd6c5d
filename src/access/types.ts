/**
 * The reads the access checker needs, as a narrow interface the ARM client implements. Shapes follow the
 * REST payloads' `properties` blocks (azure-rest-api-specs specification/authorization/resource-manager/
 * Microsoft.Authorization/stable/2022-04-01: authorization-RoleDefinitionsCalls.json `Permission`,
 * authorization-RoleAssignmentsCalls.json, authorization-DenyAssignmentCalls.json,
 * authorization-ProviderOperationsCalls.json), flattened, so the engine never sees HTTP.
 */

/** One `Permission` block: a role definition's, a deny assignment's, or one entry of the permissions API. */
export interface PermissionSet {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
}

export type Plane = 'control' | 'data';

export interface RoleAssignmentInfo {
  id: string;
  scope: string;
  roleDefinitionId: string;
  principalId: string;
  principalType?: string;
  /** ABAC condition; evaluated by the service at request time, so the checker can only flag it. */
  condition?: string | null;
  conditionVersion?: string | null;
  createdOn?: string;
  updatedOn?: string;
}

export interface RoleDefinitionInfo {
  id: string;
  roleName: string;
  roleType: string;
  description?: string;
  permissions: PermissionSet[];
}

export interface DenyPrincipal {
  id: string;
  type?: string;
}

export interface DenyAssignmentInfo {
  id: string;
  denyAssignmentName: string;
  scope: string;
  permissions: PermissionSet[];
  principals: DenyPrincipal[];
  excludePrincipals: DenyPrincipal[];
  doNotApplyToChildScopes: boolean;
  isSystemProtected?: boolean;
}

export interface ProviderOperation {
  name: string;
  displayName?: string;
  isDataAction: boolean;
}

/** A vault's `accessPolicies[]` entry (Microsoft.KeyVault vaults `AccessPolicyEntry`). */
export interface KeyVaultAccessPolicy {
  tenantId: string;
  objectId: string;
  applicationId?: string;
  permissions: { keys?: string[]; secrets?: string[]; certificates?: string[]; storage?: string[] };
}

export interface KeyVaultProperties {
  vaultUri?: string;
  /** Absent or false: the vault authorizes data access with access policies, not Azure RBAC. */
  enableRbacAuthorization?: boolean;
  accessPolicies: KeyVaultAccessPolicy[];
}

/**
 * Implemented by the wiring layer over the ARM client. Every method may throw; the checker records what it
 * could not read and says so in the verdict instead of guessing.
 */
export interface AccessReader {
  /** `GET {scope}/providers/Microsoft.Authorization/permissions` — the caller's own effective permissions. */
  permissionsAt(scope: string, signal?: AbortSignal): Promise<PermissionSet[]>;
  /** `GET {scope}/providers/Microsoft.Authorization/roleAssignments?$filter=assignedTo('{oid}')`, all pages. */
  roleAssignmentsAt(scope: string, principalId: string, signal?: AbortSignal): Promise<RoleAssignmentInfo[]>;
  /** `GET {scope}/providers/Microsoft.Authorization/denyAssignments?$filter=assignedTo('{oid}')`, all pages. */
  denyAssignmentsAt(scope: string, principalId: string, signal?: AbortSignal): Promise<DenyAssignmentInfo[]>;
  /** `GET {roleDefinitionId}`; undefined when it does not exist. */
  roleDefinition(roleDefinitionId: string, signal?: AbortSignal): Promise<RoleDefinitionInfo | undefined>;
  /** `GET /providers/Microsoft.Authorization/providerOperations/{namespace}?$expand=resourceTypes`, flattened. */
  providerOperations(namespace: string, signal?: AbortSignal): Promise<ProviderOperation[]>;
  /** `GET {vaultId}?api-version=2023-07-01` → `properties`. */
  keyVaultProperties(vaultId: string, signal?: AbortSignal): Promise<KeyVaultProperties>;
  /** `GET {scope}/providers/Microsoft.Authorization/roleDefinitions?$filter=type eq 'BuiltInRole'`. Large: called only for a suggestion. */
  builtInRoleDefinitions(scope: string, signal?: AbortSignal): Promise<RoleDefinitionInfo[]>;
}

/** The Azure layer's public surface: named exports only. */
export { type Cloud, CLOUDS, PUBLIC_CLOUD, cloudFor, portalLink } from './clouds';
export { type AzureEndpoints, resolveEndpoints } from './endpoints';
export { AzureHttp, type AzureHttpOptions, isLoopbackHost } from './http';
export {
  ArmClient,
  type DenyAssignment,
  type RoleAssignment,
  type RoleDefinition,
  type SubscriptionInfo,
  type VmIdentityBlock,
  parseDenyAssignment,
  parseRoleAssignment,
  parseRoleDefinition,
} from './arm';
export { type ServicePrincipal, getServicePrincipal } from './graph';
export { type InstanceMetadata, getInstanceMetadata, parseInstanceMetadata } from './instanceMetadata';
export { type RoleAssignmentDetail, type RoleAssignmentView, type ScopeKind, type Via, scopeKind, toView, viaOf } from './roles';
export { type RoleNameStore, type StoredRoleName, type StoredRoleNames, memoryRoleNameStore, parseStoredRoleNames } from './roleNameStore';
export { type DenyAssignmentDetail, type PartialView, type RolesView, type SubscriptionRoles } from './roleScan';
export { IdentityService, type IdentityServiceOptions, type ServiceSettings } from './service';
export {
  type IdentityInfo,
  type Include,
  type Part,
  type PortalLinks,
  type Snapshot,
  type VmInfo,
  partOf,
  subscriptionOf,
  valueOf,
} from './snapshot';

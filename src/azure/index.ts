/** The Azure layer's public surface: named exports only. */
export { type Cloud, PUBLIC_CLOUD, knownCloud, portalLink } from './clouds';
export { parseCloudSetting } from './cloudSetting';
export { type AzureEndpoints, resolveEndpoints } from './endpoints';
export { AzureHttp, type AzureHttpOptions } from './http';
export {
  ArmClient,
  type DenyAssignment,
  type RoleAssignment,
  type RoleDefinition,
  type SubscriptionInfo,
  type VmIdentityBlock,
  parseRoleAssignment,
  parseRoleDefinition,
} from './arm';
export { type ServicePrincipal, getServicePrincipal } from './graph';
export { type InstanceMetadata, parseInstanceMetadata } from './instanceMetadata';
export {
  type RoleAssignmentDetail,
  type RoleAssignmentView,
  type ScopeKind,
  type Via,
  scopeKind,
  toView,
  viaOf,
} from './roles';
export {
  type RoleNameStore,
  type StoredRoleName,
  type StoredRoleNames,
  memoryRoleNameStore,
  parseStoredRoleNames,
} from './roleNameStore';
export { type DenyAssignmentDetail, type PartialView, type RolesView, type SubscriptionRoles } from './roleScan';
export { IdentityService } from './service';
export type { AccessContext, IdentityServiceOptions, ServiceSettings } from './serviceOptions';
export {
  type IdentityInfo,
  type Include,
  type Part,
  type PortalLinks,
  type Snapshot,
  type VmInfo,
  valueOf,
} from './snapshot';
export {
  type AccessQuestion,
  type ProbeDeps,
  PROBE_API_VERSIONS,
  checkAccessForTool,
  probeTargetOf,
  runProbe,
  verdictFor,
} from './accessCheck';
export type { ResourceSummary, SubscriptionSummary } from './accessReader';

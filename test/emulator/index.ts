/** Public API of the Azure emulator used by the unit, e2e and UI tests. */
export { startEmulator } from './server';
export type { Emulator, EmulatorOptions, ListenSpec } from './server';
export { generateDataset, expectedAssignmentsFor } from './dataset';
export type {
  AssignmentFilter,
  Dataset,
  DenyAssignment,
  DenyPrincipal,
  SharedServicesScopes,
  Subscription,
  DatasetOptions,
  DatasetScopes,
  ManagementGroup,
  PrincipalType,
  RoleAssignment,
  SecurityGroup,
  SystemAssignedIdentity,
  UserAssignedAccess,
  UserAssignedIdentity,
  VirtualMachine,
} from './dataset';
export { roleDefinitionGuid, principalAndGroups, groupIdsOf, listDenyAssignments } from './rbac';
export { actionMatches, blockGrants, evaluate, effectiveEntries, canPerform } from './permissions';
export type { Evaluation, Verdict, Plane, EffectiveEntry } from './permissions';
export { expectedView, personas } from './expected';
export type { ExpectedView, SubscriptionView, Persona } from './expected';
export { providerNamespaces } from './operations';
export { EVERYONE } from './tenant';
export { BUILT_IN_ROLE_IDS, DEFAULT_BUILT_IN_ROLE_COUNT } from './roles';
export type { RoleDefinition, RoleDefinitionProperties, RolePermission } from './roles';
export { cloudFor } from './clouds';
export type { CloudProfile } from './clouds';
export type { FaultStep } from './faults';
export type { AccessTokenClaims } from './tokens';
export type { EmulatorState } from './control';
export { ENDPOINT_KEYS } from './types';
export { HOST_KINDS, mintServiceAccountToken, TOKEN_EXCHANGE_AUDIENCE } from './hosts';
export type { HostKind, HostLoggedRequest, HostSpec, RunningHost } from './hosts';
export type { EmulatorConfig, EmulatorConfigPatch, EndpointKey, LatencyConfig, LoggedRequest, RouteKey, ServiceName } from './types';

/** Public API of the Azure emulator used by the unit, e2e and UI tests. */
export { startEmulator } from './server';
export type { Emulator, EmulatorOptions, ListenSpec } from './emulatorApi';
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
export { roleDefinitionGuid, principalAndGroups } from './rbac';
export { actionMatches, blockGrants, evaluate } from './permissions';
export type { Evaluation, Verdict, Plane, EffectiveEntry } from './permissions';
export { expectedView, personas } from './expected';
export type { ExpectedView, SubscriptionView, Persona } from './expected';
export { BUILT_IN_ROLE_IDS } from './roles';
export type { RoleDefinition, RoleDefinitionProperties, RolePermission } from './roles';
export type { CloudProfile } from './clouds';
export type { FaultStep } from './faults';
export type { AccessTokenClaims } from './tokens';
export type { EmulatorState } from './control';
export type { HostKind, HostLoggedRequest, HostSpec, RunningHost } from './hosts';
export type {
  EmulatorConfig,
  EmulatorConfigPatch,
  EndpointKey,
  LatencyConfig,
  LoggedRequest,
  RouteKey,
  ServiceName,
} from './types';

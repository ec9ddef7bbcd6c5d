/** The platform-neutral "Why was I denied?" engine (issue 13). Imports nothing of ours and no vscode. */
export type * from './types';
export type * from './verdict';
export { exitCodeFor } from './verdict';
export { actionMatches, anyGrants, grantingPattern, isWildcard, providerNamespaceOf } from './actionMatch';
export { decide, type DecideInput, type DecideOutput } from './decide';
export { checkAccess, AccessCheckInputError, type CheckRequest } from './check';
export { parse403, type Parsed403, type ErrorSource } from './errorText';
export { planProbe, interpretProbe, authorizationHeader, ProbeTargetError, type ProbePlan, type ProbeKind } from './probes';
export { renderVerdictText } from './render';
export { suggestRole, rolesGranting, iamPortalUrl, azRoleAssignmentCommand } from './suggest';
export { propagationNote, TOKEN_CACHE_DOC, TOKEN_CACHE_FAQ } from './propagation';
export { policyPermissionFor, dataActionForPolicy, usesRbac } from './keyVaultPolicy';
export { keyVaultIdOf, isAtOrAbove, normalizeScope } from './scopes';

/** The platform-neutral "Why was I denied?" engine (issue 13). Imports nothing of ours and no vscode. */
export type * from './types';
export type * from './verdict';
export { exitCodeFor } from './verdict';
export { actionMatches, anyGrants, providerNamespaceOf } from './actionMatch';
export type { DecideInput, DecideOutput } from './decide';
export { checkAccess, AccessCheckInputError, type CheckRequest } from './check';
export { parse403, type Parsed403, type ErrorSource } from './errorText';
export { planProbe, interpretProbe, authorizationHeader, type ProbePlan, type ProbeKind } from './probes';
export { renderVerdictText } from './render';

export type { CheckStatus, Check, HostKind, Report } from './model';
export { IDENTITY_UNAVAILABLE_CHECKS, makeReport, doctorExitCode, skip } from './model';
export type {
  Env,
  FileReader,
  EndpointProbe,
  IdentitySelection,
  AttachedIdentity,
  TokenOutcome,
  IdentityFacts,
  ArmProbe,
  ScopeRead,
  GraphRead,
  VsCodeHttpSettings,
  DiagnoseProbe,
  DiagnoseInputs,
} from './inputs';
export { runDiagnosis } from './run';
export { renderMarkdown, renderText } from './render';
export { aadstsCode, explainAadsts } from './aadsts';
export { pythonRequestsRoute, azureCoreJsRoute, noProxyFixLine } from './proxy';
export { predictDefaultAzureCredential, credentialChain } from './credentialChain';
export { explainNetworkError } from './networkChecks';

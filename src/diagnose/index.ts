export type { CheckStatus, Check, HostKind, Report } from './model';
export { doctorExitCode } from './model';
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
export { predictDefaultAzureCredential } from './credentialChain';

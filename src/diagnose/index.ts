export * from './model';
export * from './inputs';
export { runDiagnosis } from './run';
export { renderMarkdown, renderText } from './render';
export { aadstsCode, explainAadsts } from './aadsts';
export { pythonRequestsRoute, azureCoreJsRoute, noProxyFixLine } from './proxy';
export { predictDefaultAzureCredential, credentialChain } from './credentialChain';
export { explainNetworkError } from './networkChecks';

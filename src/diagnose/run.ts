/**
 * Runs every check: gathers the network facts through the injected probe (one failing probe becomes a `skip`, not
 * a crash), reads the tools' state files, and builds the report.
 */
import { checkToolIdentities } from './credentialChain';
import { checkHost, checkIdentityEnabled, checkIdentityEndpoint, checkLegacyExtension, detectHost } from './hostChecks';
import type { DiagnoseInputs } from './inputs';
import { makeReport, type Report } from './model';
import { checkArm, checkClockSkew, checkGraph, checkRoleScopes, checkVsCodeHttp } from './networkChecks';
import { azureCoreJsRoute, checkProxyEnvironment, METADATA_HOST } from './proxy';
import { readAzdLogin, readAzLogin, readAzPowerShellLogin } from './toolLogins';

async function attempt<T>(fn: (() => Promise<T>) | undefined): Promise<T | undefined> {
  if (!fn) return undefined;
  try {
    return await fn();
  } catch {
    return undefined;
  }
}

export async function runDiagnosis(inputs: DiagnoseInputs): Promise<Report> {
  const { env, probe } = inputs;
  const [endpoint, legacy, identity, arm, scopes, graph, arc] = await Promise.all([
    attempt(probe.identityEndpoint?.bind(probe)),
    attempt(probe.legacyExtension?.bind(probe)),
    attempt(probe.identity?.bind(probe)),
    attempt(probe.arm?.bind(probe)),
    attempt(probe.roleScopes?.bind(probe)),
    attempt(probe.graph?.bind(probe)),
    attempt(probe.arcAgentInstalled?.bind(probe)),
  ]);
  const [az, azd, pwsh] = await Promise.all([
    readAzLogin(env, inputs.home, inputs.files),
    readAzdLogin(env, inputs.home, inputs.files),
    readAzPowerShellLogin(inputs.home, inputs.files),
  ]);
  const host = detectHost(env, endpoint, arc ?? false);
  const checks = [
    checkHost(host, endpoint),
    checkIdentityEndpoint(host, endpoint),
    checkProxyEnvironment(env),
    checkLegacyExtension(legacy, !!endpoint?.reachable),
    checkIdentityEnabled(identity),
    checkClockSkew(identity?.token),
    checkArm(arm),
    checkRoleScopes(scopes),
    checkGraph(graph),
    checkVsCodeHttp(inputs.vscode, arm),
    checkToolIdentities({
      env,
      managedIdentityAvailable: identity?.token.ok === true,
      sdkImdsProxied: azureCoreJsRoute(env, METADATA_HOST).proxy !== undefined,
      az,
      azd,
      pwsh,
    }),
  ];
  return makeReport(host, checks);
}

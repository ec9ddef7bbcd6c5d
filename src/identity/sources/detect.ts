/**
 * Which identity host serves this machine, as a pure function of the environment, in MSAL's order
 * (AZURE-FACTS "Other managed-identity hosts"): Service Fabric → App Service → Machine Learning →
 * Cloud Shell → Azure Arc → IMDS.
 */
import { ARC_DEFAULT_ENDPOINT } from './arc';
import { imdsHost } from './imds';

export type DetectedSource =
  | { kind: 'imds'; host: string }
  | { kind: 'appService'; endpoint: string; header: string }
  | { kind: 'cloudShell'; endpoint: string }
  | { kind: 'azureArc'; endpoint: string }
  | { kind: 'unsupported'; name: string };

export function detectSource(env: NodeJS.ProcessEnv, arcAgentInstalled = false): DetectedSource {
  const identityEndpoint = env.IDENTITY_ENDPOINT?.trim();
  if (identityEndpoint && env.IDENTITY_HEADER && env.IDENTITY_SERVER_THUMBPRINT) return { kind: 'unsupported', name: 'Service Fabric' };
  if (identityEndpoint && env.IDENTITY_HEADER) return { kind: 'appService', endpoint: identityEndpoint, header: env.IDENTITY_HEADER };
  const msiEndpoint = env.MSI_ENDPOINT?.trim();
  if (msiEndpoint && env.MSI_SECRET) return { kind: 'unsupported', name: 'Azure Machine Learning' };
  if (msiEndpoint) return { kind: 'cloudShell', endpoint: msiEndpoint };
  if (identityEndpoint && env.IMDS_ENDPOINT) return { kind: 'azureArc', endpoint: identityEndpoint };
  if (arcAgentInstalled) return { kind: 'azureArc', endpoint: ARC_DEFAULT_ENDPOINT };
  return { kind: 'imds', host: imdsHost(env) };
}

/**
 * Which identity host serves this machine, as a pure function of the environment it is given, in MSAL's
 * order (AZURE-FACTS "Other managed-identity hosts"): Service Fabric → App Service → Machine Learning →
 * Cloud Shell → Azure Arc → IMDS. Nothing here reads `process` or the file system: the edge passes both.
 */
import { VmIdentityError } from '../../core/errors';
import { createAppServiceSource } from './appService';
import { ARC_AGENT_FILE, ARC_DEFAULT_ENDPOINT, type ReadKeyFile, arcKeyDir, createArcSource } from './arc';
import { createCloudShellSource } from './cloudShell';
import { createImdsSource, imdsHost } from './imds';
import { LEGACY_DEFAULT_ENDPOINT, createLegacySource } from './legacy';
import type { IdentitySource } from './source';

/** What detection may look at: the environment variables, the platform, and a file-exists probe. */
export interface HostEnvironment {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  fileExists: (file: string) => boolean;
}

export type DetectedSource =
  | { kind: 'imds'; host: string }
  | { kind: 'appService'; endpoint: string; header: string }
  | { kind: 'cloudShell'; endpoint: string }
  | { kind: 'azureArc'; endpoint: string }
  | { kind: 'unsupported'; name: string };

export function detectSource(host: HostEnvironment): DetectedSource {
  const { env } = host;
  const identityEndpoint = env.IDENTITY_ENDPOINT?.trim();
  if (identityEndpoint && env.IDENTITY_HEADER && env.IDENTITY_SERVER_THUMBPRINT) return { kind: 'unsupported', name: 'Service Fabric' };
  if (identityEndpoint && env.IDENTITY_HEADER) return { kind: 'appService', endpoint: identityEndpoint, header: env.IDENTITY_HEADER };
  const msiEndpoint = env.MSI_ENDPOINT?.trim();
  if (msiEndpoint && env.MSI_SECRET) return { kind: 'unsupported', name: 'Azure Machine Learning' };
  if (msiEndpoint) return { kind: 'cloudShell', endpoint: msiEndpoint };
  if (identityEndpoint && env.IMDS_ENDPOINT) return { kind: 'azureArc', endpoint: identityEndpoint };
  if (host.platform !== 'win32' && safely(() => host.fileExists(ARC_AGENT_FILE))) return { kind: 'azureArc', endpoint: ARC_DEFAULT_ENDPOINT };
  return { kind: 'imds', host: imdsHost(env) };
}

/** The detected host as a source (plus the legacy fallback behind IMDS), or why there is none. */
export function createSource(
  host: HostEnvironment,
  readArcKey: ReadKeyFile,
  legacyEndpoint = LEGACY_DEFAULT_ENDPOINT,
): { primary: IdentitySource | VmIdentityError; legacy?: IdentitySource } {
  const detected = detectSource(host);
  switch (detected.kind) {
    case 'imds':
      return { primary: createImdsSource(detected.host), legacy: createLegacySource(legacyEndpoint) };
    case 'appService':
      return { primary: createAppServiceSource(detected.endpoint, detected.header) };
    case 'cloudShell':
      return { primary: createCloudShellSource(detected.endpoint) };
    case 'azureArc':
      return { primary: createArcSource(detected.endpoint, readArcKey, arcKeyDir(host.platform, host.env)) };
    case 'unsupported':
      return {
        primary: new VmIdentityError('endpointUnreachable', `${detected.name} managed identity is not supported by VM Identity.`, {
          fix: 'Run VM Identity on an Azure VM, App Service, Cloud Shell or an Arc-enabled server.',
          title: `${detected.name} is not supported`,
        }),
      };
  }
}

function safely(probe: () => boolean): boolean {
  try {
    return probe();
  } catch {
    return false;
  }
}

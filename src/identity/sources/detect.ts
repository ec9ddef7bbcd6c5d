/**
 * Which identity host serves this machine, as a table (environment → source) evaluated top to bottom: workload
 * identity first, as azure-identity does (msalMsiProvider.ts checks tokenExchangeMsi before MSAL), then MSAL's
 * order (ManagedIdentityClient.getManagedIdentitySource): Service Fabric → App Service → Machine Learning →
 * Cloud Shell → Azure Arc → IMDS. docs/HOSTS.md lists the sources. Nothing here reads `process` or the file
 * system: the edge passes the environment, the platform and a file probe.
 */
import { arcAgentFile } from './arc';
import { imdsHost } from './imds';

/** What detection may look at: the environment variables, the platform, and a file-exists probe. */
export interface HostEnvironment {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  fileExists: (file: string) => boolean;
}

export type DetectedSource =
  | { kind: 'workloadIdentity'; tokenFile: string; tenantId: string; clientId: string; authorityHost?: string }
  | { kind: 'unsupported'; name: 'Service Fabric' }
  | { kind: 'appService'; endpoint: string; header: string }
  | { kind: 'machineLearning'; endpoint: string; secret: string; defaultClientId?: string }
  | { kind: 'cloudShell'; endpoint: string }
  | { kind: 'azureArc'; endpoint: string; metadataHost?: string; by: 'environment' | 'agentFile' }
  | { kind: 'imds'; host: string };

interface DetectionRow {
  /** Why this row, and its source. */
  readonly why: string;
  readonly detect: (host: HostEnvironment, v: (name: string) => string | undefined) => DetectedSource | undefined;
}

const DETECTION_TABLE: readonly DetectionRow[] = [
  {
    why: 'AKS workload identity: AZURE_FEDERATED_TOKEN_FILE + AZURE_TENANT_ID + AZURE_CLIENT_ID (azure-identity tokenExchangeMsi.ts)',
    detect: (_, v) => {
      const tokenFile = v('AZURE_FEDERATED_TOKEN_FILE');
      const tenantId = v('AZURE_TENANT_ID');
      const clientId = v('AZURE_CLIENT_ID');
      if (!tokenFile || !tenantId || !clientId) return undefined;
      return { kind: 'workloadIdentity', tokenFile, tenantId, clientId, authorityHost: v('AZURE_AUTHORITY_HOST') };
    },
  },
  {
    why: 'Service Fabric: IDENTITY_ENDPOINT + IDENTITY_HEADER + IDENTITY_SERVER_THUMBPRINT (MSAL ServiceFabric.ts)',
    detect: (_, v) =>
      v('IDENTITY_ENDPOINT') && v('IDENTITY_HEADER') && v('IDENTITY_SERVER_THUMBPRINT')
        ? { kind: 'unsupported', name: 'Service Fabric' }
        : undefined,
  },
  {
    why: 'App Service / Functions / Container Apps: IDENTITY_ENDPOINT + IDENTITY_HEADER (MSAL AppService.ts); wins over its legacy MSI_* pair',
    detect: (_, v) => {
      const endpoint = v('IDENTITY_ENDPOINT');
      const header = v('IDENTITY_HEADER');
      return endpoint && header ? { kind: 'appService', endpoint, header } : undefined;
    },
  },
  {
    why: 'Azure Machine Learning: MSI_ENDPOINT + MSI_SECRET (MSAL MachineLearning.ts)',
    detect: (_, v) => {
      const endpoint = v('MSI_ENDPOINT');
      const secret = v('MSI_SECRET');
      if (!endpoint || !secret) return undefined;
      return { kind: 'machineLearning', endpoint, secret, defaultClientId: v('DEFAULT_IDENTITY_CLIENT_ID') };
    },
  },
  {
    why: 'Cloud Shell: MSI_ENDPOINT without MSI_SECRET (MSAL CloudShell.ts)',
    detect: (_, v) => {
      const endpoint = v('MSI_ENDPOINT');
      return endpoint ? { kind: 'cloudShell', endpoint } : undefined;
    },
  },
  {
    why: 'Azure Arc: IDENTITY_ENDPOINT + IMDS_ENDPOINT, set by the agent (MSAL AzureArc.ts)',
    detect: (_, v) => {
      const endpoint = v('IDENTITY_ENDPOINT');
      const metadataHost = v('IMDS_ENDPOINT');
      return endpoint && metadataHost ? { kind: 'azureArc', endpoint, metadataHost, by: 'environment' } : undefined;
    },
  },
  {
    why: 'Azure Arc: the agent binary exists (a shell that did not inherit its variables; MSAL AZURE_ARC_FILE_DETECTION)',
    detect: (host) => {
      const agent = arcAgentFile(host.platform, host.env);
      if (!agent || !safely(() => host.fileExists(agent))) return undefined;
      return { kind: 'azureArc', endpoint: 'http://127.0.0.1:40342/metadata/identity/oauth2/token', by: 'agentFile' };
    },
  },
  {
    why: 'IMDS, the default; AZURE_POD_IDENTITY_AUTHORITY_HOST replaces its host (MSAL Imds.ts)',
    detect: (host) => ({ kind: 'imds', host: imdsHost(host.env) }),
  },
];

export function detectSource(host: HostEnvironment): DetectedSource {
  const v = (name: string) => host.env[name]?.trim() || undefined;
  for (const row of DETECTION_TABLE) {
    const found = row.detect(host, v);
    if (found) return found;
  }
  throw new Error('unreachable: the IMDS row always matches');
}

function safely(probe: () => boolean): boolean {
  try {
    return probe();
  } catch {
    return false;
  }
}

/**
 * Azure clouds by IMDS `compute.azEnvironment` (compared case-insensitively; samples show
 * `AZUREPUBLICCLOUD`). Hosts per docs/AZURE-FACTS.md "IMDS instance metadata" (azEnvironment) (learn.microsoft.com azure-government/
 * compare-azure-government-global-azure.md, china/resources-developer-guide.md).
 */
export interface Cloud {
  /** Canonical azEnvironment name; `Custom` for one given by the vmIdentity.cloud setting. */
  name: 'AzurePublicCloud' | 'AzureUSGovernmentCloud' | 'AzureChinaCloud' | 'Custom';
  displayName: string;
  arm: string;
  /** Audience of ARM tokens. */
  armResource: string;
  graph: string;
  graphResource: string;
  portal: string;
}

const CLOUDS: readonly Cloud[] = [
  {
    name: 'AzurePublicCloud',
    displayName: 'Azure',
    arm: 'https://management.azure.com',
    armResource: 'https://management.azure.com/',
    graph: 'https://graph.microsoft.com',
    graphResource: 'https://graph.microsoft.com/',
    portal: 'https://portal.azure.com',
  },
  {
    name: 'AzureUSGovernmentCloud',
    displayName: 'Azure US Government',
    arm: 'https://management.usgovcloudapi.net',
    armResource: 'https://management.usgovcloudapi.net/',
    graph: 'https://graph.microsoft.us',
    graphResource: 'https://graph.microsoft.us/',
    portal: 'https://portal.azure.us',
  },
  {
    name: 'AzureChinaCloud',
    displayName: 'Azure operated by 21Vianet',
    arm: 'https://management.chinacloudapi.cn',
    armResource: 'https://management.chinacloudapi.cn/',
    graph: 'https://microsoftgraph.chinacloudapi.cn',
    graphResource: 'https://microsoftgraph.chinacloudapi.cn/',
    portal: 'https://portal.azure.cn',
  },
];

export const PUBLIC_CLOUD = CLOUDS[0];

/** The Azure CLI's names for the same clouds (`az cloud list`), accepted by the vmIdentity.cloud setting. */
const CLI_NAMES: Record<string, Cloud['name']> = {
  azurecloud: 'AzurePublicCloud',
  azureusgovernment: 'AzureUSGovernmentCloud',
  azurechinacloud: 'AzureChinaCloud',
};

/** A cloud by its azEnvironment (or Azure CLI) name, case-insensitively; undefined when not one we know. */
export function knownCloud(name: string | undefined): Cloud | undefined {
  const key = (name ?? '').trim().toLowerCase();
  const canonical = CLI_NAMES[key]?.toLowerCase() ?? key;
  return CLOUDS.find((c) => c.name.toLowerCase() === canonical);
}

/** `{portal}/#@{tenant}/resource{id}` (+ `/identity`, `/users` for Access control). */
export function portalLink(
  cloud: Cloud,
  tenantId: string | undefined,
  resourceId: string,
  blade?: 'identity' | 'users' | 'overview',
): string {
  const tenant = tenantId ? `@${tenantId}` : '';
  return `${cloud.portal}/#${tenant}/resource${resourceId}${blade ? `/${blade}` : ''}`;
}

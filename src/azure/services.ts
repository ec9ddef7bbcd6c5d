/**
 * Azure services a managed identity can get tokens for, with the resource ID (token audience) per cloud.
 *
 * Sources, one per row (`doc`), checked against each other:
 * - MI: learn.microsoft.com/entra/identity/managed-identities-azure-resources/managed-identities-status (formerly
 *   "services-support-managed-identities", whose "Azure services that support Azure AD authentication" section
 *   had one per-cloud resource-ID table per service; MicrosoftDocs/azure-docs, localized copy read 2026).
 * - CLI: Azure/azure-cli src/azure-cli-core/azure/cli/core/cloud.py (AZURE_PUBLIC_CLOUD / AZURE_US_GOV_CLOUD /
 *   AZURE_CHINA_CLOUD endpoints: ossrdbms_resource_id, log_analytics_resource_id, microsoft_graph_resource_id).
 * - GOV: learn.microsoft.com/azure/azure-government/compare-azure-government-global-azure ("Guidance for
 *   developers" endpoint mapping); CN: learn.microsoft.com/azure/china/resources-developer-guide.
 * Where the per-service page and an SDK disagree (Event Hubs / Service Bus / Storage in sovereign clouds use the
 * global audience per the MI table; hashicorp/go-azure-sdk uses servicebus.usgovcloudapi.net), the MI table wins.
 */

export type CloudName = 'AzureCloud' | 'AzureUSGovernment' | 'AzureChinaCloud';

export interface ServiceResource {
  /** Stable id for settings and the CLI (`--service keyVault`). */
  id: string;
  label: string;
  /** Resource ID per cloud; absent = not offered there (per the cited doc). */
  resource: Partial<Record<CloudName, string>>;
  /** The user must supply an account/cluster URL; `resource` then holds the host suffix example. */
  needsUrl?: { prompt: string; hostSuffix: Partial<Record<CloudName, string>> };
  doc: string;
}

const MI_DOC =
  'https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/managed-identities-status';
const CLI_CLOUDS = 'https://github.com/Azure/azure-cli/blob/dev/src/azure-cli-core/azure/cli/core/cloud.py';

export const SERVICES: readonly ServiceResource[] = [
  {
    id: 'arm',
    label: 'Azure Resource Manager',
    resource: {
      AzureCloud: 'https://management.azure.com/',
      AzureUSGovernment: 'https://management.usgovcloudapi.net/',
      AzureChinaCloud: 'https://management.chinacloudapi.cn/',
    },
    doc: MI_DOC,
  },
  {
    id: 'keyVault',
    label: 'Azure Key Vault',
    resource: {
      AzureCloud: 'https://vault.azure.net',
      AzureUSGovernment: 'https://vault.usgovcloudapi.net',
      AzureChinaCloud: 'https://vault.azure.cn',
    },
    doc: MI_DOC,
  },
  {
    id: 'storage',
    label: 'Azure Storage (blobs, queues, tables, files)',
    // The MI table lists https://storage.azure.com/ for every cloud.
    resource: {
      AzureCloud: 'https://storage.azure.com/',
      AzureUSGovernment: 'https://storage.azure.com/',
      AzureChinaCloud: 'https://storage.azure.com/',
    },
    doc: MI_DOC,
  },
  {
    id: 'sql',
    label: 'Azure SQL',
    resource: {
      AzureCloud: 'https://database.windows.net/',
      AzureUSGovernment: 'https://database.usgovcloudapi.net/',
      AzureChinaCloud: 'https://database.chinacloudapi.cn/',
    },
    doc: MI_DOC,
  },
  {
    id: 'ossrdbms',
    label: 'Azure Database for PostgreSQL / MySQL',
    resource: {
      AzureCloud: 'https://ossrdbms-aad.database.windows.net',
      AzureUSGovernment: 'https://ossrdbms-aad.database.usgovcloudapi.net',
      AzureChinaCloud: 'https://ossrdbms-aad.database.chinacloudapi.cn',
    },
    doc: CLI_CLOUDS,
  },
  {
    id: 'eventHubs',
    label: 'Azure Event Hubs',
    resource: {
      AzureCloud: 'https://eventhubs.azure.net',
      AzureUSGovernment: 'https://eventhubs.azure.net',
      AzureChinaCloud: 'https://eventhubs.azure.net',
    },
    doc: MI_DOC,
  },
  {
    id: 'serviceBus',
    label: 'Azure Service Bus',
    resource: {
      AzureCloud: 'https://servicebus.azure.net',
      AzureUSGovernment: 'https://servicebus.azure.net',
      AzureChinaCloud: 'https://servicebus.azure.net',
    },
    doc: MI_DOC,
  },
  {
    id: 'cosmosDb',
    label: 'Azure Cosmos DB',
    resource: {
      AzureCloud: 'https://cosmos.azure.com',
      AzureUSGovernment: 'https://cosmos.azure.us',
      AzureChinaCloud: 'https://cosmos.azure.cn',
    },
    doc: MI_DOC,
  },
  {
    id: 'graph',
    label: 'Microsoft Graph',
    resource: {
      AzureCloud: 'https://graph.microsoft.com/',
      AzureUSGovernment: 'https://graph.microsoft.us/',
      AzureChinaCloud: 'https://microsoftgraph.chinacloudapi.cn/',
    },
    doc: CLI_CLOUDS,
  },
  {
    id: 'logAnalytics',
    label: 'Azure Monitor / Log Analytics',
    resource: {
      AzureCloud: 'https://api.loganalytics.io',
      AzureUSGovernment: 'https://api.loganalytics.us',
      AzureChinaCloud: 'https://api.loganalytics.azure.cn',
    },
    doc: CLI_CLOUDS,
  },
  {
    id: 'cognitiveServices',
    label: 'Azure AI services / Azure OpenAI',
    resource: {
      AzureCloud: 'https://cognitiveservices.azure.com',
      AzureUSGovernment: 'https://cognitiveservices.azure.us',
      AzureChinaCloud: 'https://cognitiveservices.azure.cn',
    },
    doc: 'https://learn.microsoft.com/azure/ai-foundry/openai/azure-government',
  },
  {
    id: 'dataExplorer',
    label: 'Azure Data Explorer (cluster URL)',
    resource: {},
    needsUrl: {
      prompt: 'Cluster URL, e.g. https://mycluster.westeurope.kusto.windows.net',
      hostSuffix: {
        AzureCloud: '.kusto.windows.net',
        AzureUSGovernment: '.kusto.usgovcloudapi.net',
        AzureChinaCloud: '.kusto.chinacloudapi.cn',
      },
    },
    doc: MI_DOC,
  },
  {
    id: 'azureDevOps',
    label: 'Azure DevOps',
    // Azure DevOps' first-party application ID; Azure DevOps Services runs in the public cloud only.
    resource: { AzureCloud: '499b84ac-1321-427f-aa17-267ca6975798' },
    doc: 'https://learn.microsoft.com/azure/devops/integrate/get-started/authentication/service-principal-managed-identity',
  },
];

/** IMDS `azEnvironment` names and az CLI names, compared case-insensitively. */
const CLOUD_ALIASES: Record<string, CloudName> = {
  azurecloud: 'AzureCloud',
  azurepubliccloud: 'AzureCloud',
  azureusgovernment: 'AzureUSGovernment',
  azureusgovernmentcloud: 'AzureUSGovernment',
  azurechinacloud: 'AzureChinaCloud',
};

/** Unknown or empty (older IMDS, Azure Stack) → public cloud, as src/azure/clouds.ts does. */
export function cloudNameFor(name: string | undefined): CloudName {
  return CLOUD_ALIASES[(name ?? '').trim().toLowerCase()] ?? 'AzureCloud';
}

export function servicesFor(cloud: CloudName): ServiceResource[] {
  return SERVICES.filter((s) => s.resource[cloud] !== undefined || s.needsUrl?.hostSuffix[cloud] !== undefined);
}

export class InvalidResourceError extends Error {
  constructor(
    readonly input: string,
    readonly reason: 'empty' | 'notHttps' | 'notUriOrGuid' | 'hasCredentials' | 'hasQuery' | 'wrongHost',
    message: string,
  ) {
    super(message);
    this.name = 'InvalidResourceError';
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * "Other…" input: an https URI (the resource's App ID URI) or an application ID GUID. A trailing `/.default` is
 * accepted and removed, since people paste v2 scopes; IMDS wants the v1 resource.
 */
export function parseOtherResource(input: string): string {
  const value = input.trim().replace(/\/\.default$/i, '');
  if (!value) throw new InvalidResourceError(input, 'empty', 'Enter a resource: an https URI or an application ID.');
  if (GUID.test(value)) return value.toLowerCase();
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidResourceError(
      input,
      'notUriOrGuid',
      'Not a resource: use an https URI (e.g. https://vault.azure.net) or an application ID (a GUID).',
    );
  }
  if (url.protocol !== 'https:') {
    throw new InvalidResourceError(input, 'notHttps', `Resource URIs start with https:// (got ${url.protocol}//).`);
  }
  if (url.username || url.password) {
    throw new InvalidResourceError(input, 'hasCredentials', 'A resource URI must not contain a user name or password.');
  }
  if (url.search || url.hash) {
    throw new InvalidResourceError(input, 'hasQuery', 'A resource URI has no query (?…) or fragment (#…).');
  }
  return value;
}

/** Data Explorer and similar: the cluster URL is the resource; it must be https and on the cloud's host suffix. */
export function parseServiceUrl(service: ServiceResource, cloud: CloudName, input: string): string {
  const value = parseOtherResource(input);
  const suffix = service.needsUrl?.hostSuffix[cloud];
  if (!suffix) return value;
  if (GUID.test(value) || !new URL(value).hostname.toLowerCase().endsWith(suffix)) {
    throw new InvalidResourceError(input, 'wrongHost', `${service.label}: expected a URL ending in ${suffix}.`);
  }
  return `https://${new URL(value).hostname.toLowerCase()}`;
}

/** Resource ID for a listed service in a cloud, or undefined when the service is not offered there. */
export function resourceFor(serviceId: string, cloud: CloudName): string | undefined {
  return SERVICES.find((s) => s.id === serviceId)?.resource[cloud];
}

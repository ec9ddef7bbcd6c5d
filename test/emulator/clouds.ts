/**
 * The three Azure clouds the emulator can pretend to be. Values from docs/AZURE-FACTS.md
 * (azure-docs virtual-machines/instance-metadata-service.md `azEnvironment`; Azure CLI cloud table).
 * Kept independent of src/ on purpose: the emulator is the oracle, not a copy of the product.
 */
export interface CloudProfile {
  /** Canonical azEnvironment value, e.g. AzurePublicCloud. */
  readonly name: string;
  /** Audience of ARM tokens as IMDS is asked for it. */
  readonly armResource: string;
  /** The classic ARM audience, which ARM also accepts. */
  readonly armClassicResource: string;
  /** Graph base URL, also the token audience (with or without trailing slash). */
  readonly graph: string;
  /** Authority ARM names in its WWW-Authenticate challenge. */
  readonly loginAuthority: string;
  /** Token issuer host: iss = `{stsHost}/{tenantId}/`. */
  readonly stsHost: string;
  /** Regions a VM in this cloud plausibly sits in. */
  readonly locations: readonly string[];
}

/** Graph's well-known application id, accepted as an audience by Graph. */
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

const CLOUDS: readonly CloudProfile[] = [
  {
    name: 'AzurePublicCloud',
    armResource: 'https://management.azure.com/',
    armClassicResource: 'https://management.core.windows.net/',
    graph: 'https://graph.microsoft.com',
    loginAuthority: 'https://login.windows.net',
    stsHost: 'https://sts.windows.net',
    locations: ['eastus', 'westeurope', 'westus2', 'northeurope', 'swedencentral', 'australiaeast'],
  },
  {
    name: 'AzureUSGovernmentCloud',
    armResource: 'https://management.usgovcloudapi.net/',
    armClassicResource: 'https://management.core.usgovcloudapi.net/',
    graph: 'https://graph.microsoft.us',
    loginAuthority: 'https://login.microsoftonline.us',
    stsHost: 'https://sts.windows.net',
    locations: ['usgovvirginia', 'usgovarizona', 'usgovtexas'],
  },
  {
    name: 'AzureChinaCloud',
    armResource: 'https://management.chinacloudapi.cn/',
    armClassicResource: 'https://management.core.chinacloudapi.cn/',
    graph: 'https://microsoftgraph.chinacloudapi.cn',
    loginAuthority: 'https://login.chinacloudapi.cn',
    stsHost: 'https://sts.chinacloudapi.cn',
    locations: ['chinanorth3', 'chinaeast2'],
  },
];

/** The cloud for an azEnvironment value, compared case-insensitively (IMDS samples print AZUREPUBLICCLOUD). */
export function cloudFor(azEnvironment: string): CloudProfile {
  const cloud = CLOUDS.find((c) => c.name.toLowerCase() === azEnvironment.toLowerCase());
  if (!cloud)
    throw new Error(
      `Unknown azEnvironment '${azEnvironment}'; expected one of ${CLOUDS.map((c) => c.name).join(', ')}`,
    );
  return cloud;
}

function withAndWithoutSlash(url: string): string[] {
  const bare = url.replace(/\/+$/, '');
  return [bare, `${bare}/`];
}

/** Audiences ARM accepts: the resource manager URL and the classic management URL, each with or without '/'. */
export function armAudiences(cloud: CloudProfile): string[] {
  return [...withAndWithoutSlash(cloud.armResource), ...withAndWithoutSlash(cloud.armClassicResource)];
}

/** Audiences Graph accepts: its URL with or without '/', and its application id. */
export function graphAudiences(cloud: CloudProfile): string[] {
  return [...withAndWithoutSlash(cloud.graph), GRAPH_APP_ID];
}

/**
 * Azure Instance Metadata Service (entra-docs how-to-use-vm-token.md; azure-docs instance-metadata-service.md):
 * GET {host}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=…[&client_id|object_id|msi_res_id]
 * with `Metadata: true`. The host can be replaced through AZURE_POD_IDENTITY_AUTHORITY_HOST.
 * Instance metadata: {host}/metadata/instance?api-version=2021-02-01 (instance-metadata-service.md).
 */
import type { IdentitySelector } from '../selector';
import type { IdentitySource, TokenRequest } from './source';

const IMDS_DEFAULT_HOST = 'http://169.254.169.254';
const IMDS_TOKEN_API_VERSION = '2018-02-01';
const IMDS_INSTANCE_API_VERSION = '2021-02-01';

export function imdsHost(env: NodeJS.ProcessEnv): string {
  const host = env.AZURE_POD_IDENTITY_AUTHORITY_HOST?.trim();
  return (host || IMDS_DEFAULT_HOST).replace(/\/+$/, '');
}

const IMDS_ID_PARAM = { clientId: 'client_id', objectId: 'object_id', resourceId: 'msi_res_id' } as const;

export function createImdsSource(host: string): IdentitySource {
  return {
    kind: 'imds',
    endpoint: host,
    metadata: { host, apiVersion: IMDS_INSTANCE_API_VERSION },
    tokenRequest(resource: string, identity: IdentitySelector): TokenRequest {
      const url = new URL('/metadata/identity/oauth2/token', host);
      url.searchParams.set('api-version', IMDS_TOKEN_API_VERSION);
      url.searchParams.set('resource', resource);
      if (identity.kind !== 'system') url.searchParams.set(IMDS_ID_PARAM[identity.kind], identity.value);
      return { url, method: 'GET', headers: { Metadata: 'true' } };
    },
  };
}

/**
 * The deprecated managed-identity VM extension (retired 2019), which the seed document's Azure CLI error
 * names: GET http://localhost:50342/oauth2/token?resource=…[&client_id|object_id], `Metadata: true`,
 * no api-version; same response shape as IMDS. Used only when IMDS does not answer and this does.
 */
import type { IdentitySelector } from '../selector';
import { type IdentitySource, type TokenRequest, UnsupportedSelectorError } from './source';

export const LEGACY_DEFAULT_ENDPOINT = 'http://localhost:50342';

export function createLegacySource(endpoint: string = LEGACY_DEFAULT_ENDPOINT): IdentitySource {
  return {
    kind: 'legacyVmExtension',
    endpoint,
    tokenRequest(resource: string, identity: IdentitySelector): TokenRequest {
      const url = new URL('/oauth2/token', endpoint);
      url.searchParams.set('resource', resource);
      if (identity.kind === 'clientId') url.searchParams.set('client_id', identity.value);
      else if (identity.kind === 'objectId') url.searchParams.set('object_id', identity.value);
      else if (identity.kind === 'resourceId')
        throw new UnsupportedSelectorError(
          'The legacy VM extension',
          'it takes a client ID or object ID, not a resource ID',
        );
      return { url, method: 'GET', headers: { Metadata: 'true' } };
    },
  };
}

/**
 * App Service and Functions (azure-docs app-service/overview-managed-identity.md#rest-endpoint-reference):
 * GET $IDENTITY_ENDPOINT?api-version=2019-08-01&resource=…[&client_id|principal_id|mi_res_id],
 * header X-IDENTITY-HEADER: $IDENTITY_HEADER.
 */
import type { IdentitySelector } from '../selector';
import type { IdentitySource, TokenRequest } from './source';

const PARAM = { clientId: 'client_id', objectId: 'principal_id', resourceId: 'mi_res_id' } as const;

export function createAppServiceSource(endpoint: string, secretHeader: string): IdentitySource {
  return {
    kind: 'appService',
    endpoint: new URL(endpoint).origin,
    tokenRequest(resource: string, identity: IdentitySelector): TokenRequest {
      const url = new URL(endpoint);
      url.searchParams.set('api-version', '2019-08-01');
      url.searchParams.set('resource', resource);
      if (identity.kind !== 'system') url.searchParams.set(PARAM[identity.kind], identity.value);
      return { url, method: 'GET', headers: { 'X-IDENTITY-HEADER': secretHeader } };
    },
  };
}

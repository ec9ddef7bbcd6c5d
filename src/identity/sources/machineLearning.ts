/**
 * Azure Machine Learning compute (MSAL Node ManagedIdentitySources/MachineLearning.ts):
 * GET $MSI_ENDPOINT?api-version=2017-09-01&resource=…&clientid=…, headers `Metadata: true` and
 * `secret: $MSI_SECRET`. `clientid` (the 2017 spelling) is always sent: $DEFAULT_IDENTITY_CLIENT_ID for the
 * system identity ("always set in an Azure Machine Learning source"), else the selected client ID; object and
 * resource IDs are refused, as MSAL does. `expires_on` comes as an integer (azure-sdk-for-net#40348).
 */
import type { IdentitySelector } from '../selector';
import { type IdentitySource, type TokenRequest, UnsupportedSelectorError } from './source';

export function createMachineLearningSource(
  endpoint: string,
  secret: string,
  defaultClientId: string | undefined,
): IdentitySource {
  return {
    kind: 'machineLearning',
    endpoint: new URL(endpoint).origin,
    tokenRequest(resource: string, identity: IdentitySelector): TokenRequest {
      let clientId: string | undefined;
      if (identity.kind === 'clientId') clientId = identity.value;
      else if (identity.kind === 'system') clientId = defaultClientId;
      else
        throw new UnsupportedSelectorError(
          'Azure Machine Learning',
          'it selects a user-assigned identity by client ID only',
        );
      if (!clientId) {
        throw new UnsupportedSelectorError(
          'Azure Machine Learning',
          "DEFAULT_IDENTITY_CLIENT_ID is not set, so the compute's own identity cannot be named; select one by client ID",
        );
      }
      const url = new URL(endpoint);
      url.searchParams.set('api-version', '2017-09-01');
      url.searchParams.set('resource', resource);
      url.searchParams.set('clientid', clientId);
      return { url, method: 'GET', headers: { Metadata: 'true', secret } };
    },
  };
}

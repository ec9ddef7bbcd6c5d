/**
 * Azure Cloud Shell (as MSAL and @azure/identity do): POST $MSI_ENDPOINT, form body `resource=…`,
 * header `Metadata: true`. System identity of the signed-in user only.
 */
import type { IdentitySelector } from '../selector';
import { type IdentitySource, type TokenRequest, systemOnly } from './source';

export function createCloudShellSource(endpoint: string): IdentitySource {
  return {
    kind: 'cloudShell',
    endpoint: new URL(endpoint).origin,
    tokenRequest(resource: string, identity: IdentitySelector): TokenRequest {
      systemOnly('cloudShell', identity);
      return {
        url: new URL(endpoint),
        method: 'POST',
        headers: { Metadata: 'true', 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ resource }).toString(),
      };
    },
  };
}

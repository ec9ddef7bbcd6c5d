/**
 * Azure Cloud Shell (MSAL Node ManagedIdentitySources/CloudShell.ts; azure-docs#36816): POST $MSI_ENDPOINT,
 * form body `resource=…`, header `Metadata: true`. It returns the *signed-in user's* token, whatever identity
 * is asked for (azure-sdk-for-go#16946, azure-sdk-for-js#20142), so a user-assigned selection is refused here
 * as MSAL does (`unableToCreateCloudShell`) rather than silently answered with the user.
 * Errors: `{"error":{"code":…,"message":…}}`, e.g. 400 AudienceNotSupported (Azure/CloudShell#351).
 */
import type { IdentitySelector } from '../selector';
import { type IdentitySource, type TokenRequest, systemOnly } from './source';

export function createCloudShellSource(endpoint: string): IdentitySource {
  return {
    kind: 'cloudShell',
    endpoint: new URL(endpoint).origin,
    tokenRequest(resource: string, identity: IdentitySelector): TokenRequest {
      systemOnly(
        'Cloud Shell',
        "it always returns the signed-in user's token, whatever identity is asked for, so selecting one would be a lie",
        identity,
      );
      return {
        url: new URL(endpoint),
        method: 'POST',
        headers: { Metadata: 'true', 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ resource }).toString(),
      };
    },
  };
}

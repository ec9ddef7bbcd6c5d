/**
 * Azure Cloud Shell's token endpoint. Client protocol from msal-node ManagedIdentitySources/CloudShell.ts: env
 * MSI_ENDPOINT (e.g. http://localhost:50342/oauth2/token), `POST` form body `resource=…`, header `Metadata: true`;
 * user-assigned ids are refused client-side. Service behaviour: it issues the *signed-in user's* token and ignores
 * identity parameters (azure-sdk-for-go#16946, azure-sdk-for-js#20142, MicrosoftDocs/azure-docs#36816); it also answers
 * the IMDS-style `GET /metadata/identity/oauth2/token?api-version=…&resource=…` (Azure/CloudShell#477); audiences are
 * allow-listed, others fail with 400 `{"error":{"code":"AudienceNotSupported","message":…}}` (Azure/CloudShell#351,
 * #477 — the list below is #351's). Token response fields are inferred (the legacy MSI shape, strings).
 */
import { randomUUID } from 'node:crypto';
import { json } from '../http';
import type { EmulatorResponse, RequestInfo, ServiceContext } from '../types';
import { mintUserToken, type UserSubject } from './hostTokens';
import { checkOptions, optNumber, optString, type HostDefinition } from './hostTypes';

const OPTIONS = ['userObjectId', 'upn', 'displayName', 'lifetimeSec'];
/** Azure/CloudShell#351 (2023): "Supported audiences: …". */
const SUPPORTED_AUDIENCES = [
  'https://management.core.windows.net/',
  'https://management.azure.com/',
  'https://graph.windows.net/',
  'https://vault.azure.net',
  'https://datalake.azure.net/',
  'https://outlook.office365.com/',
  'https://graph.microsoft.com/',
  'https://batch.core.windows.net/',
  'https://analysis.windows.net/powerbi/api',
  'https://storage.azure.com/',
  'https://rest.media.azure.net',
  'https://api.loganalytics.io',
  'https://ossrdbms-aad.database.windows.net',
  'https://www.yammer.com',
  'https://digitaltwins.azure.net',
  '0b07f429-9f4b-4714-9392-cc5e8e80c8b0',
  '822c8694-ad95-4735-9c55-256f7db2f9b4',
  'https://dev.azuresynapse.net',
  'https://database.windows.net',
  'https://quantum.microsoft.com',
];
/** The Azure portal's first-party client id (Cloud Shell runs inside the portal session; inferred). */
const PORTAL_APP_ID = 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c';

function shellError(status: number, code: string, message: string): EmulatorResponse {
  return json(status, { error: { code, message } });
}

function audienceSupported(resource: string): boolean {
  // Inferred: a trailing '/' difference does not matter (#351 lists ARM with '/', vault without).
  const bare = (s: string): string => s.replace(/\/+$/, '').toLowerCase();
  return SUPPORTED_AUDIENCES.some((a) => bare(a) === bare(resource));
}

export function createCloudShellHost(ctx: ServiceContext, options: Record<string, unknown>): HostDefinition {
  checkOptions(options, OPTIONS, 'cloud-shell');
  const user: UserSubject = {
    oid: optString(options, 'userObjectId') ?? randomUUID(),
    upn: optString(options, 'upn') ?? 'ada.lovelace@contoso.onmicrosoft.com',
    name: optString(options, 'displayName') ?? 'Ada Lovelace',
    appId: PORTAL_APP_ID,
    scp: 'user_impersonation',
  };
  const lifetimeSec = optNumber(options, 'lifetimeSec') ?? 3599;

  function token(req: RequestInfo, resource: string | undefined): EmulatorResponse {
    if (req.headers.metadata?.toLowerCase() !== 'true')
      return shellError(400, 'BadRequest', 'Required metadata header not specified.');
    if (!resource) return shellError(400, 'BadRequest', 'Required parameter resource not specified.');
    if (!audienceSupported(resource)) {
      return shellError(
        400,
        'AudienceNotSupported',
        `Audience ${resource} is not a supported MSI token audience. Supported audiences: ${SUPPORTED_AUDIENCES.join(',')}`,
      );
    }
    // client_id / object_id / msi_res_id / mi_res_id are ignored: always the signed-in user.
    const { accessToken, claims } = mintUserToken(ctx, user, resource, req.nowMs, lifetimeSec);
    const nowSec = Math.floor(req.nowMs / 1000);
    return json(200, {
      access_token: accessToken,
      refresh_token: '',
      expires_in: String(claims.exp - nowSec),
      expires_on: String(claims.exp),
      not_before: String(claims.nbf),
      resource,
      token_type: 'Bearer',
    });
  }

  return {
    kind: 'cloud-shell',
    handle(req) {
      if (/^\/oauth2\/token\/?$/i.test(req.path)) {
        if (req.method !== 'POST')
          return shellError(405, 'MethodNotAllowed', 'Use POST with a form body resource=<audience>.');
        return token(req, new URLSearchParams(req.body).get('resource') ?? undefined);
      }
      if (/^\/metadata\/identity\/oauth2\/token\/?$/i.test(req.path) && req.method === 'GET')
        return token(req, req.query.resource);
      return shellError(404, 'NotFound', 'Not found.');
    },
    env(baseUrl) {
      return { MSI_ENDPOINT: `${baseUrl}/oauth2/token` };
    },
    details() {
      return { user: { ...user }, supportedAudiences: [...SUPPORTED_AUDIENCES] };
    },
  };
}

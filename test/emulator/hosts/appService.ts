/**
 * App Service / Azure Functions (and Container Apps) managed identity endpoint. Protocol from azure-docs
 * app-service/overview-managed-identity.md "REST endpoint reference" (same text in container-apps/managed-identity.md):
 * env IDENTITY_ENDPOINT + IDENTITY_HEADER, `GET ?resource=…&api-version=2019-08-01`, header `X-IDENTITY-HEADER`,
 * optional one of `client_id` / `principal_id` (alias `object_id`) / `mi_res_id`; response `{access_token,
 * expires_on:"<epoch s as string>", resource, token_type, client_id}`. Client: msal-node
 * ManagedIdentitySources/AppService.ts. Error body `{statusCode, message, correlationId}`: what msal-node
 * BaseManagedIdentitySource.getServerTokenResponse reads (`message`, `correlationId`); the message text
 * "Unable to load the proper Managed Identity." is observed in the wild, not documented.
 * The platform also sets the legacy MSI_ENDPOINT + MSI_SECRET (api-version 2017-09-01, header `secret`, expires_on as
 * "MM/DD/YYYY hh:mm:ss AM +00:00"): azure-sdk-for-js managedIdentityCredential/appServiceMsi2017.ts.
 */
import { randomUUID } from 'node:crypto';
import { json } from '../http';
import type { EmulatorResponse, RequestInfo, ServiceContext } from '../types';
import { mintAppToken, type AppSubject } from './hostTokens';
import { hostIdentities, same } from './identityChoice';
import { checkOptions, optBoolean, optNumber, optString, type HostDefinition } from './hostTypes';

const OPTIONS = ['appName', 'identityHeader', 'lifetimeSec', 'legacyMsiVariables'];
const NO_IDENTITY = 'Unable to load the proper Managed Identity.';

function appServiceError(status: number, message: string): EmulatorResponse {
  return json(status, { statusCode: status, message, correlationId: randomUUID() });
}

/** "09/14/2017 00:00:00 PM +00:00" as the 2017-09-01 API writes expires_on (appServiceMsi2017.ts parses this). */
function legacyDate(sec: number): string {
  const d = new Date(sec * 1000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const h = d.getUTCHours();
  return `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()} ${pad(h % 12 === 0 ? 12 : h % 12)}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'} +00:00`;
}

export function createAppServiceHost(ctx: ServiceContext, options: Record<string, unknown>): HostDefinition {
  checkOptions(options, OPTIONS, 'app-service');
  const appName = optString(options, 'appName') ?? `${ctx.dataset.vm.name}-app`;
  const identityHeader = optString(options, 'identityHeader') ?? randomUUID();
  const lifetimeSec = optNumber(options, 'lifetimeSec') ?? 86399;
  const legacy = optBoolean(options, 'legacyMsiVariables') ?? true;
  const siteId = `${ctx.dataset.scopes.resourceGroup}/providers/Microsoft.Web/sites/${appName}`;

  function select(q: Record<string, string>): AppSubject | EmulatorResponse {
    const { system, user } = hostIdentities(ctx, siteId);
    const principal = q.principal_id ?? q.object_id;
    const given = [q.client_id, q.principal_id, q.object_id, q.mi_res_id].filter((v) => v !== undefined);
    if (given.length > 1)
      return appServiceError(400, 'Only one of client_id, principal_id, object_id or mi_res_id may be specified.');
    if (given.length === 0) return system ?? appServiceError(400, NO_IDENTITY);
    const all = system ? [{ ...system, resourceId: undefined }, ...user] : user;
    const match = all.find(
      (i) => same(i.clientId, q.client_id) || same(i.principalId, principal) || same(i.resourceId, q.mi_res_id),
    );
    return match ?? appServiceError(400, NO_IDENTITY);
  }

  function token2019(req: RequestInfo): EmulatorResponse {
    if (req.headers['x-identity-header'] !== identityHeader)
      return appServiceError(401, 'The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.');
    if (!req.query.resource) return appServiceError(400, 'The resource parameter is required.');
    const subject = select(req.query);
    if ('status' in subject) return subject;
    const { accessToken, claims } = mintAppToken(ctx, subject, req.query.resource, req.nowMs, lifetimeSec);
    return json(200, {
      access_token: accessToken,
      expires_on: String(claims.exp),
      resource: req.query.resource,
      token_type: 'Bearer',
      client_id: subject.clientId,
    });
  }

  function token2017(req: RequestInfo): EmulatorResponse {
    if (req.headers.secret !== identityHeader)
      return appServiceError(401, 'The secret header is missing or does not match MSI_SECRET.');
    if (!req.query.resource) return appServiceError(400, 'The resource parameter is required.');
    const subject = select(req.query.clientid === undefined ? {} : { client_id: req.query.clientid });
    if ('status' in subject) return subject;
    const { accessToken, claims } = mintAppToken(ctx, subject, req.query.resource, req.nowMs, lifetimeSec);
    return json(200, {
      access_token: accessToken,
      expires_on: legacyDate(claims.exp),
      resource: req.query.resource,
      token_type: 'Bearer',
    });
  }

  return {
    kind: 'app-service',
    handle(req) {
      if (!/^\/msi\/token\/?$/i.test(req.path)) return appServiceError(404, 'Not found.');
      if (req.method !== 'GET') return appServiceError(405, 'Method not allowed.');
      const version = req.query['api-version'];
      if (version === '2017-09-01' && legacy) return token2017(req);
      if (!version || version < '2019-08-01')
        return appServiceError(400, `api-version '${version ?? ''}' is not supported; use 2019-08-01 or later.`);
      return token2019(req);
    },
    env(baseUrl) {
      const endpoint = `${baseUrl}/msi/token`;
      return {
        IDENTITY_ENDPOINT: endpoint,
        IDENTITY_HEADER: identityHeader,
        ...(legacy ? { MSI_ENDPOINT: endpoint, MSI_SECRET: identityHeader } : {}),
      };
    },
    details() {
      const { system, user } = hostIdentities(ctx, siteId);
      return { siteId, systemAssigned: system ?? null, userAssigned: user };
    },
  };
}

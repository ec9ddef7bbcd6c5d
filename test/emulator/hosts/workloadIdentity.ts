/**
 * AKS workload identity: the Entra token endpoint `POST /{tenant}/oauth2/v2.0/token` doing the client-credentials
 * grant with a federated client assertion (entra-docs identity-platform/v2-oauth2-client-creds-grant-flow.md
 * "Second case: Access token request with a certificate" — `client_assertion_type=
 * urn:ietf:params:oauth:client-assertion-type:jwt-bearer`; workload-identity-federation.md: issuer, subject and
 * audience `api://AzureADTokenExchange` must match a federated identity credential of the app). The client side:
 * azure-sdk-for-js identity/src/credentials/managedIdentityCredential/tokenExchangeMsi.ts and
 * workloadIdentityCredential.ts (AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_AUTHORITY_HOST).
 */
import { cloudFor, graphAudiences, armAudiences } from '../clouds';
import { json } from '../http';
import type { EmulatorResponse, RequestInfo, ServiceContext } from '../types';
import { aadstsError } from './aadsts';
import { mintAppToken } from './hostTokens';
import { checkOptions, optNumber, optString, type HostDefinition } from './hostTypes';
import {
  TOKEN_EXCHANGE_AUDIENCE,
  mintServiceAccountToken,
  readAssertion,
  serviceAccountSubject,
} from './kubernetesIssuer';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const OPTIONS = [
  'clientId',
  'principalId',
  'tenantId',
  'issuer',
  'namespace',
  'serviceAccount',
  'federatedSubject',
  'federatedAudience',
  'lifetimeSec',
  'extraResources',
];
/** Resources Entra knows besides the cloud's ARM and Graph (a few common first-party ones). */
const WELL_KNOWN_RESOURCES = ['https://vault.azure.net', 'https://storage.azure.com', 'https://database.windows.net'];

interface FederatedCredential {
  issuer: string;
  subject: string;
  audience: string;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

export function createWorkloadIdentityHost(ctx: ServiceContext, options: Record<string, unknown>): HostDefinition {
  checkOptions(options, OPTIONS, 'workload-identity');
  const { dataset } = ctx;
  const uami = dataset.userAssignedIdentities[0];
  // Default: the first user-assigned identity of the dataset, so ARM already holds its role assignments.
  const clientId = optString(options, 'clientId') ?? uami?.clientId;
  const principalId = optString(options, 'principalId') ?? uami?.principalId;
  if (!clientId || !principalId)
    throw new Error('workload-identity needs clientId and principalId (the dataset has no user-assigned identity)');
  const tenantId = optString(options, 'tenantId') ?? dataset.tenantId;
  // AKS OIDC issuer URL shape: https://<region>.oic.prod-aks.azure.com/<tenant>/<guid>/ (AKS docs "OIDC issuer").
  const issuer =
    optString(options, 'issuer') ?? `https://westeurope.oic.prod-aks.azure.com/${tenantId}/${dataset.vm.vmId}/`;
  const namespace = optString(options, 'namespace') ?? 'default';
  const serviceAccount = optString(options, 'serviceAccount') ?? 'workload-identity-sa';
  const federated: FederatedCredential = {
    issuer,
    subject: optString(options, 'federatedSubject') ?? serviceAccountSubject(namespace, serviceAccount),
    audience: optString(options, 'federatedAudience') ?? TOKEN_EXCHANGE_AUDIENCE,
  };
  const lifetimeSec = optNumber(options, 'lifetimeSec') ?? 3599;
  const extra = (options.extraResources as string[] | undefined) ?? [];

  function knownResource(resource: string): boolean {
    const cloud = cloudFor(ctx.config.azEnvironment);
    const known = [...armAudiences(cloud), ...graphAudiences(cloud), ...WELL_KNOWN_RESOURCES, ...extra].map(trimSlash);
    return known.includes(trimSlash(resource));
  }

  function token(req: RequestInfo, tenant: string): EmulatorResponse {
    const p = Object.fromEntries(new URLSearchParams(req.body));
    if (tenant.toLowerCase() !== tenantId.toLowerCase()) {
      return aadstsError(
        req,
        400,
        'invalid_request',
        90002,
        `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
      );
    }
    for (const name of ['grant_type', 'client_id', 'scope']) {
      if (!p[name])
        return aadstsError(
          req,
          400,
          'invalid_request',
          900144,
          `The request body must contain the following parameter: '${name}'.`,
        );
    }
    if (p.grant_type !== 'client_credentials')
      return aadstsError(
        req,
        400,
        'unsupported_grant_type',
        70003,
        `The app requested an unsupported grant type '${p.grant_type}'.`,
      );
    if (p.client_id.toLowerCase() !== clientId.toLowerCase()) {
      return aadstsError(
        req,
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${p.client_id}' was not found in the directory '${tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      );
    }
    if (p.client_assertion_type !== ASSERTION_TYPE || !p.client_assertion) {
      return aadstsError(
        req,
        401,
        'invalid_client',
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      );
    }
    const claims = readAssertion(p.client_assertion);
    if (!claims) return aadstsError(req, 400, 'invalid_request', 50027, 'JWT token is invalid or malformed.');
    const nowSec = Math.floor(req.nowMs / 1000);
    const exp = typeof claims.exp === 'number' ? claims.exp : 0;
    const nbf = typeof claims.nbf === 'number' ? claims.nbf : 0;
    if (exp <= nowSec || nbf > nowSec + 300) {
      const iso = (s: number): string => new Date(s * 1000).toISOString().replace('Z', '0000Z');
      return aadstsError(
        req,
        401,
        'invalid_client',
        700024,
        `Client assertion is not within its valid time range. Current time: ${iso(nowSec)}, assertion valid from ${iso(nbf)}, expiry time of assertion ${iso(exp)}. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .`,
      );
    }
    const aud = Array.isArray(claims.aud) ? claims.aud.map(String) : [String(claims.aud)];
    // Federated credentials compare issuer, subject and audience case-sensitively (entra-docs reference-breaking-changes
    // "Federated identity credentials now use case-sensitive matching").
    if (claims.iss !== federated.issuer || claims.sub !== federated.subject || !aud.includes(federated.audience)) {
      return aadstsError(
        req,
        400,
        'invalid_request',
        70021,
        `No matching federated identity record found for presented assertion. Assertion Issuer: '${String(claims.iss)}'. Assertion Subject: '${String(claims.sub)}'. Assertion Audience: '${aud.join(',')}'. https://docs.microsoft.com/en-us/azure/active-directory/develop/workload-identity-federation`,
      );
    }
    if (!p.scope.endsWith('/.default') || p.scope.trim().includes(' ')) {
      return aadstsError(
        req,
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${p.scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
    }
    const resource = p.scope.slice(0, -'/.default'.length);
    if (!knownResource(resource)) {
      return aadstsError(
        req,
        400,
        'invalid_resource',
        500011,
        `The resource principal named ${resource} was not found in the tenant named ${tenantId}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
      );
    }
    const issued = mintAppToken(ctx, { principalId, clientId }, resource, req.nowMs, lifetimeSec, tenantId);
    // v2-oauth2-client-creds-grant-flow.md "Successful response": numbers, not strings.
    return json(200, {
      token_type: 'Bearer',
      expires_in: lifetimeSec,
      ext_expires_in: lifetimeSec,
      access_token: issued.accessToken,
    });
  }

  return {
    kind: 'workload-identity',
    handle(req) {
      const m = /^\/([^/]+)\/oauth2\/v2\.0\/token\/?$/.exec(req.path);
      if (!m) return json(404, { error: 'not_found' });
      if (req.method !== 'POST')
        return aadstsError(
          req,
          400,
          'invalid_request',
          900561,
          `The endpoint only accepts POST, OPTIONS requests. Received a ${req.method} request.`,
        );
      return token(req, m[1]);
    },
    env(baseUrl) {
      // The file itself is written by the test (RunningHost.action('serviceAccountToken') gives its content).
      return { AZURE_AUTHORITY_HOST: `${baseUrl}/`, AZURE_TENANT_ID: tenantId, AZURE_CLIENT_ID: clientId };
    },
    details() {
      return {
        clientId,
        principalId,
        tenantId,
        issuer,
        federatedCredential: { ...federated },
        namespace,
        serviceAccount,
      };
    },
    actions: {
      /** A projected service-account token; input: {expiresInSec?, audiences?, issuer?, namespace?, serviceAccount?}. */
      serviceAccountToken(input) {
        return mintServiceAccountToken({
          issuer: typeof input.issuer === 'string' ? input.issuer : issuer,
          namespace: typeof input.namespace === 'string' ? input.namespace : namespace,
          serviceAccount: typeof input.serviceAccount === 'string' ? input.serviceAccount : serviceAccount,
          audiences: Array.isArray(input.audiences) ? input.audiences.map(String) : undefined,
          expiresInSec: typeof input.expiresInSec === 'number' ? input.expiresInSec : undefined,
        });
      },
    },
  };
}

/**
 * Azure Machine Learning compute instance / cluster managed identity endpoint. Client protocol from msal-node
 * ManagedIdentitySources/MachineLearning.ts: env MSI_ENDPOINT + MSI_SECRET, `GET ?api-version=2017-09-01&resource=…`,
 * headers `Metadata: true` and `secret: <MSI_SECRET>`, identity by `clientid` (2017 spelling) — the system identity's
 * client id comes from DEFAULT_IDENTITY_CLIENT_ID, "always set in an Azure Machine Learning source"; only client ids
 * select a user-assigned identity. Service behaviour from azure-sdk-for-net#40348 / azure-sdk-for-python#33325 /
 * msal-dotnet#5167: every request must carry `clientid`, and `expires_on` is an integer (App Service 2017 sends a
 * string). The endpoint shape `http://127.0.0.1:46808/MSI/auth/` and the error text "SSO failure: unable to retrieve
 * a token. Error Token service <compute>. Token not found" are observed (azure-cli#28220); the error body shape is
 * not documented (inferred: `{error, error_description}`, which msal-node reads).
 */
import { randomUUID } from 'node:crypto';
import { json } from '../http';
import type { EmulatorResponse, RequestInfo, ServiceContext } from '../types';
import { mintAppToken } from './hostTokens';
import { hostIdentities, same } from './identityChoice';
import { checkOptions, optNumber, optString, type HostDefinition } from './hostTypes';

const OPTIONS = ['computeName', 'workspaceName', 'secret', 'lifetimeSec', 'defaultClientId'];

function mlError(status: number, error: string, description: string): EmulatorResponse {
  return json(status, { error, error_description: description });
}

export function createMachineLearningHost(ctx: ServiceContext, options: Record<string, unknown>): HostDefinition {
  checkOptions(options, OPTIONS, 'machine-learning');
  const computeName = optString(options, 'computeName') ?? `${ctx.dataset.vm.name}-ci`;
  const workspaceName = optString(options, 'workspaceName') ?? 'ml-workspace';
  const secret = optString(options, 'secret') ?? randomUUID();
  const lifetimeSec = optNumber(options, 'lifetimeSec') ?? 86399;
  const computeId = `${ctx.dataset.scopes.resourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/${workspaceName}/computes/${computeName}`;
  const notFound = `SSO failure: unable to retrieve a token. Error Token service ${computeName}. Token not found`;

  function defaultClientId(): string {
    const { system, user } = hostIdentities(ctx, computeId);
    return optString(options, 'defaultClientId') ?? system?.clientId ?? user[0]?.clientId ?? '';
  }

  function token(req: RequestInfo): EmulatorResponse {
    if (req.headers.secret !== secret)
      return mlError(401, 'unauthorized', 'The secret header is missing or does not match MSI_SECRET.');
    if (req.query['api-version'] !== '2017-09-01')
      return mlError(400, 'invalid_request', `Unsupported api-version '${req.query['api-version'] ?? ''}'.`);
    if (!req.query.resource) return mlError(400, 'invalid_request', 'The resource parameter is required.');
    if (!req.query.clientid) return mlError(400, 'invalid_request', notFound);
    const { system, user } = hostIdentities(ctx, computeId);
    const match = [...(system ? [system] : []), ...user].find((i) => same(i.clientId, req.query.clientid));
    if (!match) return mlError(400, 'invalid_request', notFound);
    const { accessToken, claims } = mintAppToken(ctx, match, req.query.resource, req.nowMs, lifetimeSec);
    return json(200, {
      access_token: accessToken,
      expires_on: claims.exp,
      resource: req.query.resource,
      token_type: 'Bearer',
      client_id: match.clientId,
    });
  }

  return {
    kind: 'machine-learning',
    handle(req) {
      if (!/^\/MSI\/auth\/?$/i.test(req.path)) return mlError(404, 'not_found', 'Not found.');
      if (req.method !== 'GET') return mlError(405, 'invalid_request', 'Method not allowed.');
      return token(req);
    },
    env(baseUrl) {
      return { MSI_ENDPOINT: `${baseUrl}/MSI/auth`, MSI_SECRET: secret, DEFAULT_IDENTITY_CLIENT_ID: defaultClientId() };
    },
    details() {
      const { system, user } = hostIdentities(ctx, computeId);
      return { computeId, systemAssigned: system ?? null, userAssigned: user };
    },
  };
}

/**
 * Microsoft Graph v1.0 service principals of the VM's managed identities. Shapes from microsoftgraph
 * docs api-reference/v1.0/resources/serviceprincipal.md and resources/errors.md; managed-identity
 * specifics (servicePrincipalType, alternativeNames, displayName = VM name) as observed.
 */
import { createHash } from 'node:crypto';
import { GRAPH_APP_ID, cloudFor, graphAudiences } from './clouds';
import { json } from './http';
import { matchGraph } from './routes';
import { checkBearer, type BearerFailure } from './tokens';
import type { EmulatorResponse, RequestInfo, ServiceContext } from './types';

interface ManagedIdentityPrincipal {
  principalId: string;
  clientId: string;
  displayName: string;
  resourceId: string;
  /** User-assigned identities are "explicit" resources, system-assigned ones are not. */
  explicit: boolean;
}

const UNAUTHORIZED_MESSAGES: Record<BearerFailure, string> = {
  missing: 'Access token is empty.',
  invalid: 'Access token validation failure.',
  expired: 'Lifetime validation failed, the token is expired.',
  audience: 'Access token validation failure. Invalid audience.',
};

// Graph error envelope (graph docs resources/errors.md): {"error": {"code", "message", "innerError": {date, request-id, client-request-id}}}
function graphError(
  req: RequestInfo,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): EmulatorResponse {
  const innerError = {
    date: new Date(req.nowMs).toISOString().slice(0, 19),
    'request-id': req.requestId,
    'client-request-id': req.headers['client-request-id'] ?? req.requestId,
  };
  return json(status, { error: { code, message, innerError } }, headers);
}

function principals(ctx: ServiceContext): ManagedIdentityPrincipal[] {
  const { dataset, config } = ctx;
  const system = config.systemAssigned
    ? [{ ...dataset.systemIdentity, displayName: dataset.vm.name, resourceId: dataset.vm.resourceId, explicit: false }]
    : [];
  const user = dataset.userAssignedIdentities.map((u) => ({
    principalId: u.principalId,
    clientId: u.clientId,
    displayName: u.name,
    resourceId: u.resourceId,
    explicit: true,
  }));
  return [...system, ...user];
}

function digest(algorithm: 'sha1' | 'sha256', text: string): Buffer {
  return createHash(algorithm).update(text).digest();
}

// graph docs api-reference/v1.0/resources/serviceprincipal.md (JSON representation), as a managed identity's looks.
function servicePrincipalEntity(p: ManagedIdentityPrincipal): Record<string, unknown> {
  const thumbprint = digest('sha1', p.clientId).toString('hex').toUpperCase();
  const keyId = digest('sha256', p.principalId).toString('hex');
  return {
    id: p.principalId,
    deletedDateTime: null,
    accountEnabled: true,
    alternativeNames: [`isExplicit=${p.explicit ? 'True' : 'False'}`, p.resourceId],
    appDisplayName: null,
    appDescription: null,
    appId: p.clientId,
    applicationTemplateId: null,
    appOwnerOrganizationId: null,
    appRoleAssignmentRequired: false,
    createdDateTime: null,
    description: null,
    disabledByMicrosoftStatus: null,
    displayName: p.displayName,
    homepage: null,
    loginUrl: null,
    logoutUrl: null,
    notes: null,
    notificationEmailAddresses: [],
    preferredSingleSignOnMode: null,
    preferredTokenSigningKeyThumbprint: null,
    replyUrls: [],
    servicePrincipalNames: [
      p.clientId,
      `https://identity.azure.net/${digest('sha256', p.resourceId).toString('base64')}`,
    ],
    servicePrincipalType: 'ManagedIdentity',
    signInAudience: null,
    tags: [],
    tokenEncryptionKeyId: null,
    info: null,
    samlSingleSignOnSettings: null,
    addIns: [],
    appRoles: [],
    keyCredentials: [
      {
        customKeyIdentifier: thumbprint,
        displayName: `CN=${p.clientId}`,
        endDateTime: '2026-06-30T12:00:00Z',
        key: null,
        keyId: `${keyId.slice(0, 8)}-${keyId.slice(8, 12)}-${keyId.slice(12, 16)}-${keyId.slice(16, 20)}-${keyId.slice(20, 32)}`,
        startDateTime: '2026-01-01T12:00:00Z',
        type: 'AsymmetricX509Cert',
        usage: 'Verify',
      },
    ],
    oauth2PermissionScopes: [],
    passwordCredentials: [],
    resourceSpecificApplicationPermissions: [],
    verifiedPublisher: { displayName: null, verifiedPublisherId: null, addedDateTime: null },
  };
}

/** Apply `$select`; undefined names an unknown property. */
function select(
  entity: Record<string, unknown>,
  selectParam: string,
): { names: string[]; picked: Record<string, unknown> } | { unknown: string } {
  const byLower = new Map(Object.keys(entity).map((k) => [k.toLowerCase(), k]));
  const names: string[] = [];
  for (const requested of selectParam
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const name = byLower.get(requested.toLowerCase());
    if (!name) return { unknown: requested };
    names.push(name);
  }
  return { names, picked: Object.fromEntries(names.map((n) => [n, entity[n]])) };
}

function getServicePrincipal(
  req: RequestInfo,
  ctx: ServiceContext,
  by: 'id' | 'appId',
  value: string,
): EmulatorResponse {
  if (!ctx.config.graphReadable)
    return graphError(req, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
  const wanted = value.toLowerCase();
  const found = principals(ctx).find((p) => (by === 'id' ? p.principalId : p.clientId).toLowerCase() === wanted);
  if (!found)
    return graphError(
      req,
      404,
      'Request_ResourceNotFound',
      `Resource '${value}' does not exist or one of its queried reference-property objects are not present.`,
    );
  const base = `${cloudFor(ctx.config.azEnvironment).graph}/v1.0/$metadata#servicePrincipals`;
  const entity = servicePrincipalEntity(found);
  const selectParam = req.query.$select;
  if (!selectParam) return json(200, { '@odata.context': `${base}/$entity`, ...entity });
  const selected = select(entity, selectParam);
  if ('unknown' in selected)
    return graphError(
      req,
      400,
      'BadRequest',
      `Could not find a property named '${selected.unknown}' on type 'microsoft.graph.servicePrincipal'.`,
    );
  return json(200, { '@odata.context': `${base}(${selected.names.join(',')})/$entity`, ...selected.picked });
}

export function handleGraph(req: RequestInfo, ctx: ServiceContext): EmulatorResponse {
  const audiences = graphAudiences(cloudFor(ctx.config.azEnvironment));
  const check = checkBearer(req.headers.authorization, ctx.tokens, audiences, Math.floor(req.nowMs / 1000));
  if (!check.ok) {
    const challenge = `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="${GRAPH_APP_ID}"`;
    return graphError(req, 401, 'InvalidAuthenticationToken', UNAUTHORIZED_MESSAGES[check.reason], {
      'www-authenticate': challenge,
    });
  }
  const target = matchGraph(req.path);
  if (target.endpoint === 'graph-other')
    return graphError(
      req,
      400,
      'BadRequest',
      `Resource not found for the segment '${req.path.split('/').filter(Boolean).slice(1).join('/')}'.`,
    );
  if (req.method !== 'GET')
    return graphError(req, 405, 'Request_BadRequest', `Specified HTTP method is not allowed for the request target.`);
  return getServicePrincipal(req, ctx, target.by, target.value);
}

/**
 * Minimal data planes for the access checker's probes, chosen by the Host header (a client sends them to
 * the emulator's listener and keeps the service's host name, as the real request would carry it):
 * - Key Vault "Get Secrets" `GET https://{vault}.vault.azure.net/secrets?api-version=7.4`
 *   (learn.microsoft.com/rest/api/keyvault/secrets/get-secrets: "requires the secrets/list permission";
 *   under Azure RBAC the data action Microsoft.KeyVault/vaults/secrets/readMetadata/action, azure-docs
 *   key-vault/general/rbac-guide.md). Token audience https://vault.azure.net. 403 texts: RBAC
 *   "Caller is not authorized to perform action on resource." with innererror ForbiddenByRbac; access
 *   policies "The user, group or application '…' does not have secrets list permission on key vault '…'"
 *   (both quoted in src/access/errorText.ts with their sources).
 * - Blob "List Containers" `GET https://{account}.blob.core.windows.net/?comp=list`
 *   (learn.microsoft.com/rest/api/storageservices/list-containers2: x-ms-version required; with Entra ID
 *   the RBAC action is Microsoft.Storage/storageAccounts/blobServices/containers/read). Token audience
 *   https://storage.azure.com. Errors are XML `<Error><Code>AuthorizationPermissionMismatch</Code>`.
 * Cosmos DB is not emulated: the dataset holds no Cosmos DB account.
 */
import { canPerform, evaluate } from './permissions';
import { json } from './http';
import { knownResources, vaultProperties } from './resources';
import { checkBearer } from './tokens';
import type { EmulatorResponse, RequestInfo, ServiceContext } from './types';

const VAULT_HOST = /^([a-z0-9-]{3,24})\.vault\.(azure\.net|usgovcloudapi\.net|azure\.cn)$/i;
const BLOB_HOST = /^([a-z0-9]{3,24})\.blob\.core\.(windows\.net|usgovcloudapi\.net|chinacloudapi\.cn)$/i;

export function isDataPlaneHost(host: string | undefined): boolean {
  const name = (host ?? '').replace(/:\d+$/, '');
  return VAULT_HOST.test(name) || BLOB_HOST.test(name);
}

function resourceNamed(ctx: ServiceContext, type: string, name: string): string | undefined {
  return [...knownResources(ctx.dataset).values()].find(
    (r) => r.type === type && r.id.toLowerCase().endsWith(`/${name.toLowerCase()}`),
  )?.id;
}

function storageError(status: number, code: string, message: string, requestId: string): EmulatorResponse {
  const body = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}\nRequestId:${requestId}\nTime:${new Date().toISOString()}</Message></Error>`;
  return { status, headers: { 'content-type': 'application/xml', 'x-ms-error-code': code }, body };
}

/** Access-policy permission names are case-insensitive; `all` grants every permission of its kind. */
function policyAllows(policies: unknown, oid: string, kind: 'secrets', permission: string): boolean {
  const entries = Array.isArray(policies)
    ? (policies as Array<{ objectId: string; permissions: Record<string, string[]> }>)
    : [];
  return entries.some(
    (e) =>
      e.objectId.toLowerCase() === oid.toLowerCase() &&
      (e.permissions[kind] ?? []).some((p) => ['all', permission].includes(p.toLowerCase())),
  );
}

function keyVault(req: RequestInfo, ctx: ServiceContext, name: string, oid: string, appid: string): EmulatorResponse {
  const vaultId = resourceNamed(ctx, 'Microsoft.KeyVault/vaults', name);
  if (!vaultId) return json(404, { error: { code: 'VaultNotFound', message: `Vault ${name} not found.` } });
  if (!/^\/secrets\/?$/.test(req.path))
    return json(404, { error: { code: 'NotFound', message: 'The emulator serves GET /secrets only.' } });
  const props = vaultProperties(ctx.dataset, vaultId);
  const caller = `appid=${appid};oid=${oid};iss=https://sts.windows.net/${ctx.dataset.tenantId}/`;
  const where = `${name};location=${ctx.dataset.vm.location}`;
  if (props.enableRbacAuthorization) {
    const action = 'Microsoft.KeyVault/vaults/secrets/readMetadata/action';
    if (evaluate(ctx.dataset, oid, action, vaultId, 'data').verdict !== 'allowed') {
      const message = `Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nCaller: ${caller}\r\nAction: '${action}'\r\nResource: '${vaultId.toLowerCase()}'\r\nAssignment: (not found)\r\nDecisionReason: 'DeniedWithNoValidRBAC' \r\nVault: ${where}\r\n`;
      return json(403, { error: { code: 'Forbidden', message, innererror: { code: 'ForbiddenByRbac' } } });
    }
  } else if (!policyAllows(props.accessPolicies, oid, 'secrets', 'list')) {
    const message = `The user, group or application '${caller}' does not have secrets list permission on key vault '${where}'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287`;
    return json(403, { error: { code: 'Forbidden', message, innererror: { code: 'AccessDenied' } } });
  }
  const value = ['db-password', 'api-key'].map((s) => ({
    id: `https://${name}.vault.azure.net/secrets/${s}`,
    attributes: { enabled: true, created: 1704067200, updated: 1704067200, recoveryLevel: 'Recoverable+Purgeable' },
  }));
  return json(200, { value, nextLink: null });
}

function blob(req: RequestInfo, ctx: ServiceContext, name: string, oid: string): EmulatorResponse {
  const accountId = resourceNamed(ctx, 'Microsoft.Storage/storageAccounts', name);
  if (!accountId) return storageError(404, 'ResourceNotFound', 'The specified resource does not exist.', req.requestId);
  if (req.query.comp !== 'list')
    return storageError(400, 'InvalidQueryParameterValue', 'The emulator serves ?comp=list only.', req.requestId);
  if (!req.headers['x-ms-version'])
    return storageError(
      400,
      'MissingRequiredHeader',
      "An HTTP header that's mandatory for this request is not specified.",
      req.requestId,
    );
  if (!canPerform(ctx.dataset, oid, 'Microsoft.Storage/storageAccounts/blobServices/containers/read', accountId)) {
    return storageError(
      403,
      'AuthorizationPermissionMismatch',
      'This request is not authorized to perform this operation using this permission.',
      req.requestId,
    );
  }
  const containers = ['logs', 'exports']
    .map(
      (c) =>
        `<Container><Name>${c}</Name><Properties><Last-Modified>Mon, 01 Jan 2024 00:00:00 GMT</Last-Modified></Properties></Container>`,
    )
    .join('');
  const body = `<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="https://${name}.blob.core.windows.net/"><Containers>${containers}</Containers><NextMarker /></EnumerationResults>`;
  return { status: 200, headers: { 'content-type': 'application/xml' }, body };
}

export function handleDataPlane(req: RequestInfo, ctx: ServiceContext): EmulatorResponse {
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  const vault = VAULT_HOST.exec(host);
  const audiences = vault
    ? [`https://vault.${vault[2]}`, `https://vault.${vault[2]}/`]
    : ['https://storage.azure.com/', 'https://storage.azure.com'];
  const check = checkBearer(req.headers.authorization, ctx.tokens, audiences, Math.floor(req.nowMs / 1000));
  if (!check.ok) {
    const challenge = {
      'www-authenticate': `Bearer authorization="https://login.microsoftonline.com/${ctx.dataset.tenantId}", resource="${audiences[0]}"`,
    };
    if (vault)
      return json(
        401,
        { error: { code: 'Unauthorized', message: `AKV10022: Invalid audience or token (${check.reason}).` } },
        challenge,
      );
    return {
      ...storageError(
        401,
        'InvalidAuthenticationInfo',
        `Server failed to authenticate the request (${check.reason}).`,
        req.requestId,
      ),
      headers: { 'content-type': 'application/xml', ...challenge },
    };
  }
  const appid = String((check.claims as unknown as Record<string, unknown>).appid ?? '');
  if (vault) return keyVault(req, ctx, vault[1], check.claims.oid, appid);
  return blob(req, ctx, BLOB_HOST.exec(host)![1], check.claims.oid);
}

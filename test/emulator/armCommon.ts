/** What the ARM handlers share: the error envelope, RBAC-derived access checks (with test overrides), paging. */
import { json } from './http';
import { canPerform } from './permissions';
import type { EmulatorResponse, RequestInfo, ServiceContext } from './types';

// ARM error envelope: {"error": {"code", "message"}} (azure-resource-manager common-types ErrorResponse).
export function armError(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): EmulatorResponse {
  return json(status, { error: { code, message } }, headers);
}

/** What a test forced with `armReadable[principalId]`, if anything. */
export function forcedAccess(ctx: ServiceContext, principalId: string): boolean | undefined {
  return Object.entries(ctx.config.armReadable).find(([id]) => id.toLowerCase() === principalId.toLowerCase())?.[1];
}

/** Access derived from the caller's own role and deny assignments at or above the scope, unless a test forced it. */
export function mayPerform(ctx: ServiceContext, principalId: string, action: string, scope: string): boolean {
  return forcedAccess(ctx, principalId) ?? canPerform(ctx.dataset, principalId, action, scope);
}

/**
 * ARM's 403 when the caller's effective permissions at the scope lack the action (text as ARM writes it;
 * azure-docs role-based-access-control/troubleshooting.md "...does not have authorization to perform action...").
 */
export function authorizationFailed(oid: string, action: string, scope: string): EmulatorResponse {
  return armError(
    403,
    'AuthorizationFailed',
    `The client '${oid}' with object id '${oid}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
  );
}

function decodeSkipToken(token: string | undefined): number | undefined {
  if (token === undefined) return 0;
  const m = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  return m ? Number(m[1]) : undefined;
}

/** Same listener, same path and query, with `$skiptoken` replaced (ARM nextLinks are absolute URLs). */
function nextLink(req: RequestInfo, offset: number): string {
  const params = Object.entries(req.query)
    .filter(([name]) => name !== '$skiptoken')
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`);
  params.push(`$skiptoken=${Buffer.from(`offset:${offset}`).toString('base64url')}`);
  return `${req.baseUrl}${req.rawPath}?${params.join('&')}`;
}

/** `{value, nextLink?}` pages of `pageSize`. */
export function paged<T>(
  req: RequestInfo,
  ctx: ServiceContext,
  items: readonly T[],
  toWire: (item: T) => unknown,
): EmulatorResponse {
  const offset = decodeSkipToken(req.query.$skiptoken);
  if (offset === undefined)
    return armError(400, 'InvalidSkipToken', `The skip token '${req.query.$skiptoken}' is invalid.`);
  const end = offset + ctx.config.pageSize;
  const value = items.slice(offset, end).map(toWire);
  return json(200, end < items.length ? { value, nextLink: nextLink(req, end) } : { value });
}

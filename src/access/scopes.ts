/** ARM scope arithmetic: ancestry (for inheritance) and the Key Vault a scope lies in. */

/** Lower-cased, single slashes, no trailing slash; the root scope is `/`. */
function normalizeScope(scope: string): string {
  const s = scope
    .trim()
    .replace(/\/{2,}/g, '/')
    .replace(/\/+$/, '')
    .toLowerCase();
  return s === '' ? '/' : s.startsWith('/') ? s : `/${s}`;
}

export function sameScope(a: string, b: string): boolean {
  return normalizeScope(a) === normalizeScope(b);
}

/**
 * Whether `ancestor` is `scope` itself or above it. A role assignment applies at its scope and every
 * child scope ("Understand scope for Azure RBAC", learn.microsoft.com/azure/role-based-access-control/scope-overview).
 * Management groups are above subscriptions but not a path prefix of them; the reader's assignedTo() list
 * already returns only assignments at or above the scope (plus below), so a management-group scope is
 * treated as an ancestor of any subscription scope here.
 */
export function isAtOrAbove(ancestor: string, scope: string): boolean {
  const a = normalizeScope(ancestor);
  const s = normalizeScope(scope);
  if (a === '/' || a === s) return true;
  if (/^\/providers\/microsoft\.management\/managementgroups\/[^/]+$/.test(a))
    return s.startsWith('/subscriptions/') || s === a;
  return s.startsWith(`${a}/`);
}

export function isStrictlyAbove(ancestor: string, scope: string): boolean {
  return isAtOrAbove(ancestor, scope) && !sameScope(ancestor, scope);
}

const VAULT = /^(\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.keyvault\/vaults\/[^/]+)(\/|$)/i;

/** The vault's resource ID (original casing) when the scope is a vault or lies inside one, else undefined. */
export function keyVaultIdOf(scope: string): string | undefined {
  const m = VAULT.exec(scope.trim());
  return m ? m[1] : undefined;
}

export function vaultNameOf(vaultId: string): string {
  return vaultId.split('/').filter(Boolean).pop() ?? vaultId;
}

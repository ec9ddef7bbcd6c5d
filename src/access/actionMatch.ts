/**
 * ARM's action matching, per "Understand Azure role definitions"
 * (https://learn.microsoft.com/azure/role-based-access-control/role-definitions):
 * - an operation string is `{Company}.{ProviderName}/{resourceType}/{action}`; `*` is a wildcard that
 *   "grants access to all actions that match the string" — it may stand for several segments
 *   (`*\/read`, `Microsoft.Network/*\/read`) or part of one, and a string may hold several
 *   (`Microsoft.CostManagement/*\/query/*`);
 * - comparison is case-insensitive (the docs' own examples mix `microsoft.web/sites/restart/Action` and
 *   `Microsoft.Authorization/*\/Delete`);
 * - `Actions - NotActions = effective control plane permissions`, `DataActions - NotDataActions` likewise,
 *   within one role: NotActions "is not a deny rule", a second role granting the action still grants it;
 * - control and data planes are separate properties, so `*` in `Actions` never grants a data action.
 */
import type { PermissionSet, Plane } from './types';

const compiled = new Map<string, RegExp>();

function patternRegExp(pattern: string): RegExp {
  const key = pattern.toLowerCase();
  let re = compiled.get(key);
  if (!re) {
    const body = key
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    re = new RegExp(`^${body}$`, 's');
    compiled.set(key, re);
  }
  return re;
}

/** Whether one Actions/DataActions string (possibly with wildcards) covers one concrete operation. */
export function actionMatches(pattern: string, operation: string): boolean {
  const p = pattern.trim();
  if (p === '') return false;
  return patternRegExp(p).test(operation.trim().toLowerCase());
}

function allowList(set: PermissionSet, plane: Plane): string[] {
  return (plane === 'data' ? set.dataActions : set.actions) ?? [];
}

function excludeList(set: PermissionSet, plane: Plane): string[] {
  return (plane === 'data' ? set.notDataActions : set.notActions) ?? [];
}

/** The allow pattern of this one permission set that grants the operation, after its own exclusions. */
export function grantingPattern(set: PermissionSet, operation: string, plane: Plane): string | undefined {
  if (excludeList(set, plane).some((p) => actionMatches(p, operation))) return undefined;
  return allowList(set, plane).find((p) => actionMatches(p, operation));
}

/** Whether any of the sets grants the operation (each set's Not* subtracts only from that set). */
export function anyGrants(sets: PermissionSet[], operation: string, plane: Plane): boolean {
  return sets.some((s) => grantingPattern(s, operation, plane) !== undefined);
}

/** Whether an operation string names an operation or a pattern (the user may type wildcards). */
export function isWildcard(action: string): boolean {
  return action.includes('*');
}

/** `Microsoft.Storage` from `Microsoft.Storage/storageAccounts/read`; undefined for `*` or `*\/read`. */
export function providerNamespaceOf(action: string): string | undefined {
  const first = action.split('/')[0]?.trim();
  return first && !first.includes('*') && first.includes('.') ? first : undefined;
}

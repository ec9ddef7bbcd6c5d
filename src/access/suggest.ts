/**
 * "Not granted" → the smallest built-in role that grants the action, at the narrowest scope (the checked
 * scope itself), as an exact `az role assignment create` command and the portal's Access control (IAM) link.
 * For a Key Vault on access policies, the fix is an access-policy entry instead.
 */
import { grantingPattern } from './actionMatch';
import type { PolicyPermission } from './keyVaultPolicy';
import { vaultNameOf } from './scopes';
import type { Plane, RoleDefinitionInfo } from './types';
import type { Suggestion } from './verdict';

/**
 * How much a pattern grants besides the action asked for: `*` everything, `*\/read` every read, a
 * provider-wide wildcard a whole provider, other wildcards a resource type's subtree, an exact string one
 * operation. A role's breadth is the sum over its Actions and DataActions, so Owner and Contributor lose to
 * any role that names the action more narrowly.
 */
function patternBreadth(pattern: string): number {
  const p = pattern.trim();
  if (p === '*') return 100_000;
  if (p.startsWith('*')) return 20_000;
  if (!p.includes('*')) return 1;
  const segmentsBeforeStar = p.slice(0, p.indexOf('*')).split('/').filter(Boolean).length;
  return segmentsBeforeStar <= 1 ? 2_000 : Math.max(10, 200 / segmentsBeforeStar);
}

function roleBreadth(role: RoleDefinitionInfo): number {
  return role.permissions.reduce(
    (sum, p) => sum + [...(p.actions ?? []), ...(p.dataActions ?? [])].reduce((s, a) => s + patternBreadth(a), 0),
    0,
  );
}

/** Built-in roles granting the action, narrowest first (ties: fewer strings, then name). */
function rolesGranting(roles: RoleDefinitionInfo[], action: string, plane: Plane): RoleDefinitionInfo[] {
  const granting = roles.filter(
    (r) => r.roleType === 'BuiltInRole' && r.permissions.some((p) => grantingPattern(p, action, plane) !== undefined),
  );
  const count = (r: RoleDefinitionInfo) =>
    r.permissions.reduce((n, p) => n + p.actions.length + p.dataActions.length, 0);
  return granting.sort(
    (a, b) => roleBreadth(a) - roleBreadth(b) || count(a) - count(b) || a.roleName.localeCompare(b.roleName),
  );
}

/** `{portal}/#@{tenant}/resource{scope}/users` — the resource's Access control (IAM) blade. */
function iamPortalUrl(portalBaseUrl: string, tenantId: string | undefined, scope: string): string {
  const base = portalBaseUrl.replace(/\/+$/, '');
  const tenant = tenantId ? `@${tenantId}` : '';
  return `${base}/#${tenant}/resource${scope.replace(/\/+$/, '')}/users`;
}

/** Single-quoted for POSIX shells when it holds anything a shell would interpret. */
function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:@-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

function azRoleAssignmentCommand(principalId: string, roleName: string, scope: string): string {
  return [
    'az role assignment create',
    `--assignee-object-id ${shellQuote(principalId)}`,
    '--assignee-principal-type ServicePrincipal',
    `--role ${JSON.stringify(roleName)}`,
    `--scope ${shellQuote(scope)}`,
  ].join(' ');
}

export interface SuggestInput {
  action: string;
  plane: Plane;
  scope: string;
  principalId: string;
  tenantId?: string;
  portalUrl: string;
}

export function suggestRole(roles: RoleDefinitionInfo[], input: SuggestInput): Suggestion | undefined {
  const best = rolesGranting(roles, input.action, input.plane)[0];
  if (!best) return undefined;
  return {
    kind: 'roleAssignment',
    roleName: best.roleName,
    roleDefinitionId: best.id,
    scope: input.scope,
    azCommand: azRoleAssignmentCommand(input.principalId, best.roleName, input.scope),
    portalUrl: iamPortalUrl(input.portalUrl, input.tenantId, input.scope),
    why: `${best.roleName} is the narrowest built-in role whose ${input.plane === 'data' ? 'DataActions' : 'Actions'} include ${input.action}; assigned on the resource itself, it grants nothing elsewhere.`,
  };
}

/** `az keyvault set-policy` for a vault on access policies (learn.microsoft.com/azure/key-vault/general/assign-access-policy). */
export function suggestAccessPolicy(vaultId: string, required: PolicyPermission, input: SuggestInput): Suggestion {
  const flag = {
    secrets: '--secret-permissions',
    keys: '--key-permissions',
    certificates: '--certificate-permissions',
  }[required.kind];
  const name = vaultNameOf(vaultId);
  return {
    kind: 'accessPolicy',
    scope: vaultId,
    azCommand: `az keyvault set-policy --name ${shellQuote(name)} --object-id ${shellQuote(input.principalId)} ${flag} ${required.permission}`,
    // The vault's own page: its access-policy blade has no documented deep link.
    portalUrl: iamPortalUrl(input.portalUrl, input.tenantId, vaultId).replace(/\/users$/, ''),
    why: `The vault authorizes ${required.kind} with access policies, not Azure RBAC: the identity needs ${required.kind} ${required.permission} in its entry (or switch the vault to Azure RBAC and assign a Key Vault role).`,
  };
}

/**
 * The RBAC evaluation engine, as azure-docs role-based-access-control/role-definitions.md and
 * deny-assignments.md describe it:
 * - `*` in an action string matches any characters, possibly several segments, and a string may hold
 *   several wildcards ("Microsoft.CostManagement/*\/query/*"); matching is case-insensitive.
 * - Actions are matched against actions/notActions, data actions against dataActions/notDataActions only
 *   (Owner's `*` grants no data action).
 * - notActions / notDataActions subtract within one role's permission block; they are not a deny: another
 *   assignment granting the action still allows it ("NotActions" section). Effective = union over assignments.
 * - A deny assignment that applies wins over every role assignment ("deny assignments take precedence").
 * - An assignment with an ABAC condition grants only when the condition holds at request time
 *   (conditions-overview.md); the engine flags such grants instead of evaluating conditions.
 */
import type { Dataset, DenyAssignment, RoleAssignment } from './model';
import { applicableDenies, findRoleDefinition, listRoleAssignments, roleDefinitionGuid } from './rbac';
import type { RoleDefinition, RolePermission } from './roles';

const patternCache = new Map<string, RegExp>();

/** Whether an action string (possibly with `*` wildcards) matches an operation name. */
export function actionMatches(pattern: string, operation: string): boolean {
  let re = patternCache.get(pattern);
  if (!re) {
    const body = pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
      .join('.*');
    re = new RegExp(`^${body}$`, 'i');
    patternCache.set(pattern, re);
  }
  return re.test(operation);
}

export type Plane = 'control' | 'data';

/** Whether one permission block grants the operation: in actions, not in notActions (or the data pair). */
export function blockGrants(p: RolePermission, operation: string, plane: Plane): boolean {
  const [allow, except] = plane === 'data' ? [p.dataActions, p.notDataActions] : [p.actions, p.notActions];
  return allow.some((a) => actionMatches(a, operation)) && !except.some((a) => actionMatches(a, operation));
}

/** One entry of the caller's effective permissions: a role assignment's definition's permission block. */
export interface EffectiveEntry {
  assignment: RoleAssignment;
  role: RoleDefinition;
  permission: RolePermission;
}

/** The permission blocks of every role assignment that applies at `scope` (at it or above; direct or through groups). */
export function effectiveEntries(dataset: Dataset, principalId: string, scope: string): EffectiveEntry[] {
  const held = listRoleAssignments(dataset, scope, { principalId, filter: 'assignedTo', atScopeOnly: true });
  const out: EffectiveEntry[] = [];
  for (const assignment of held) {
    const role = findRoleDefinition(dataset, roleDefinitionGuid(assignment.roleDefinitionId));
    if (role) for (const permission of role.properties.permissions) out.push({ assignment, role, permission });
  }
  return out;
}

export type Verdict = 'allowed' | 'conditional' | 'denied' | 'notGranted';

export interface Evaluation {
  verdict: Verdict;
  /** Role assignments whose role grants the operation (conditional ones included). */
  grantedBy: RoleAssignment[];
  /** Deny assignments that block it (empty unless something grants it or a deny names it). */
  deniedBy: DenyAssignment[];
}

/** Whether a deny assignment's permissions cover the operation (its own notActions carve exceptions out). */
function denyCovers(d: DenyAssignment, operation: string, plane: Plane): boolean {
  return d.permissions.some((p) => blockGrants(p, operation, plane));
}

/**
 * What ARM decides for `principalId` doing `operation` at `scope`: denied when a deny assignment covers it,
 * else allowed when an unconditional grant exists, conditional when only conditional ones do.
 */
export function evaluate(
  dataset: Dataset,
  principalId: string,
  operation: string,
  scope: string,
  plane: Plane = 'control',
): Evaluation {
  const deniedBy = applicableDenies(dataset, principalId, scope).filter((d) => denyCovers(d, operation, plane));
  const grants = effectiveEntries(dataset, principalId, scope).filter((e) =>
    blockGrants(e.permission, operation, plane),
  );
  const grantedBy = [...new Set(grants.map((e) => e.assignment))];
  let verdict: Verdict = 'notGranted';
  if (deniedBy.length > 0) verdict = 'denied';
  else if (grantedBy.some((a) => !a.condition)) verdict = 'allowed';
  else if (grantedBy.length > 0) verdict = 'conditional';
  return { verdict, grantedBy, deniedBy };
}

/** Control-plane permission as ARM enforces it on a request (conditions only constrain data actions). */
export function canPerform(dataset: Dataset, principalId: string, action: string, scope: string): boolean {
  const e = evaluate(dataset, principalId, action, scope, 'control');
  return e.verdict === 'allowed' || e.verdict === 'conditional';
}

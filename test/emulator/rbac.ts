/**
 * Azure RBAC evaluation over a dataset: scope containment (management group → subscription → resource
 * group → resource), group membership, and action matching with wildcards and notActions
 * (azure-docs role-based-access-control/role-definitions.md "Actions" / "NotActions").
 */
import type { AssignmentFilter, Dataset, RoleAssignment } from './dataset';
import type { RoleDefinition } from './roles';

export interface AssignmentQuery {
  /** Only assignments for this principal (and, with assignedTo, its groups). */
  principalId?: string;
  filter?: AssignmentFilter;
  /** `atScope()`: only assignments at or above the scope, not below it. */
  atScopeOnly: boolean;
}

interface DatasetIndex {
  scopes: string[];
  managementGroup: string;
  subscription: string;
  lists: Map<string, readonly RoleAssignment[]>;
}

const indexes = new WeakMap<Dataset, DatasetIndex>();
const patternCache = new Map<string, RegExp>();
const MAX_CACHED_LISTS = 64;

/** ARM ids compare case-insensitively and ignore a trailing slash; the root scope is ''. */
export function normaliseScope(scope: string): string {
  return scope.toLowerCase().replace(/\/+$/, '');
}

/** The GUID at the end of a role definition id. */
export function roleDefinitionGuid(roleDefinitionId: string): string {
  return roleDefinitionId.slice(roleDefinitionId.lastIndexOf('/') + 1).toLowerCase();
}

function indexOf(dataset: Dataset): DatasetIndex {
  let index = indexes.get(dataset);
  if (!index) {
    index = {
      scopes: dataset.roleAssignments.map((a) => normaliseScope(a.scope)),
      managementGroup: normaliseScope(dataset.scopes.managementGroup),
      subscription: normaliseScope(dataset.scopes.subscription),
      lists: new Map(),
    };
    indexes.set(dataset, index);
  }
  return index;
}

function containsNormalised(index: DatasetIndex, outer: string, inner: string): boolean {
  if (outer === '' || outer === inner || inner.startsWith(`${outer}/`)) return true;
  // Our subscription sits in our management group, though its id does not say so.
  return outer === index.managementGroup && (inner === index.subscription || inner.startsWith(`${index.subscription}/`));
}

/** Whether `outer` is `inner` or one of its ancestors. */
export function scopeContains(dataset: Dataset, outer: string, inner: string): boolean {
  return containsNormalised(indexOf(dataset), normaliseScope(outer), normaliseScope(inner));
}

/** The principal itself plus every group it is a member of. */
function principalAndGroups(dataset: Dataset, principalId: string): Set<string> {
  const id = principalId.toLowerCase();
  const ids = new Set([id]);
  for (const g of dataset.groups) if (g.memberIds.some((m) => m.toLowerCase() === id)) ids.add(g.id.toLowerCase());
  return ids;
}

/**
 * Role assignments ARM lists at `scope`: those at or above it, and (unless atScope()) below it,
 * optionally narrowed to a principal. Cached per dataset; callers must not mutate the result.
 */
export function listRoleAssignments(dataset: Dataset, scope: string, query: AssignmentQuery): readonly RoleAssignment[] {
  const index = indexOf(dataset);
  const target = normaliseScope(scope);
  const key = `${target}|${query.principalId?.toLowerCase() ?? ''}|${query.filter ?? ''}|${query.atScopeOnly}`;
  const cached = index.lists.get(key);
  if (cached) return cached;
  const principals = query.principalId === undefined ? undefined : query.filter === 'assignedTo' ? principalAndGroups(dataset, query.principalId) : new Set([query.principalId.toLowerCase()]);
  const result = dataset.roleAssignments.filter((a, i) => {
    if (principals && !principals.has(a.principalId.toLowerCase())) return false;
    const at = index.scopes[i];
    return containsNormalised(index, at, target) || (!query.atScopeOnly && containsNormalised(index, target, at));
  });
  if (index.lists.size >= MAX_CACHED_LISTS) index.lists.clear();
  index.lists.set(key, result);
  return result;
}

function actionPattern(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    const body = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*');
    re = new RegExp(`^${body}$`, 'i');
    patternCache.set(pattern, re);
  }
  return re;
}

/** Whether a role grants a control-plane action (ABAC conditions only constrain data actions). */
function roleGrants(role: RoleDefinition, action: string): boolean {
  return role.properties.permissions.some((p) => p.actions.some((a) => actionPattern(a).test(action)) && !p.notActions.some((a) => actionPattern(a).test(action)));
}

export function findRoleDefinition(dataset: Dataset, guid: string): RoleDefinition | undefined {
  const wanted = guid.toLowerCase();
  return dataset.roleDefinitions.find((r) => r.name === wanted);
}

/** Whether the principal, directly or through a group, holds a role granting `action` at `scope` or above. */
export function canPerform(dataset: Dataset, principalId: string, action: string, scope: string): boolean {
  const held = listRoleAssignments(dataset, scope, { principalId, filter: 'assignedTo', atScopeOnly: true });
  return held.some((a) => {
    const role = findRoleDefinition(dataset, roleDefinitionGuid(a.roleDefinitionId));
    return role !== undefined && roleGrants(role, action);
  });
}

/** Whether the principal has any role assignment at, above or below the scope (how ARM decides which subscriptions to list). */
export function hasAnyAssignment(dataset: Dataset, principalId: string, scope: string): boolean {
  return listRoleAssignments(dataset, scope, { principalId, filter: 'assignedTo', atScopeOnly: false }).length > 0;
}
